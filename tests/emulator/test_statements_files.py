"""Statement exports (`…/customer-statement`): the emulator makes real files from the account's
payments in the range, read back here by an MT940 parser (mt-940), Python's csv module and a
PDF parser (pypdf); and a client has to poll until the export is DONE."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import mt940
import pypdf


def _bank(demo) -> tuple[str, list[dict]]:
    bank = demo.accounts("monetary-account-bank")[0]
    base = f"/user/{demo.user_id}/monetary-account/{bank['id']}"
    payments = [i["Payment"] for i in demo.get(f"{base}/payment?count=200").items]
    return base, payments


def _day(payment: dict) -> date:
    return datetime.fromisoformat(payment["created"]).date()


def _export(demo, base: str, body: dict) -> bytes:
    made = demo.post(f"{base}/customer-statement", body)
    assert made.status == 200, made.body
    statement_id = made.only("Id")["id"]
    path = f"{base}/customer-statement/{statement_id}"
    assert demo.get(f"{path}/content").status == 400  # not ready yet
    assert demo.get(path).only("CustomerStatement")["status"] == "PENDING"
    assert demo.get(path).only("CustomerStatement")["status"] == "DONE"
    content = demo.get(f"{path}/content")
    assert content.status == 200  # and its signature was verified by the test client
    return content.body


def _range(payments: list[dict]) -> tuple[date, date, list[dict]]:
    days = sorted({_day(p) for p in payments})
    start, end = days[len(days) // 4], days[3 * len(days) // 4]
    inside = [p for p in payments if start <= _day(p) <= end]
    return start, end, sorted(inside, key=lambda p: p["id"])


def test_mt940_reads_back_with_the_same_bookings_and_balances(demo) -> None:
    base, payments = _bank(demo)
    start, end, inside = _range(payments)
    body = {"statement_format": "MT940", "date_start": str(start), "date_end": str(end)}
    parsed = mt940.models.Transactions()
    parsed.parse(_export(demo, base, body).decode("ascii"))
    assert [t.data["bank_reference"] for t in parsed] == [str(p["id"]) for p in inside]
    assert [t.data["amount"].amount for t in parsed] == [
        Decimal(p["amount"]["value"]) for p in inside
    ]
    assert [t.data["date"] for t in parsed] == [_day(p) for p in inside]
    first, last = inside[0], inside[-1]
    opening = Decimal(first["balance_after_mutation"]["value"]) - Decimal(first["amount"]["value"])
    assert parsed.data["final_opening_balance"].amount.amount == opening
    closing = Decimal(last["balance_after_mutation"]["value"])
    assert parsed.data["final_closing_balance"].amount.amount == closing


def test_a_description_cannot_add_a_booking_to_the_mt940(demo) -> None:
    savings = demo.accounts("monetary-account-savings")[0]
    hostile = "x\r\n:61:2501010101C999999,99NTRFNONREF//1\r\n:86:free money \x1b[2J"
    bravo = {"type": "EMAIL", "value": "bravo@bunq.com"}
    sent = demo.pay(savings["id"], "1.00", bravo, description=hostile)
    assert sent.status == 200, sent.body
    base = f"/user/{demo.user_id}/monetary-account/{savings['id']}"
    today = str(_day(demo.get(f"{base}/payment/{sent.only('Id')['id']}").only("Payment")))
    body = {"statement_format": "MT940", "date_start": today, "date_end": today}
    parsed = mt940.models.Transactions()
    parsed.parse(_export(demo, base, body).decode("ascii"))
    assert [t.data["amount"].amount for t in parsed] == [Decimal("-1.00")]


def test_csv_in_both_regional_formats(demo) -> None:
    base, payments = _bank(demo)
    start, end, inside = _range(payments)
    for regional, delimiter in (("UK_US", ","), ("EUROPEAN", ";")):
        body = {
            "statement_format": "CSV",
            "date_start": str(start),
            "date_end": str(end),
            "regional_format": regional,
        }
        rows = list(
            csv.reader(io.StringIO(_export(demo, base, body).decode("utf-8")), delimiter=delimiter)
        )
        assert rows[0][:3] == ["Date", "Interest Date", "Amount"]
        amounts = [p["amount"]["value"] for p in inside]
        if regional == "EUROPEAN":
            amounts = [a.replace(".", ",") for a in amounts]
        assert [r[2] for r in rows[1:]] == amounts
        assert [r[6] for r in rows[1:]] == [p["description"] for p in inside]


def test_pdf_is_a_valid_document_with_the_bookings(demo) -> None:
    base, payments = _bank(demo)
    start, end, inside = _range(payments)
    body = {"statement_format": "PDF", "date_start": str(start), "date_end": str(end)}
    reader = pypdf.PdfReader(io.BytesIO(_export(demo, base, body)), strict=True)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert str(start) in text and str(end) in text
    for p in inside:
        assert f"{Decimal(p['amount']['value']):.2f}" in text


def test_bad_statement_requests_are_refused(demo) -> None:
    base, _ = _bank(demo)
    good = {"statement_format": "MT940", "date_start": "2025-01-01", "date_end": "2025-02-01"}
    for wrong in (
        {"statement_format": "XLS"},
        {"date_start": "01-01-2025"},
        {"date_start": "2025-03-01"},  # after the end
        {"statement_format": "CSV"},  # CSV needs a regional format
        {"regional_format": "MARTIAN"},
    ):
        assert demo.post(f"{base}/customer-statement", {**good, **wrong}).status == 400, wrong
    assert demo.get(f"{base}/customer-statement/1").status == 404
    made = demo.post(f"{base}/customer-statement", good).only("Id")["id"]
    listed = demo.get(f"{base}/customer-statement").items
    assert [i["CustomerStatement"]["id"] for i in listed] == [made]
    assert demo.delete(f"{base}/customer-statement/{made}").status == 200
    assert demo.get(f"{base}/customer-statement").items == []
