"""Payments streamed from the cache's columns: the same bytes as the old full-load export, a
schema-2 cache migrated in place, and memory that does not grow with the number of payments."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import tracemalloc
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hostile
from bunqtui.api.models import Payment
from bunqtui.cli.payment_output import Reread, print_payments
from bunqtui.core.query import haystack
from bunqtui.plugins.exporters import BATCH, CsvExporter, JsonExporter
from bunqtui.store.cache import SCHEMA_VERSION, Cache
from bunqtui.store.rows import PaymentRow
from bunqtui.untrusted import csv_cell
from old_export import old_csv, old_json, old_record, old_table


def exported(exporter: Any, rows: Iterable[Any]) -> str:
    out = io.StringIO()
    exporter.write(rows, out)
    return out.getvalue()


# --- payments ------------------------------------------------------------------------------


def raw(pid: int, description: str | None, name: str | None, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": pid,
        "created": f"2026-01-{1 + pid % 28:02d} 03:04:{pid % 60:02d}.{pid % 7:06d}",
        "amount": {"value": f"{(-1) ** pid * (pid * 37 % 99999) / 100:.2f}", "currency": "EUR"},
        "description": description,
        "type": "BUNQ",
        "sub_type": "PAYMENT",
        "counterparty_alias": {"iban": f"NL{pid % 97:02d}BUNQ0123456789", "display_name": name},
        "balance_after_mutation": {"value": "-10.00", "currency": "EUR"},
        "monetary_account_id": 7,
    }
    data.update(extra)
    return data


HOSTILE = [
    Payment.from_json(raw(500 - i, text, hostile.HOSTILE_NAME))
    for i, text in enumerate(hostile.HOSTILE.values())
] + [
    Payment.from_json(raw(10, "@SUM(A1)", "=cmd|' /C calc'!A0")),
    # what bunq may leave out: no counterparty, balance, sub-type or account; a time without
    # microseconds; an amount with more decimals and a sign
    Payment.from_json(
        {
            "id": 9,
            "created": "2026-02-03 04:05:06",
            "amount": {"value": "+1.005", "currency": "\u202eRUE"},
            "description": None,
        }
    ),
    Payment.from_json(raw(8, "", "", balance_after_mutation=None, monetary_account_id=None)),
]


@pytest.fixture
def cache(tmp_path: Path) -> Iterable[Cache]:
    c = Cache(tmp_path / "cache" / "p.sqlite3", haystack)
    yield c
    c.close()


def test_streamed_exports_are_the_bytes_of_the_old_full_load(cache: Cache) -> None:
    assert cache.store_page("self:1", 7, HOSTILE, lo=0, hi=None)
    loaded = cache.payments("self:1", 7, limit=10_000)  # the old way: every row's JSON parsed
    assert len(loaded) == len(HOSTILE)
    rows = list(cache.payment_rows("self:1", 7))
    assert [r.id for r in rows] == [p.id for p in loaded]
    assert exported(JsonExporter(), iter(rows)) == old_json(loaded)
    assert exported(CsvExporter(), iter(rows)) == old_csv(loaded)
    # and from Payment objects, as before
    assert exported(JsonExporter(), loaded) == old_json(loaded)
    assert exported(CsvExporter(), loaded) == old_csv(loaded)
    assert exported(JsonExporter(), []) == old_json([])
    assert exported(CsvExporter(), []) == old_csv([])


_text = st.one_of(st.none(), st.text(max_size=30), st.sampled_from(list(hostile.HOSTILE.values())))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 2**63 - 1), _text, _text, st.integers(-(10**9), 10**9)),
        max_size=5,
        unique_by=lambda t: t[0],
    )
)
def test_any_payment_exports_as_before(items: list[tuple[int, Any, Any, int]]) -> None:
    payments = []
    for pid, description, name, cents in items:
        data = raw(pid, description, name)
        data["amount"]["value"] = f"{cents / 100:.2f}"
        payments.append(Payment.from_json(data))
    rows = [PaymentRow.of(p) for p in payments]
    assert exported(JsonExporter(), rows) == old_json(payments)
    assert exported(CsvExporter(), rows) == old_csv(payments)
    assert json.loads(exported(JsonExporter(), rows)) == [old_record(p) for p in payments]


def test_a_row_reads_like_the_payment_it_came_from() -> None:
    for p in HOSTILE:
        row = PaymentRow.of(p)
        assert row.id == p.id and row.created == p.created and row.description == p.description
        assert row.amount.value == p.amount.value.quantize(row.amount.value)  # to the cent
        assert row.amount.currency == p.amount.currency
        assert (row.balance_after is None) == (p.balance_after is None)
        other = p.counterparty_alias
        if other is not None and (other.display_name, other.iban) != (None, None):
            assert row.counterparty_alias is not None
            assert row.counterparty_alias.display_name == other.display_name
            assert row.counterparty_alias.iban == other.iban


def test_the_documented_third_party_exporter_works_on_streamed_rows(cache: Cache) -> None:
    """docs/plugins.md's BudgetCsv, written against Payment, gets rows from the cache."""

    def budget(payments: Iterable[Any], stream: io.StringIO) -> None:
        rows = csv.writer(stream, lineterminator="\r\n")
        for p in payments:
            rows.writerow([p.id, p.amount.value, csv_cell(p.description)])

    cache.store_page("self:1", 7, HOSTILE, lo=0, hi=None)
    loaded, streamed = io.StringIO(), io.StringIO()
    budget(cache.payments("self:1", 7, limit=1000), loaded)
    budget(cache.payment_rows("self:1", 7), streamed)
    assert streamed.getvalue() == loaded.getvalue().replace("1.005", "1.00")  # to the cent


