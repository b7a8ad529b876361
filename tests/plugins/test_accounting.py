"""The accounting exporters (plugins/bunqtui_accounting): each file read back by its format's
own parser (beancount's loader, hledger, ledger, ofxtools) with the same transactions, amounts,
dates, payees and ids; the hostile corpus and crafted break-out attempts cannot add a posting,
a directive or a tag; a re-export writes the same bytes and a second import is found by id."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess
import time
import tracemalloc
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from beancount.core.data import Transaction
from ofxtools.Parser import OFXTree

import hostile
from bunqtui.api.models import Payment
from bunqtui.plugins.exporter import Exporter, PaymentRow
from bunqtui.untrusted import printable
from bunqtui_accounting import BeancountExporter, LedgerExporter, OfxExporter
from bunqtui_accounting.ledger_journal import LINE_BYTES

# break-out attempts: end the string or the line, then add a posting, a directive or a tag
BREAKOUTS = [
    'x" "y"\n  Assets:Evil  100 EUR\n  Income:Evil  -100 EUR',
    'end\\"\n2020-01-01 open Assets:Evil\n"',
    "trailing backslash \\",
    '\\"',
    "before ; bunq_id: 999",
    "  ; bunq_id: 999\n    Assets:Evil  5 EUR",
    "payee | note | more",
    "\r\n2020-01-01 * (999) forged\n    Assets:Evil  1 EUR\n    Income:Evil  -1 EUR\n",
    "\u2028\x85\x0b\x0cseparators\ufffe",
    "",
]
TEXTS = [*hostile.HOSTILE.values(), *BREAKOUTS]
# 23:30 UTC is the next day in Amsterdam: the journal shows the day the app shows
CREATED = "2026-01-01 23:30:00.123456"
LOCAL_DATE = dt.date(2026, 1, 2)


def _payment(pid: int, value: str, description: str | None, name: str | None) -> Payment:
    alias = {"iban": "NL00BUNQ0123456789", "display_name": name} if name is not None else None
    return Payment.from_json(
        {
            "id": pid,
            "created": CREATED,
            "amount": {"value": value, "currency": "EUR"},
            "description": description,
            "type": "BUNQ",
            "counterparty_alias": alias,
            "balance_after_mutation": {"value": "-10.00", "currency": "EUR"},
            "monetary_account_id": 7,
        }
    )


PAYMENTS = [
    _payment(1000 - i, "-1.25" if i % 2 else "2.50", text, TEXTS[-1 - i])
    for i, text in enumerate(TEXTS)
] + [
    _payment(10, "-0.01", "no counterparty", None),
    _payment(9, "1234567.89", None, "Sugar Daddy"),
]


@pytest.fixture(autouse=True)
def amsterdam(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Europe/Amsterdam")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def export(exporter: type[Exporter], payments: list[Payment] | list[object] = PAYMENTS) -> str:
    out = io.StringIO(newline="")
    exporter().write(iter(payments), out)  # an iterator: read once, as the cache hands them
    return out.getvalue()


def beancount_text(text: str | None) -> str:
    """What beancount reads back: exact, but for what a terminal acts on, written out."""
    return "".join(c if c in "\n\r\t" else printable(c, one_line=False) for c in text or "")


def ledger_text(text: str | None) -> str:
    return printable(text).replace(";", ",").strip()


def test_every_journal_holds_no_raw_control_character() -> None:
    for exporter in (BeancountExporter, LedgerExporter, OfxExporter):
        text = export(exporter)
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", text)
        assert "\r" not in text and "\u2028" not in text, exporter.name


# --- beancount ---------------------------------------------------------------------------------


def load_beancount(text: str) -> list[Transaction]:
    entries, errors, _ = loader.load_string(text)
    assert errors == [], [e.message for e in errors]
    return [e for e in entries if isinstance(e, Transaction)]


def test_beancount_round_trips_through_its_loader() -> None:
    loaded = load_beancount(export(BeancountExporter))
    assert len(loaded) == len(PAYMENTS)  # no break-out added or split a transaction
    by_id = {t.meta["bunq_id"]: t for t in loaded}
    for p in PAYMENTS:
        t = by_id[str(p.id)]
        assert t.date == LOCAL_DATE and t.flag == "*"
        assert t.meta["bunq_created"] == "2026-01-01T23:30:00.123456+00:00"
        # no forged key (beancount adds its own __tolerances__)
        assert set(t.meta) - {"__tolerances__"} == {"filename", "lineno", "bunq_id", "bunq_created"}
        name = p.counterparty_alias.display_name if p.counterparty_alias else None
        assert t.payee == (beancount_text(name) if name is not None else None)
        assert t.narration == beancount_text(p.description)
        counter = "Expenses:Unknown" if p.amount.value < 0 else "Income:Unknown"
        assert [(x.account, x.units.number, x.units.currency) for x in t.postings] == [
            ("Assets:Bunq:7", p.amount.value, "EUR"),
            (counter, -p.amount.value, "EUR"),
        ]
        assert t.tags == frozenset() and t.links == frozenset()
    # text without controls comes back exactly, quotes, backslashes and line breaks too
    narrations = {t.narration for t in loaded}
    assert {BREAKOUTS[0], BREAKOUTS[1], BREAKOUTS[2], BREAKOUTS[6]} <= narrations


def test_beancount_duplicate_import_is_reported_by_id() -> None:
    first = export(BeancountExporter, PAYMENTS[:5])
    assert export(BeancountExporter, PAYMENTS[:5]) == first  # a re-export: the same bytes
    second = export(BeancountExporter, PAYMENTS[3:8])  # overlaps by two payments
    checked = 'plugin "bunqtui_accounting.beancount_unique"\n' + first + second
    _, errors, _ = loader.load_string(checked)
    assert sorted(m.message.split()[2] for m in errors) == sorted(str(p.id) for p in PAYMENTS[3:5])
    # without the check both copies load: the plugin is what finds them
    assert loader.load_string(first + second)[1] == []


# --- ledger / hledger ----------------------------------------------------------------------------

LEDGER_BLOCK = (
    r"\n(?P<date>\d{4}-\d\d-\d\d) \* \((?P<id>\d+)\)(?: (?P<desc>[^;\n\r\t]*[^;\s]))?\n"
    r"    ; bunq_id: (?P=id)\n"
    r"    ; bunq_created: [0-9T:.+-]+\n"
    r"    Assets:Bunq:7  (?P<amount>-?\d+\.\d\d) EUR\n"
    r"    (?:Expenses|Income):Unknown  (?P<negated>-?\d+\.\d\d) EUR\n"
)


def test_ledger_journal_keeps_to_the_subset_both_tools_read() -> None:
    """A strict grammar of what the exporter may write (it runs without hledger or ledger)."""
    text = export(LedgerExporter)
    header, _, body = text.partition("\n\n")
    assert all(line.startswith("; ") for line in header.splitlines())
    blocks = list(re.finditer(LEDGER_BLOCK, "\n" + body))
    assert "".join(m.group() for m in blocks) == "\n" + body  # nothing outside the grammar
    assert [int(m["id"]) for m in blocks] == [p.id for p in PAYMENTS]
    for m, p in zip(blocks, PAYMENTS, strict=True):
        assert m["date"] == LOCAL_DATE.isoformat()
        assert Decimal(m["amount"]) == p.amount.value == -Decimal(m["negated"])
        assert len(m.group().splitlines()[1].encode()) <= LINE_BYTES


def expected_description(p: Payment) -> str:
    narration = ledger_text(p.description)
    if p.counterparty_alias is None:
        return narration.replace("|", "/")
    payee = ledger_text(p.counterparty_alias.display_name).replace("|", "/")
    return f"{payee} | {narration}".strip()


@pytest.mark.skipif(shutil.which("hledger") is None, reason="hledger is not installed")
def test_hledger_reads_the_same_transactions(tmp_path: Path) -> None:
    journal = tmp_path / "bunq.ledger"
    journal.write_text(export(LedgerExporter), encoding="utf-8")
    run = ["hledger", "-f", str(journal), "print", "-O", "json"]
    printed = json.loads(subprocess.run(run, capture_output=True, text=True, check=True).stdout)
    assert len(printed) == len(PAYMENTS)
    for t, p in zip(printed, PAYMENTS, strict=True):
        assert (t["tdate"], t["tcode"], t["tstatus"]) == (
            LOCAL_DATE.isoformat(),
            str(p.id),
            "Cleared",
        )
        assert dict(t["ttags"]) == {
            "bunq_id": str(p.id),
            "bunq_created": "2026-01-01T23:30:00.123456+00:00",
        }
        if len(expected_description(p).encode()) < LINE_BYTES - 40:
            assert t["tdescription"] == expected_description(p).strip()
        else:  # the 9,000 characters: cut to ledger's line limit
            assert t["tdescription"].endswith("…")
        amounts = [
            (q["paccount"], Decimal(q["pamount"][0]["aquantity"]["decimalMantissa"]).scaleb(
                -q["pamount"][0]["aquantity"]["decimalPlaces"]))
            for q in t["tpostings"]
        ]  # fmt: skip
        assert amounts[0] == ("Assets:Bunq:7", p.amount.value)
        assert amounts[1][1] == -p.amount.value and len(amounts) == 2
    accounts = subprocess.run(
        ["hledger", "-f", str(journal), "accounts"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert accounts == ["Assets:Bunq:7", "Expenses:Unknown", "Income:Unknown"]
    # a second import is found by the codes (the ids)
    journal.write_text(
        export(LedgerExporter, PAYMENTS[:4]) + export(LedgerExporter, PAYMENTS[2:6]),
        encoding="utf-8",
    )
    codes = subprocess.run(
        ["hledger", "-f", str(journal), "codes"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert sorted({c for c in codes if codes.count(c) > 1}) == sorted(
        str(p.id) for p in PAYMENTS[2:4]
    )


@pytest.mark.skipif(shutil.which("ledger") is None, reason="ledger is not installed")
def test_ledger_reads_the_same_transactions(tmp_path: Path) -> None:
    journal = tmp_path / "bunq.ledger"
    journal.write_text(export(LedgerExporter), encoding="utf-8")
    done = subprocess.run(
        ["ledger", "-f", str(journal), "xml"], capture_output=True, text=True, check=True
    )
    assert done.stderr == ""
    # ledger writes a noncharacter (U+FFFE) raw into its XML, which no XML parser takes
    xml = done.stdout.replace("\ufffe", "\\ufffe")
    xacts = ET.fromstring(xml).find("transactions")  # noqa: S314 (ledger's own output)
    assert xacts is not None and len(xacts) == len(PAYMENTS)
    for x, p in zip(xacts, PAYMENTS, strict=True):
        assert x.findtext("date") == LOCAL_DATE.strftime("%Y/%m/%d")
        assert x.findtext("code") == str(p.id)
        meta = {v.get("key"): v.findtext("string") for v in x.iter("value")}
        assert meta == {"bunq_id": str(p.id), "bunq_created": "2026-01-01T23:30:00.123456+00:00"}
        if len(expected_description(p).encode()) < LINE_BYTES - 40:
            payee = expected_description(p).replace("\ufffe", "\\ufffe")
            assert (x.findtext("payee") or "") == payee
        postings = [
            (q.findtext("account/name"), Decimal(q.findtext("post-amount/amount/quantity") or ""))
            for q in x.iter("posting")
        ]
        assert postings[0] == ("Assets:Bunq:7", p.amount.value)
        assert postings[1][1] == -p.amount.value and len(postings) == 2


# --- OFX ---------------------------------------------------------------------------------------


def ofx_text(text: str | None, length: int) -> str:
    return printable(text).strip()[:length].rstrip().replace("\ufffe", "\\ufffe")


def test_ofx_round_trips_through_ofxtools(tmp_path: Path) -> None:
    text = export(OfxExporter)
    assert export(OfxExporter) == text  # DTSERVER is the newest payment's: a re-export matches
    path = tmp_path / "bunq.ofx"
    path.write_text(text, encoding="utf-8")
    tree = OFXTree()
    tree.parse(str(path))
    (statement,) = tree.convert().statements
    assert (statement.curdef, statement.account.acctid, statement.account.bankid) == (
        "EUR",
        "7",
        "BUNQNL2A",
    )
    assert statement.balance.balamt == Decimal("-10.00")
    assert len(statement.transactions) == len(PAYMENTS)
    for t, p in zip(statement.transactions, PAYMENTS, strict=True):
        assert t.fitid == str(p.id) and t.trnamt == p.amount.value
        assert t.trntype == ("DEBIT" if p.amount.value < 0 else "CREDIT")
        assert t.dtposted == dt.datetime(2026, 1, 1, 23, 30, 0, 123000, tzinfo=dt.UTC)
        name = p.counterparty_alias.display_name if p.counterparty_alias else None
        assert (t.name or "") == ofx_text(name, 32)
        assert (t.memo or "") == ofx_text(p.description, 255)


def test_ofx_writes_one_statement_per_account() -> None:
    other = Payment.from_json({**PAYMENTS[0].raw, "id": 5, "monetary_account_id": 8})
    text = export(OfxExporter, [PAYMENTS[0], other, PAYMENTS[1]])
    tree = OFXTree()
    tree.parse(io.BytesIO(text.encode()))
    statements = tree.convert().statements
    assert [(s.account.acctid, [t.fitid for t in s.transactions]) for s in statements] == [
        ("7", [str(PAYMENTS[0].id), str(PAYMENTS[1].id)]),
        ("8", ["5"]),
    ]


# --- damaged input and streaming ---------------------------------------------------------------


def test_a_payment_without_a_number_is_named_not_dropped() -> None:
    # bunqtui.api refuses such an amount; a damaged cache row can still hold one
    broken = PaymentRow.of(PAYMENTS[0])._replace(id=77, amount_value="NaN")
    for exporter in (BeancountExporter, LedgerExporter, OfxExporter):
        text = export(exporter, [broken, PAYMENTS[1]])
        assert "bunq payment 77 skipped: no valid amount" in text, exporter.name
        assert "NaN" not in text
    assert len(load_beancount(export(BeancountExporter, [broken, PAYMENTS[1]]))) == 1


@pytest.mark.parametrize("exporter", [BeancountExporter, LedgerExporter])
def test_journals_are_written_while_the_payments_stream(exporter: type[Exporter]) -> None:
    out = io.StringIO()

    def rows() -> Iterator[Payment]:
        for i in range(2000):
            if i == 1000:  # half way: earlier batches are already in the stream
                assert out.tell() > 0
            yield _payment(10_000 - i, "-1.00", "coffee", "Bar")

    exporter().write(rows(), out)
    assert out.getvalue().count("bunq_id: ") == 2000


def test_ofx_memory_stays_bounded() -> None:
    """OFX names its period first, so transactions are spooled: not held in a list."""

    row = PaymentRow.of(_payment(1, "-1.00", "coffee " * 30, "Bar"))

    def rows(n: int) -> Iterator[PaymentRow]:
        return (row._replace(id=100_000 - i) for i in range(n))

    class Sink(io.TextIOBase):
        def write(self, s: str) -> int:
            return len(s)

    peaks = []
    for n in (1_000, 10_000):
        tracemalloc.start()
        OfxExporter().write(rows(n), Sink())
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    # ten times the payments (~4 MB of OFX) may not take ten times the memory: the spool
    # keeps 1 MB and moves to disk
    assert peaks[1] < 2.5 * 1024 * 1024, peaks
    print(f"peak {peaks[0] / 2**20:.1f} MiB for 1,000 payments, {peaks[1] / 2**20:.1f} for 10,000")
