"""Exporters write payments to a text stream; CSV and JSON are built in (``exporters.py``).

``write(payments, stream)`` gets an iterable, not a list: the CLI and the TUI stream it from
the cache as ``PaymentRow``s (``bunqtui.store.rows``), a batch at a time, so an export of
100,000 payments holds one batch in memory. Iterate it once; write as you go. A ``PaymentRow``
reads like the ``Payment`` of bunqtui.api.models (``id``, ``created``, ``amount``,
``description``, ``type``, ``sub_type``, ``counterparty_alias``, ``balance_after``,
``monetary_account_id``), and also has the record's strings ready (``amount_value``,
``counterparty_name``, …); an exporter may also be handed ``Payment`` objects, and
``payment_row(p)`` turns either into a row.

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
from collections.abc import Iterable
from typing import ClassVar, TextIO

from bunqtui.api.models import Payment
from bunqtui.store.rows import PaymentRow, payment_row
from bunqtui.untrusted import csv_cell, json_text

__all__ = ["Exporter", "PaymentRow", "csv_cell", "json_text", "payment_row"]


class Exporter(ABC):
    name: ClassVar[str]  # unique, e.g. "csv"
    title: ClassVar[str] = ""
    suffix: ClassVar[str] = ""  # file extension with the dot, e.g. ".csv"

    @abstractmethod
    def write(self, payments: Iterable[PaymentRow | Payment], stream: TextIO) -> None:
        """Write ``payments`` (newest first, with their stable bunq ids) to a text stream,
        iterating them once."""