# --- migration -----------------------------------------------------------------------------

V2_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS account_lists (
    identity TEXT PRIMARY KEY,
    fetched_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS accounts (
    identity TEXT NOT NULL,
    id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    raw TEXT NOT NULL,
    PRIMARY KEY (identity, id)
);
CREATE TABLE IF NOT EXISTS payments (
    pk INTEGER PRIMARY KEY,
    identity TEXT NOT NULL,
    account_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    raw TEXT NOT NULL,
    UNIQUE (identity, account_id, id)
);
-- the searched columns apart from the ~2 kB of JSON per payment: a search scans ~10 MB per
-- 100,000 payments instead of ~200 MB (same pk as payments)
CREATE TABLE IF NOT EXISTS payment_search (
    pk INTEGER PRIMARY KEY,
    identity TEXT NOT NULL,
    account_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    created TEXT,
    cents INTEGER NOT NULL,
    haystack TEXT NOT NULL
);
-- every search column in the order of the results (newest first): a search walks this index
-- backwards and stops at its limit (a common word: ~1 ms instead of a scan and a sort of all
-- 100,000), and a date range seeks into it; a word found nowhere still reads all of it once
CREATE INDEX IF NOT EXISTS payment_search_newest
    ON payment_search (created, id, cents, haystack, identity, account_id);
-- identities forgotten for good (disconnected users: local ids are never reused)
CREATE TABLE IF NOT EXISTS forgotten (identity TEXT PRIMARY KEY, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS segments (
    identity TEXT NOT NULL,
    account_id INTEGER NOT NULL,
    covered_lo INTEGER NOT NULL,  -- 0: the account's oldest payment is cached
    covered_hi INTEGER,           -- NULL: nothing covered yet at the top (empty account)
    count INTEGER NOT NULL,       -- payments cached (kept here: COUNT(*) grows with the cache)
    last_synced TEXT NOT NULL,
    PRIMARY KEY (identity, account_id)
);
"""


def v2_cache(path: Path, payments: list[Payment], *, damage: bool = False) -> None:
    """A cache file as schema 2 wrote it (no record columns)."""
    db = sqlite3.connect(path)
    db.executescript(V2_SCHEMA)
    for pk, p in enumerate(payments, start=1):
        text = json.dumps(p.raw) if not (damage and pk == 2) else '{"id": "x"}'
        db.execute("INSERT INTO payments VALUES (?, 'self:1', 7, ?, ?)", (pk, p.id, text))
        db.execute(
            "INSERT INTO payment_search VALUES (?, 'self:1', 7, ?, NULL, 0, ?)",
            (pk, p.id, haystack(p)),
        )
    db.execute(
        "INSERT INTO segments VALUES ('self:1', 7, 0, ?, ?, '2026-01-01 00:00:00.000000')",
        (max(p.id for p in payments), len(payments)),
    )
    db.execute("PRAGMA user_version=2")
    db.commit()
    db.close()


def test_a_schema_2_cache_is_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    v2_cache(path, HOSTILE)
    cache = Cache(path, haystack)
    rows = list(cache.payment_rows("self:1", 7))
    newest_first = sorted(HOSTILE, key=lambda p: -p.id)
    assert rows == [PaymentRow.of(p) for p in newest_first]  # no payment lost, none fetched
    assert cache.payment_count("self:1", 7) == len(HOSTILE) and cache.notices == []
    assert cache.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
    assert exported(JsonExporter(), rows) == old_json(cache.payments("self:1", 7, limit=999))
    cache.close()
    again = Cache(path, haystack)  # opening it again changes nothing
    assert list(again.payment_rows("self:1", 7)) == rows
    again.close()


def test_a_damaged_schema_2_cache_is_set_aside_and_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    v2_cache(path, HOSTILE[:3], damage=True)
    cache = Cache(path, haystack)
    assert list(cache.payment_rows("self:1", 7)) == []
    assert len(cache.notices) == 1 and "damaged" in cache.notices[0]
    assert path.with_name("c.sqlite3.damaged").exists()
    cache.close()


# --- bounded memory ------------------------------------------------------------------------

MANY = 20_000


@pytest.fixture
def big(cache: Cache) -> Cache:
    template = Payment.from_json(raw(1, "Albert Heijn 1234 AMSTERDAM NLD", "Albert Heijn"))
    page = [replace(template, id=i) for i in range(MANY, 0, -1)]
    assert cache.store_page("self:1", 7, page, lo=0, hi=None)
    return cache


class Sink:
    """A stream that keeps nothing, counting writes and characters."""

    def __init__(self) -> None:
        self.writes = 0
        self.chars = 0

    def write(self, text: str) -> int:
        self.writes += 1
        self.chars += len(text)
        return len(text)

    def isatty(self) -> bool:
        return False


def peak_bytes(run: Any) -> int:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# the old code held all 20,000 payments (and the whole text): ~100 MB here; one batch is ~1 MB
BOUND = 8 * 2**20


@pytest.mark.parametrize("exporter", [CsvExporter, JsonExporter])
def test_an_export_holds_one_batch_whatever_the_count(big: Cache, exporter: Any) -> None:
    sink = Sink()
    peak = peak_bytes(lambda: exporter().write(big.payment_rows("self:1", 7), sink))
    assert sink.writes <= MANY // BATCH + 2  # one write per batch, not per token
    assert sink.chars > MANY * 100  # everything was written
    assert peak < BOUND, f"{peak / 2**20:.1f} MiB"


def test_the_table_streams_too(big: Cache) -> None:
    sink = Sink()
    rows = Reread(lambda: big.payment_rows("self:1", 7))
    peak = peak_bytes(lambda: print_payments(rows, "table", sink))
    assert sink.writes <= MANY // BATCH + 2 and sink.chars > MANY * 50
    assert peak < BOUND, f"{peak / 2**20:.1f} MiB"


@pytest.mark.parametrize(
    "payments",
    [
        HOSTILE,
        [],
        # every name and description a number: the old table right-aligned those columns
        [Payment.from_json(raw(i, str(i * 7), f"{i}.5")) for i in (3, 200, 41)],
    ],
    ids=["hostile", "empty", "numbers"],
)
def test_the_streamed_table_is_the_old_table(
    cache: Cache, payments: list[Payment], capsys: pytest.CaptureFixture[str]
) -> None:
    cache.store_page("self:1", 7, payments, lo=0, hi=None)
    loaded = cache.payments("self:1", 7, limit=1000)
    out = io.StringIO()
    print_payments(Reread(lambda: cache.payment_rows("self:1", 7)), "table", out)
    assert out.getvalue() == old_table(loaded, capsys)
    out = io.StringIO()
    print_payments(loaded, "table", out)  # --limit: the payments just fetched
    assert out.getvalue() == old_table(loaded, capsys)
