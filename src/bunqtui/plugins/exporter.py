"""Exporters write a list of payments to a file; CSV and JSON are built in (``exporters.py``).

Payments carry text other people wrote (descriptions, names). An exporter, built in or a
plugin's, writes it through the helpers here, so every export holds the same line:

- ``csv_cell(text)``: a CSV text cell no spreadsheet runs as a formula (a ``'`` before a cell
  starting with ``=``, ``+``, ``-``, ``@``, TAB or CR). Amounts stay plain numbers: do not pass
  them through it.
- ``json_text(data)``: JSON that keeps every string exactly, with what a terminal would act on
  (C1 controls, bidi overrides) written as ``\\uXXXX`` escapes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar, TextIO

from bunqtui.api.models import Payment
from bunqtui.untrusted import csv_cell, json_text

__all__ = ["Exporter", "csv_cell", "json_text"]


class Exporter(ABC):
    name: ClassVar[str]  # unique, e.g. "csv"
    title: ClassVar[str] = ""
    suffix: ClassVar[str] = ""  # file extension with the dot, e.g. ".csv"

    @abstractmethod
    def write(self, payments: list[Payment], stream: TextIO) -> None:
        """Write ``payments`` (with their stable bunq ids) to a text stream."""
