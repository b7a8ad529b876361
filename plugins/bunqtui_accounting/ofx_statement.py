"""An OFX 2.2 statement (XML), as GnuCash, KMyMoney and most budgeting tools import it.

One ``STMTRS`` per bunq account and currency, one ``STMTTRN`` per payment; ``FITID`` is bunq's
payment id, the key OFX importers use to skip a transaction they already have. OFX puts the
statement's period and currency before its transactions, so each statement's transactions are
spooled to a temporary file (memory-bounded) and copied out after the last payment. The export's
time (``DTSERVER``) is the newest payment's, so a re-export of the same payments is the same file.

Other people's text goes into ``NAME`` (OFX allows 32 characters) and ``MEMO`` (255), cut to
those lengths, with control characters written out (``printable``: XML 1.0 cannot hold them,
even as references) and ``&``, ``<`` and ``>`` as entities.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, TextIO
from xml.sax.saxutils import escape

from bunqtui.api.models import Payment
from bunqtui.plugins.exporter import Exporter, PaymentRow
from bunqtui.untrusted import printable

from .entries import Entry, Skipped, batches

BANK_ID = "BUNQNL2A"  # bunq's BIC
NAME_LENGTH = 32
MEMO_LENGTH = 255
SPOOL_BYTES = 1 << 20  # per statement, then the spool moves to disk
_NOT_XML = re.compile("[\ufffe\uffff]")  # not XML characters, and printable keeps them

HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
    '<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>\n'
    "<OFX>\n<SIGNONMSGSRSV1>\n<SONRS>\n"
    "<STATUS>\n<CODE>0</CODE>\n<SEVERITY>INFO</SEVERITY>\n</STATUS>\n"
    "<DTSERVER>{}</DTSERVER>\n<LANGUAGE>ENG</LANGUAGE>\n"
    "</SONRS>\n</SIGNONMSGSRSV1>\n<BANKMSGSRSV1>\n"
)
TAIL = "</BANKMSGSRSV1>\n</OFX>\n"


def _spool() -> IO[str]:
    """Text kept in memory up to ``SPOOL_BYTES``, then in a private temporary file."""
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+", encoding="utf-8")


def ofx_time(when: dt.datetime) -> str:
    """OFX's ``YYYYMMDDHHMMSS.XXX[0:GMT]`` in UTC (to the millisecond: OFX has no finer)."""
    utc = when.astimezone(dt.UTC)
    return f"{utc:%Y%m%d%H%M%S}.{utc.microsecond // 1000:03d}[0:GMT]"


def ofx_text(value: str | None, length: int) -> str:
    shown = _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", printable(value)).strip()
    return escape(shown[:length].rstrip())


def transaction(e: Entry) -> str:
    name, memo = ofx_text(e.payee, NAME_LENGTH), ofx_text(e.narration, MEMO_LENGTH)
    return (
        "<STMTTRN>\n"
        f"<TRNTYPE>{'DEBIT' if e.amount.startswith('-') else 'CREDIT'}</TRNTYPE>\n"
        f"<DTPOSTED>{ofx_time(e.created)}</DTPOSTED>\n"
        f"<TRNAMT>{e.amount}</TRNAMT>\n"
        f"<FITID>{e.id}</FITID>\n"
        + (f"<NAME>{name}</NAME>\n" if name else "")
        + (f"<MEMO>{memo}</MEMO>\n" if memo else "")
        + "</STMTTRN>\n"
    )


@dataclass
class Statement:
    """One account's transactions so far, spooled; newest first, so the first is the end."""

    account_id: int | None
    currency: str
    newest: Entry
    oldest: Entry
    balance: str | None  # after the newest payment
    spool: IO[str] = field(default_factory=_spool)

    def add(self, e: Entry) -> None:
        if e.created > self.newest.created:
            self.newest, self.balance = e, e.balance
        self.oldest = min(self.oldest, e, key=lambda x: x.created)

    def write(self, stream: TextIO) -> None:
        account = "" if self.account_id is None else str(self.account_id)
        stream.write(
            "<STMTTRNRS>\n<TRNUID>0</TRNUID>\n"
            "<STATUS>\n<CODE>0</CODE>\n<SEVERITY>INFO</SEVERITY>\n</STATUS>\n"
            f"<STMTRS>\n<CURDEF>{self.currency}</CURDEF>\n"
            f"<BANKACCTFROM>\n<BANKID>{BANK_ID}</BANKID>\n<ACCTID>{account or 'unknown'}</ACCTID>\n"
            "<ACCTTYPE>CHECKING</ACCTTYPE>\n</BANKACCTFROM>\n"
            f"<BANKTRANLIST>\n<DTSTART>{ofx_time(self.oldest.created)}</DTSTART>\n"
            f"<DTEND>{ofx_time(self.newest.created)}</DTEND>\n"
        )
        self.spool.seek(0)
        shutil.copyfileobj(self.spool, stream)
        stream.write(
            "</BANKTRANLIST>\n"
            f"<LEDGERBAL>\n<BALAMT>{self.balance or '0.00'}</BALAMT>\n"
            f"<DTASOF>{ofx_time(self.newest.created)}</DTASOF>\n</LEDGERBAL>\n"
            "</STMTRS>\n</STMTTRNRS>\n"
        )


class OfxExporter(Exporter):
    name = "ofx"
    title = "OFX 2.2 statement (GnuCash, KMyMoney, budgeting apps)"
    suffix = ".ofx"

    def write(self, payments: Iterable[PaymentRow | Payment], stream: TextIO) -> None:
        statements: dict[tuple[int | None, str], Statement] = {}
        skipped = _spool()  # OFX has no place for them: XML comments, at the end
        try:
            for chunk in batches(payments):
                for e in chunk:
                    if isinstance(e, Skipped):
                        skipped.write(f"<!-- bunq payment {e.id} skipped: {e.reason} -->\n")
                        continue
                    key = (e.account_id, e.currency)
                    statement = statements.get(key)
                    if statement is None:
                        statement = statements[key] = Statement(
                            e.account_id, e.currency, e, e, e.balance
                        )
                    else:
                        statement.add(e)
                    statement.spool.write(transaction(e))
            newest = max((s.newest.created for s in statements.values()), default=None)
            stream.write(HEAD.format(ofx_time(newest or dt.datetime.now(dt.UTC))))
            for key in sorted(statements, key=lambda k: (k[0] is None, k[0] or 0, k[1])):
                statements[key].write(stream)
            skipped.seek(0)
            shutil.copyfileobj(skipped, stream)
            stream.write(TAIL)
        finally:
            skipped.close()
            for statement in statements.values():
                statement.spool.close()
