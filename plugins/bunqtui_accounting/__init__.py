"""Plain-text accounting exporters: beancount, ledger/hledger journals and OFX statements.

Registered through the ``bunqtui`` entry-point group, exactly as a third party's plugin is.
Each payment becomes one transaction: the bunq account (``Assets:Bunq:<account id>``) against
``Expenses:Unknown`` (money out) or ``Income:Unknown`` (money in), the counterparty as payee,
the description as narration, and bunq's payment id as metadata, so a re-export writes the
same lines and a second import of a payment can be told by its id (docs/plugins.md).
"""

from __future__ import annotations

from bunqtui.plugins import hookimpl

from .beancount_journal import BeancountExporter
from .ledger_journal import LedgerExporter
from .ofx_statement import OfxExporter

__all__ = ["BeancountExporter", "LedgerExporter", "OfxExporter"]


@hookimpl
def bunqtui_register_exporters() -> list[type]:
    return [BeancountExporter, LedgerExporter, OfxExporter]
