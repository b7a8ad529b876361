"""The payment filter language shared by the TUI's / and search."""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bunqtui.api.models import Amount, LabelMonetaryAccount, Payment
from bunqtui.core.query import PaymentFilter, QueryError
from bunqtui.store.cache import TIME_FORMAT


def payment(value: str, description: str = "", name: str = "", iban: str = "") -> Payment:
    return Payment(
        id=1,
        created=None,
        amount=Amount(Decimal(value), "EUR"),
        description=description,
        alias=LabelMonetaryAccount("NL00BUNQ0000000001", "Me Myself"),
        counterparty_alias=LabelMonetaryAccount(iban or None, name or None),
    )


COFFEE = payment("-3.50", "Flat white", "Bagels & Beans", "NL12BUNQ2025000001")
SALARY = payment("2500.00", "Salary November", "Acme B.V.")


@pytest.mark.parametrize(
    ("query", "coffee", "salary"),
    [
        ("", True, True),
        ("flat", True, False),
        ('"bagels & beans"', True, False),
        ("nl12bunq", True, False),
        ("3.50", True, False),
        ("3,50", True, False),
        (">100", False, True),
        ("<0", True, False),
        ("<=-3.5", True, False),
        ("1..5", True, False),
        ("2000..3000", False, True),
        ("salary >1000", False, True),
        ("salary <0", False, False),
        ("myself", False, False),  # our own alias matches nothing
    ],
)
def test_terms(query: str, coffee: bool, salary: bool) -> None:
    check = PaymentFilter.parse(query)
    assert (check.matches(COFFEE), check.matches(SALARY)) == (coffee, salary)


@pytest.mark.parametrize(("query", "hint"), [('"open', "quote"), (">abc", "comparison")])
def test_malformed_terms_say_what_to_write(query: str, hint: str) -> None:
    with pytest.raises(ValueError, match=hint):
        PaymentFilter.parse(query)


def _search_table() -> sqlite3.Connection:
    """The cache's search columns, with a payment at each end of what an amount can be."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE payment_search (created TEXT, cents INTEGER, haystack TEXT)")
    db.executemany(
        "INSERT INTO payment_search VALUES (?, ?, ?)",
        [
            ("2026-01-02 03:04:05.000000", -350, "flat white"),
            ("1901-01-01 00:00:00.000000", 10**17, "big"),
            (None, -(10**17), "old"),
        ],
    )
    return db


SEARCH = _search_table()


def count(check: PaymentFilter) -> int:
    """How many rows of SEARCH the filter's SQL finds (its where is ours, its values bound)."""
    where, params = check.sql()
    query = f"SELECT count(*) FROM payment_search WHERE {where}"  # noqa: S608
    return int(SEARCH.execute(query, params).fetchone()[0])


# words of the filter language, so generated queries reach amounts, ranges and dates
term = st.one_of(
    st.text(max_size=12),
    st.from_regex(r"(>=|<=|>|<|=)?[-+]?[0-9]{1,30}([.,][0-9]{1,30})?", fullmatch=True),
    st.from_regex(r"[-+]?[0-9]{1,30}\.\.[-+]?[0-9]{1,30}", fullmatch=True),
    st.from_regex(
        r"((since|until):)?[0-9]{4}-[0-9]{2}-[0-9]{2}(\.\.[0-9]{4}-[0-9]{2}-[0-9]{2})?",
        fullmatch=True,
    ),
)


@given(st.one_of(st.text(max_size=40), st.lists(term, max_size=4).map(" ".join)))
def test_any_text_parses_or_raises_the_parsers_own_error(text: str) -> None:
    """Any input: a filter that runs in memory and in SQLite, or a QueryError; never another
    exception (an OverflowError binding a huge amount, a date out of range)."""
    try:
        check = PaymentFilter.parse(text)
    except QueryError:
        return
    check.matches(COFFEE)
    count(check)


@pytest.mark.parametrize(
    "query",
    [">99999999999999999999999", "<=-1e3", "1..99999999999999999999", ">1000000000000000.01"],
)
def test_an_amount_too_large_is_the_parsers_error(query: str) -> None:
    with pytest.raises(QueryError):
        PaymentFilter.parse(query)


def test_a_long_number_is_still_searched_as_text() -> None:
    reference = "123456789012345678901234"
    check = PaymentFilter.parse(reference)
    assert check.matches(payment("-1.00", f"ref {reference}"))
    assert count(check) == 0


def test_dates_before_1000_compare_like_the_cache_stores_them() -> None:
    """The SQL bound must sort like the cache's text times: "0500-…" (not strftime's "500-…",
    which sorts after "2026-…" and found nothing)."""
    assert count(PaymentFilter.parse("since:0500-01-01")) == 2  # both dated payments
    when = dt.datetime(2026, 3, 4, 5, 6, 7, 89)
    from bunqtui.core.query import _sql_time

    assert _sql_time(when) == when.strftime(TIME_FORMAT)
