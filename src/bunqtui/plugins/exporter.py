"""Exporters write a list of payments to a file; CSV and JSON are built in (``exporters.py``)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar, TextIO

from bunqtui.api.models import Payment


class Exporter(ABC):
    name: ClassVar[str]  # unique, e.g. "csv"
    title: ClassVar[str] = ""
    suffix: ClassVar[str] = ""  # file extension with the dot, e.g. ".csv"

    @abstractmethod
    def write(self, payments: list[Payment], stream: TextIO) -> None:
        """Write ``payments`` (with their stable bunq ids) to a text stream."""
