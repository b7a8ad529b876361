"""The files of a statement export, made from an account's payments in a date range: MT940
(SWIFT's customer statement), CSV (bunq's columns, in either regional format) and PDF (a
minimal PDF 1.4 with one text table). Pure functions: payments in, bytes out.

Descriptions and names are other people's text. In MT940 they are reduced to SWIFT's character
set and no line can start a tag (":61:" in a description would add a booking), so the file a
parser reads has exactly the bookings made. The CSV keeps bunq's text as bunq would (the client
writes it to a file and never shows it); the PDF escapes what would end a PDF string.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .state import Account, Payment

# SWIFT's "x" character set, less ":" (no line of a free text may look like a tag)
_SWIFT = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-?().,'+ ")
CSV_COLUMNS = ("Date", "Interest Date", "Amount", "Account", "Counterparty", "Name", "Description")
PDF_LINES_PER_PAGE = 48


@dataclass(frozen=True)
class Statement:
    """What every format shows: the bookings of the range and the balances around them."""

    account: Account
    owner_name: str
    start: date
    end: date
    number: int
    reference: str
    opening: Decimal
    closing: Decimal
    payments: list[Payment]  # oldest first


def statement(
    account: Account, owner_name: str, start: date, end: date, number: int, reference: str
) -> Statement:
    """The payments booked from ``start`` to ``end`` (both included, UTC dates)."""
    booked = [p for p in account.payments if start <= p.created.date() <= end]
    later = sum((p.amount for p in account.payments if p.created.date() > end), Decimal("0"))
    closing = account.balance - later
    opening = closing - sum((p.amount for p in booked), Decimal("0"))
    return Statement(account, owner_name, start, end, number, reference, opening, closing, booked)


# --- MT940 ------------------------------------------------------------------------------------


def _swift(text: str, limit: int) -> str:
    cleaned = "".join(c if c in _SWIFT else "." for c in " ".join(text.split()))
    return cleaned[:limit].strip()


def _mt_amount(value: Decimal) -> str:
    return f"{abs(value):.2f}".replace(".", ",")


def _mt_balance(tag: str, when: date, value: Decimal, currency: str) -> str:
    mark = "D" if value < 0 else "C"
    return f":{tag}:{mark}{when:%y%m%d}{currency}{_mt_amount(value)}"


def _wrapped(text: str, width: int = 65, lines: int = 6) -> list[str]:
    return [text[i : i + width] for i in range(0, min(len(text), width * lines), width)] or [""]


def mt940(s: Statement) -> bytes:
    currency = s.account.currency
    lines = [
        f":20:{s.reference[:16]}",
        f":25:{s.account.iban} {currency}",
        f":28C:{s.number % 100_000}/1",
        _mt_balance("60F", s.start, s.opening, currency),
    ]
    for p in s.payments:
        mark = "D" if p.amount < 0 else "C"
        day = p.created.date()
        lines.append(f":61:{day:%y%m%d}{day:%m%d}{mark}{_mt_amount(p.amount)}NTRFNONREF//{p.id}")
        text = _swift(f"{p.counterparty.iban} {p.counterparty.name} {p.description}", 390)
        body = _wrapped(text)
        lines.append(f":86:{body[0]}")
        lines.extend(body[1:])
    lines.append(_mt_balance("62F", s.end, s.closing, currency))
    lines.append(_mt_balance("64", s.end, s.closing, currency))
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


# --- CSV --------------------------------------------------------------------------------------


def csv_file(s: Statement, regional_format: str) -> bytes:
    """UK_US: comma-separated, decimal point; EUROPEAN: semicolon-separated, decimal comma."""
    european = regional_format == "EUROPEAN"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if european else ",", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for p in s.payments:
        value = f"{p.amount:.2f}"
        day = p.created.date().isoformat()
        writer.writerow(
            [
                day,
                day,
                value.replace(".", ",") if european else value,
                s.account.iban,
                p.counterparty.iban,
                p.counterparty.name,
                p.description,
            ]
        )
    return out.getvalue().encode("utf-8")


# --- PDF --------------------------------------------------------------------------------------


def _pdf_text(text: str) -> str:
    """A PDF literal string's inside: Latin-1 only (the font's encoding), no line breaks,
    and the three characters that would end or escape it written out."""
    flat = " ".join(text.split()).encode("latin-1", "replace").decode("latin-1")
    return flat.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _table_lines(s: Statement) -> list[str]:
    head = [
        f"bunq statement {s.number} - {s.account.description} - {s.owner_name}",
        f"{s.account.iban}  {s.start.isoformat()} to {s.end.isoformat()}",
        f"Opening balance: {s.opening:.2f} {s.account.currency}",
        "",
        "Date        Amount       Counterparty / Description",
    ]
    rows = [
        f"{p.created.date().isoformat()}  {p.amount:>11.2f}  "
        f"{p.counterparty.name[:40]} / {p.description[:60]}"
        for p in s.payments
    ]
    tail = ["", f"Closing balance: {s.closing:.2f} {s.account.currency}"]
    return head + rows + tail


def pdf(s: Statement) -> bytes:
    """A PDF 1.4 file: catalog, page tree, one Courier font and one page per 48 lines."""
    lines = _table_lines(s)
    pages = [
        lines[i : i + PDF_LINES_PER_PAGE] for i in range(0, len(lines), PDF_LINES_PER_PAGE)
    ] or [[]]
    objects: list[bytes] = []  # object n is objects[n - 1]
    first_page = 4
    kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>")
    for i, page in enumerate(pages):
        content_ref = first_page + 2 * i + 1
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {content_ref} 0 R >>".encode()
        )
        text = "".join(f"({_pdf_text(line)}) Tj T*\n" for line in page)
        stream = f"BT /F1 9 Tf 11 TL 40 800 Td\n{text}ET".encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
