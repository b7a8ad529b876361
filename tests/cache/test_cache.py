"""The SQLite cache on its own: exact round trips, private files, gap-free merging of pages,
and the SQL search agreeing with the in-memory filter."""

from __future__ import annotations

import datetime as dt
import json
import stat
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bunqtui.api.models import MonetaryAccount, Payment
from bunqtui.core.query import PaymentFilter, QueryError, haystack
from bunqtui.store.cache import Cache

BASE = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
NAMES = ["Albert Heijn", "Bagels & Beans", "Acme B.V.", "NS Reizen", "Café Zürich"]


def raw_payment(pid: int, cents: int, *, days: int = 0, name: str = "Acme B.V.") -> dict:
    created = (BASE + dt.timedelta(days=days, minutes=pid % 600)).strftime("%Y-%m-%d %H:%M:%S.%f")
    return {
        "id": pid,
        "created": created,
        "updated": created,
        "monetary_account_id": 7,
        "amount": {"currency": "EUR", "value": f"{Decimal(cents) / 100:.2f}"},
        "alias": {"iban": "NL00BUNQ0000000007", "display_name": "Me Myself"},
        "counterparty_alias": {
            "iban": f"NL{pid % 97:02d}BUNQ20250{pid:05d}",
            "display_name": name,
            "label_user": {"display_name": name},
        },
        "description": f"payment {pid} to {name}",
        "type": "BUNQ",
        "sub_type": "PAYMENT",
        "unknown_future_field": [1, {"x": None}],
    }


def payments(ids: range | list[int]) -> list[Payment]:
    return [
        Payment.from_json(raw_payment(i, (-1) ** i * (i * 37 % 5000), days=i % 400)) for i in ids
    ]


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    c = Cache(tmp_path / "cache" / "p.sqlite3", haystack)
    yield c
    c.close()


def test_rows_round_trip_exactly_and_files_are_private(cache: Cache, tmp_path: Path) -> None:
    page = payments(range(10, 0, -1))
    assert cache.store_page("self:1", 7, page, lo=0, hi=None)
    again = cache.payments("self:1", 7)
    assert again == page and [p.raw for p in again] == [p.raw for p in page]
    account = MonetaryAccount.from_json(
        {
            "id": 7,
            "description": "Main",
            "balance": {"value": "1.50", "currency": "EUR"},
            "alias": [{"type": "IBAN", "value": "NL00BUNQ0000000007", "name": "Me"}],
        },
        "MonetaryAccountSavings",
    )
    assert cache.accounts("self:1") is None  # never fetched ≠ no accounts
    cache.put_accounts("self:1", [account])
    (cached,) = cache.accounts("self:1") or []
    assert cached == account and cached.kind == "MonetaryAccountSavings"
    assert cached.raw == account.raw
    cache.put_accounts("self:2", [])
    assert cache.accounts("self:2") == []
    assert stat.S_IMODE(cache.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.path.parent.stat().st_mode) == 0o700
    for extra in cache.path.parent.glob("p.sqlite3-*"):
        assert stat.S_IMODE(extra.stat().st_mode) == 0o600


def test_pages_merge_only_without_gaps(cache: Cache) -> None:
    # newest page: ids 200..101, bunq says there is older
    assert cache.store_page("k", 1, payments(range(200, 100, -1)), lo=101, hi=None)
    seg = cache.segment("k", 1)
    assert seg and (seg.count, seg.covered_lo, seg.covered_hi, seg.complete) == (
        100,
        101,
        200,
        False,
    )
    # a page that ends below id 50 leaves ids 51..100 unknown: refused, nothing stored
    assert not cache.store_page("k", 1, payments(range(40, 30, -1)), lo=31, hi=49)
    assert cache.payment_count("k", 1) == 100
    # a top page reaching down only to id 260 leaves 201..259 unknown: refused as well
    assert not cache.store_page("k", 1, payments(range(300, 259, -1)), lo=260, hi=None)
    assert cache.payment_count("k", 1) == 100
    # older_id=101 → every id ≤ 100: touches the covered range
    assert cache.store_page("k", 1, payments(range(100, 50, -1)), lo=51, hi=100)
    # a newer_id=200 page overlapping nothing twice: no duplicates
    assert cache.store_page("k", 1, payments(range(230, 195, -1)), lo=196, hi=None)
    assert cache.payment_count("k", 1) == 180
    # the last page reaches the oldest payment
    assert cache.store_page("k", 1, payments(range(50, 0, -1)), lo=0, hi=50)
    seg = cache.segment("k", 1)
    assert seg and seg.complete and (seg.oldest_id, seg.newest_id, seg.count) == (1, 230, 230)
    ids = [p.id for p in cache.payments("k", 1, limit=1000)]
    assert ids == list(range(230, 0, -1))
    assert [p.id for p in cache.payments("k", 1, offset=10, limit=3)] == [220, 219, 218]
    # other accounts and identities are separate
    assert cache.payment_count("k", 2) == 0 and cache.segment("other", 1) is None


def test_forget_removes_only_that_identity(cache: Cache) -> None:
    cache.store_page("user:1", 1, payments(range(5, 0, -1)), lo=0, hi=None)
    cache.put_accounts("user:1", [])
    cache.store_page("self:9", 1, payments(range(5, 0, -1)), lo=0, hi=None)
    cache.forget("user:1")
    assert cache.accounts("user:1") is None and cache.segment("user:1", 1) is None
    assert cache.payment_count("user:1", 1) == 0
    assert cache.payment_count("self:9", 1) == 5 and cache.identities() == ["self:9"]


