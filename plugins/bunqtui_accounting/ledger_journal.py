"""A ledger journal that hledger reads too: one transaction per payment, bunq's id as its code
and as a tag.

The subset both accept (checked with ledger 3.3 and hledger 1.25)::

    2026-01-02 * (123) Anna Visser | groceries
        ; bunq_id: 123
        ; bunq_created: 2026-01-02T03:04:05.000006+00:00
        Assets:Bunq:7  -12.50 EUR
        Expenses:Unknown  12.50 EUR

hledger splits the description at its first ``|`` into payee and note; ledger takes it whole
as the payee. Neither format has escapes, so other people's text (payee, description) goes on
the header line only, made safe rather than exact: ``printable`` writes control characters out
and turns line breaks and tabs into spaces (no text can start a new line: a posting or a
directive), ``;`` becomes ``,`` (hledger ends a description at any ``;``, ledger at ``  ;``:
the rest would be a comment, whose ``name: value`` pairs are tags, so a description could
forge a ``bunq_id``), and a ``|`` in the payee becomes ``/``. Nothing outside goes into a
comment. ledger refuses lines over 4,095 bytes: a longer header line is cut, ending in ``…``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from bunqtui.api.models import Payment
from bunqtui.plugins.exporter import Exporter, PaymentRow
from bunqtui.untrusted import printable

from .entries import Entry, Skipped, batches

HEADER = (
    "; bunq payments exported by bunqtui: one transaction per payment, newest first.\n"
    "; The code in parentheses and the bunq_id tag are bunq's payment id.\n"
)
LINE_BYTES = 4000  # ledger's limit is 4,095 bytes a line (its error: "Line exceeds 4096")
ELLIPSIS = "…"


def text(value: str | None) -> str:
    """Outside text for the header line: one line, no control characters, no ``;``."""
    return printable(value).replace(";", ",").strip()


def description(e: Entry) -> str:
    narration = text(e.narration)
    if e.payee is None:  # hledger: payee = note = the whole description
        return narration.replace("|", "/")
    return f"{text(e.payee).replace('|', '/')} | {narration}".strip()


def header_line(e: Entry) -> str:
    line = f"{e.date.isoformat()} * ({e.id}) {description(e)}".rstrip()
    data = line.encode("utf-8")
    if len(data) > LINE_BYTES:  # cut on a character boundary
        cut = LINE_BYTES - len(ELLIPSIS.encode())
        line = data[:cut].decode("utf-8", "ignore").rstrip() + ELLIPSIS
    return line


def transaction(e: Entry) -> str:
    return (
        f"{header_line(e)}\n"
        f"    ; bunq_id: {e.id}\n"
        f"    ; bunq_created: {e.created.isoformat()}\n"
        f"    {e.account}  {e.amount} {e.currency}\n"
        f"    {e.counter}  {e.negated} {e.currency}\n"
    )


def item(e: Entry | Skipped) -> str:
    if isinstance(e, Skipped):
        return f"; bunq payment {e.id} skipped: {e.reason}\n"
    return transaction(e)


class LedgerExporter(Exporter):
    name = "ledger"
    title = "ledger / hledger journal (one transaction per payment)"
    suffix = ".ledger"

    def write(self, payments: Iterable[PaymentRow | Payment], stream: TextIO) -> None:
        stream.write(HEADER)
        for chunk in batches(payments):
            stream.write("".join("\n" + item(e) for e in chunk))
