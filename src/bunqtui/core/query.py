"""The payments filter: words match counterparty, description or IBAN; numbers match amounts.

Syntax (all terms must match):

- ``coffee``, ``"albert heijn"``: text, case-insensitive
- ``12.50``: an amount of exactly 12.50 in or out (or that text)
- ``>100``, ``<-50``, ``>=10``, ``<=0``: the signed amount compared (money out is negative)
- ``10..20``: the size of the amount (in or out) between 10 and 20, inclusive
- ``2026-01-31``: made on that day; ``2026-01-01..2026-01-31``: on those days, inclusive;
  ``since:2026-01-01``, ``until:2026-03-31``: on or after / on or before that day
  (calendar days in local time; bunq's timestamps are UTC)

``PaymentFilter.matches`` filters payments in memory; ``PaymentFilter.sql`` is the same filter
as a condition over the cache's search columns (``bunqtui.store.cache``), so a search of the
cache and the in-memory filter agree.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any

from bunqtui.api.models import Payment
from bunqtui.core.errors import ConfigError

_COMPARE = re.compile(r"^(>=|<=|>|<|=)\s*([-+]?\d+(?:[.,]\d+)?)$")
_RANGE = re.compile(r"^([-+]?\d+(?:[.,]\d+)?)\.\.([-+]?\d+(?:[.,]\d+)?)$")
_NUMBER = re.compile(r"^[-+]?\d+(?:[.,]\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
_OPS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    ">": operator.gt,
    "<": operator.lt,
    ">=": operator.ge,
    "<=": operator.le,
    "=": operator.eq,
}


class QueryError(ConfigError, ValueError):
    """A malformed filter; the message says what to write instead."""


# Larger than any amount bunq books, and its cents still fit SQLite's signed 64-bit integers
# (with room for abs()): a bound beyond it would overflow when bound into the cache's query.
MAX_AMOUNT = Decimal(10) ** 15


Test = Callable[[Payment, str], bool]  # (payment, its haystack)
Sql = tuple[str, tuple[Any, ...]]  # a condition over the cache's search columns, and its args
_NEVER: Sql = ("0", ())


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise QueryError(f"not an amount: {text!r}") from None


def _bound(text: str, word: str) -> Decimal:
    """An amount a comparison or range is made of; too large to be one is an error."""
    value = _decimal(text)
    if abs(value) > MAX_AMOUNT:
        raise QueryError(f"{word!r}: amounts go up to {MAX_AMOUNT:,.0f} (in or out)")
    return value


def haystack(payment: Payment) -> str:
    """The text a filter word is looked up in (also stored in the cache for SQL search)."""
    parts = [payment.description or ""]
    label = payment.counterparty_alias  # not our own alias: it would match every payment
    if label is not None:
        parts += [label.display_name or "", label.iban or ""]
    parts.append(payment.type or "")
    return " ".join(parts).casefold()


def _date(text: str, word: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise QueryError(f"{word!r}: write dates as YYYY-MM-DD, like 2026-01-31") from None


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight of a local calendar day, as an aware UTC time (bunq's timestamps are UTC)."""
    return dt.datetime.combine(day, dt.time()).astimezone().astimezone(dt.UTC)


def _between(low: dt.date | None, high: dt.date | None) -> tuple[Test, Sql]:
    """Payments made on the local days low..high, inclusive (either end open)."""
    try:
        start = _day_start(low) if low else None
        end = _day_start(high + dt.timedelta(days=1)) if high else None
    except (OverflowError, ValueError):
        raise QueryError("a date is out of range: use one between 1900 and 9998") from None

    def test(p: Payment, _: str) -> bool:
        if p.created is None:
            return False
        return (start is None or p.created >= start) and (end is None or p.created < end)

    clauses, args = ["created IS NOT NULL"], []
    if start is not None:
        clauses.append("created >= ?")
        args.append(_sql_time(start))
    if end is not None:
        clauses.append("created < ?")
        args.append(_sql_time(end))
    return test, (" AND ".join(clauses), tuple(args))