def test_a_cache_file_from_another_schema_version_is_rebuilt(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "c.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE payments (junk TEXT)")
    db.execute("PRAGMA user_version=99")
    db.commit()
    db.close()
    cache = Cache(path, haystack)
    assert cache.store_page("k", 1, payments([3, 2, 1]), lo=0, hi=None)
    assert cache.payment_count("k", 1) == 3
    cache.close()


# --- search: SQL and the in-memory filter agree -------------------------------------------------

CORPUS = [
    Payment.from_json(raw_payment(i, c, days=d, name=n))
    for i, (c, d, n) in enumerate(
        [
            (-350, 0, "Bagels & Beans"),
            (250000, 10, "Acme B.V."),
            (-1250, 31, "Albert Heijn"),
            (-1250, 45, "NS Reizen"),
            (-99, 59, "Café Zürich"),
            (2000, 90, "Albert Heijn"),
            (-500000, 120, "Acme B.V."),
            (1, 200, "NS Reizen"),
        ],
        start=1,
    )
]


@pytest.fixture
def searchable(cache: Cache) -> Cache:
    cache.store_page("self:1", 7, sorted(CORPUS, key=lambda p: -p.id), lo=0, hi=None)
    return cache


def search_ids(cache: Cache, query: str, **kw: object) -> list[int]:
    where, params = PaymentFilter.parse(query).sql()
    return [p.id for p in cache.search(where, params, **kw)]  # type: ignore[arg-type]


def memory_ids(query: str) -> list[int]:
    check = PaymentFilter.parse(query)
    found = [p for p in CORPUS if check.matches(p)]
    return [p.id for p in sorted(found, key=lambda p: (p.created, p.id), reverse=True)]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "albert",
        "ALBERT heijn",
        '"bagels & beans"',
        "zürich",
        "12.50",
        "12,5",
        ">100",
        "<0",
        "<=-12.5",
        ">=-12.505",
        ">-12.505",
        "<-12.495",
        "=20",
        "10..30",
        "0.005..0.02",
        "2026-01-11",
        "2026-02-01..2026-03-01",
        "2026-03-01..2026-02-01",
        "since:2026-03-01",
        "until:2026-02-15",
        "since:2026-02-01 until:2026-03-31 <0",
        "acme since:2026-04-01",
        "nothing-matches",
    ],
)
def test_sql_search_matches_the_in_memory_filter(searchable: Cache, query: str) -> None:
    assert search_ids(searchable, query) == memory_ids(query)


def test_search_is_scoped_and_limited(searchable: Cache) -> None:
    assert search_ids(searchable, "", limit=3) == memory_ids("")[:3]
    assert search_ids(searchable, "", identity="self:1", account_id=7) == memory_ids("")
    assert search_ids(searchable, "", identity="self:2") == []
    assert search_ids(searchable, "", account_id=8) == []


@pytest.mark.parametrize(
    ("query", "scope"),
    [
        ("albert", {}),
        ("<0 since:2026-02-01", {}),
        ("acme", {"identity": "self:1", "account_id": 7}),
    ],
)
def test_search_walks_the_covering_index_newest_first(
    searchable: Cache, query: str, scope: dict[str, object]
) -> None:
    """No scan of the table and no sort: the search stops once it has its limit."""
    statements: list[str] = []
    searchable.db.set_trace_callback(statements.append)
    search_ids(searchable, query, **scope)
    searchable.db.set_trace_callback(None)
    (sql,) = [s for s in statements if "FROM payment_search" in s]  # with its values bound
    plan = " | ".join(row[3] for row in searchable.db.execute("EXPLAIN QUERY PLAN " + sql))
    assert "USING COVERING INDEX payment_search_newest" in plan
    assert "TEMP B-TREE" not in plan  # i.e. no ORDER BY sort


def test_an_older_cache_file_gets_the_search_index(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    cache = Cache(path, haystack)
    cache.store_page("self:1", 7, sorted(CORPUS, key=lambda p: -p.id), lo=0, hi=None)
    cache.db.execute("DROP INDEX payment_search_newest")  # as written before the index existed
    cache.close()
    again = Cache(path, haystack)
    names = {r[0] for r in again.db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert "payment_search_newest" in names
    assert search_ids(again, "albert") == memory_ids("albert")
    again.close()


def test_date_terms() -> None:
    assert PaymentFilter.parse("2026-01-01..2026-02-01")
    for bad in ("since:2026-13-01", "2026-02-30", "until:soon"):
        with pytest.raises(QueryError, match="YYYY-MM-DD"):
            PaymentFilter.parse(bad)
    with pytest.raises(QueryError, match="out of range"):
        PaymentFilter.parse("until:9999-12-31")
    day = CORPUS[0].created
    assert day is not None
    local = day.astimezone().date().isoformat()
    assert PaymentFilter.parse(local).matches(CORPUS[0])


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="0123456789.,<>=-:abcsinutl ", max_size=24))
def test_random_queries_agree_or_raise_query_error(text: str) -> None:
    import tempfile

    try:
        check = PaymentFilter.parse(text)
    except QueryError:
        return
    with tempfile.TemporaryDirectory() as tmp:
        c = Cache(Path(tmp) / "c.sqlite3", haystack)
        c.store_page("self:1", 7, sorted(CORPUS, key=lambda p: -p.id), lo=0, hi=None)
        where, params = check.sql()
        got = {p.id for p in c.search(where, params)}
        c.close()
    assert got == {p.id for p in CORPUS if check.matches(p)}


def test_raw_is_kept_as_json_text(cache: Cache) -> None:
    cache.store_page("k", 1, payments([1]), lo=0, hi=None)
    (raw,) = cache.db.execute("SELECT raw FROM payments").fetchone()
    assert json.loads(raw)["unknown_future_field"] == [1, {"x": None}]
