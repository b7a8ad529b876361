"""A beancount journal: one transaction per payment, bunq's id as metadata.

The first line, ``plugin "beancount.plugins.auto_accounts"``, opens the accounts it uses, so the
file loads on its own and two exports concatenated still do. beancount ignores ``plugin`` lines
in an ``include``d file, so included into a main ledger, that ledger's own ``open`` directives
apply, as usual.

Payee and narration are other people's text, written as beancount strings: ``\\`` and ``"`` are
escaped, and a line break or tab becomes beancount's own ``\\n``/``\\r``/``\\t`` escape, so the
loader reads the exact text back and nothing can end the string and add a posting or a
directive. What a terminal would act on (ESC, BEL, C1 controls, bidi overrides; beancount has
no escape for them and would keep them raw) is written out as ``printable`` writes it:
the loader reads ``\\x1b`` as those four characters, never the control character itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TextIO

from bunqtui.api.models import Payment
from bunqtui.plugins.exporter import Exporter, PaymentRow
from bunqtui.untrusted import printable

from .entries import Entry, Skipped, batches

HEADER = (
    "; bunq payments exported by bunqtui: one transaction per payment, newest first.\n"
    "; bunq_id is bunq's payment id: the same payment always has the same one.\n"
    'plugin "beancount.plugins.auto_accounts"\n'
)
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
# what must not reach the file raw: the string's own delimiters, line breaks, and what
# bunqtui.untrusted.printable writes out (C0/C1 controls, DEL, bidi controls, separators,
# lone surrogates)
_SPECIAL = re.compile(
    '[\\\\"\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]'
)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    # printable gives "\x1b"; its backslash is escaped in turn, so it reads back as written
    return _ESCAPES.get(char) or "\\" + printable(char, one_line=False)


def string(text: str | None) -> str:
    """``text`` as a beancount string literal."""
    return '"' + _SPECIAL.sub(_escape, text or "") + '"'


def transaction(e: Entry) -> str:
    strings = string(e.narration)
    if e.payee is not None:  # with two strings, the first is the payee
        strings = f"{string(e.payee)} {strings}"
    return (
        f"{e.date.isoformat()} * {strings}\n"
        f'  bunq_id: "{e.id}"\n'
        f'  bunq_created: "{e.created.isoformat()}"\n'
        f"  {e.account}  {e.amount} {e.currency}\n"
        f"  {e.counter}  {e.negated} {e.currency}\n"
    )


def item(e: Entry | Skipped) -> str:
    if isinstance(e, Skipped):
        return f"; bunq payment {e.id} skipped: {e.reason}\n"
    return transaction(e)


class BeancountExporter(Exporter):
    name = "beancount"
    title = "beancount journal (one transaction per payment)"
    suffix = ".beancount"

    def write(self, payments: Iterable[PaymentRow | Payment], stream: TextIO) -> None:
        stream.write(HEADER)
        for chunk in batches(payments):
            stream.write("".join("\n" + item(e) for e in chunk))