def _sql_time(when: dt.datetime) -> str:
    """``when`` as the cache stores times (store.cache.TIME_FORMAT), with a four-digit year even
    before 1000 (strftime's %Y writes "500", which sorts after "2026")."""
    return when.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _cents_bound(value: Decimal, op: str, column: str = "cents") -> Sql:
    """``cents OP value*100`` with integers only (never floats for money)."""
    scaled = value.scaleb(2)
    if scaled == scaled.to_integral_value():
        return f"{column} {op} ?", (int(scaled),)
    down, up = (
        int(scaled.to_integral_value(ROUND_FLOOR)),
        int(scaled.to_integral_value(ROUND_CEILING)),
    )
    if op == "=":
        return _NEVER
    # between two whole cents: > and <= look at the cent below, >= and < at the one above
    return f"{column} {op} ?", (down if op in (">", "<=") else up,)


def _text(needle: str) -> tuple[Test, Sql]:
    return (lambda _, text: needle in text), ("instr(haystack, ?) > 0", (needle,))


def _term(word: str) -> tuple[Test, Sql]:
    compare = _COMPARE.match(word)
    if compare:
        sign, limit = compare.group(1), _bound(compare.group(2), word)
        op = _OPS[sign]
        return (lambda p, _: op(p.amount.value, limit)), _cents_bound(limit, sign)
    between = _RANGE.match(word)
    if between:
        low, high = sorted((_bound(between.group(1), word), _bound(between.group(2), word)))
        low_sql, low_args = _cents_bound(low, ">=", "abs(cents)")
        high_sql, high_args = _cents_bound(high, "<=", "abs(cents)")
        sql = f"{low_sql} AND {high_sql}"
        return (lambda p, _: low <= abs(p.amount.value) <= high), (sql, low_args + high_args)
    if _NUMBER.match(word):
        exact = abs(_decimal(word))
        needle = word.casefold()
        if exact > MAX_AMOUNT:  # a long reference or account number: text only
            return _text(needle)
        amount_sql, amount_args = _cents_bound(exact, "=", "abs(cents)")
        return (
            lambda p, text: abs(p.amount.value) == exact or needle in text,
            (
                f"{amount_sql} OR instr(haystack, ?) > 0",
                (*amount_args, needle),
            ),
        )
    dates = _DATE_RANGE.match(word)
    if dates:
        first, last = sorted((_date(dates.group(1), word), _date(dates.group(2), word)))
        return _between(first, last)
    if _DATE.match(word):
        day = _date(word, word)
        return _between(day, day)
    key, colon, value = word.partition(":")
    if colon and key.casefold() in ("since", "until") and value:
        day = _date(value, word)
        return _between(day, None) if key.casefold() == "since" else _between(None, day)
    if word[:1] in "<>=":
        raise QueryError(f"{word!r}: write a comparison like >100 or <=-20.50")
    return _text(word.casefold())


@dataclass(frozen=True)
class PaymentFilter:
    text: str = ""
    tests: tuple[Test, ...] = field(default=(), compare=False, repr=False)
    clauses: tuple[Sql, ...] = field(default=(), compare=False, repr=False)

    @classmethod
    def parse(cls, text: str) -> PaymentFilter:
        """ValueError (with what to write instead) for a malformed term."""
        try:
            terms = [_term(w) for w in shlex.split(text) if w]
        except QueryError:
            raise
        except ValueError as exc:  # shlex: an open quote
            message = str(exc) if "quot" not in str(exc) else "a quote is not closed"
            raise QueryError(message) from None
        return cls(text.strip(), tuple(t for t, _ in terms), tuple(q for _, q in terms))

    def __bool__(self) -> bool:
        return bool(self.tests)

    def matches(self, payment: Payment) -> bool:
        if not self.tests:
            return True
        text = haystack(payment)
        return all(test(payment, text) for test in self.tests)

    def sql(self) -> Sql:
        """The filter as one SQL condition over the cache's columns (``1`` matches all)."""
        if not self.clauses:
            return "1", ()
        where = " AND ".join(f"({c})" for c, _ in self.clauses)
        return where, tuple(a for _, args in self.clauses for a in args)
