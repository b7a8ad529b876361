"""Where the money went: money in, money out and net per currency, from cached payments.

Pure functions over payments the cache already holds (no request), for the accounts screen's
"this month" lines, the payments screen's count and sum of a filter, and the CLI alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from bunqtui.api.models import Payment

if TYPE_CHECKING:
    from bunqtui.core.opened import Identity
    from bunqtui.core.session import ProfileSession


@dataclass
class Flows:
    """Money in (positive amounts) and out (negative) in one currency."""

    money_in: Decimal = Decimal(0)
    money_out: Decimal = Decimal(0)  # negative or zero
    count: int = 0

    @property
    def net(self) -> Decimal:
        return self.money_in + self.money_out

    def add(self, amount: Decimal) -> None:
        self.count += 1
        if amount >= 0:
            self.money_in += amount
        else:
            self.money_out += amount


@dataclass
class Overview:
    """Flows per currency (bunq accounts may hold other currencies than EUR)."""

    by_currency: dict[str, Flows] = field(default_factory=dict)
    # the cache does not reach back to the period's start: these are the payments since this
    # moment only (the oldest cached), and the period's true totals may be larger
    partial_since: dt.datetime | None = None

    @property
    def count(self) -> int:
        return sum(f.count for f in self.by_currency.values())

    def add(self, payment: Payment) -> None:
        self.add_amount(payment.amount.currency or "", payment.amount.value)

    def add_amount(self, currency: str, value: Decimal) -> None:
        self.by_currency.setdefault(currency, Flows()).add(value)

    def merge(self, other: Overview) -> None:
        for currency, flows in other.by_currency.items():
            mine = self.by_currency.setdefault(currency, Flows())
            mine.money_in += flows.money_in
            mine.money_out += flows.money_out
            mine.count += flows.count
        # a total is as partial as its latest-starting part
        later = other.partial_since
        if later is not None and (self.partial_since is None or later > self.partial_since):
            self.partial_since = later


def month_start(now: dt.datetime) -> dt.datetime:
    """The first moment of ``now``'s month in the machine's local time, as an aware datetime."""
    local = now.astimezone()
    # a naive local midnight, then its own offset: across a DST change the 1st's offset is not
    # today's (replace() would keep today's and move the boundary by an hour)
    return dt.datetime(local.year, local.month, 1).astimezone()


def flows(payments: Iterable[Payment]) -> Overview:
    """Every payment counted (a filter's matches: "257 · −1,492.10 EUR")."""
    overview = Overview()
    for payment in payments:
        overview.add(payment)
    return overview


def month_flows(
    session: ProfileSession, identity: Identity, account_ids: Iterable[int], now: dt.datetime
) -> dict[int, Overview | None]:
    """This month's money in, out and net per account, from the cache's columns (no request,
    no stored JSON parsed). ``None`` for an account with nothing cached at all, so a front end
    can tell "nothing cached" from "nothing this month"; ``partial_since`` set when the cached
    payments stop after the month began and the account's history goes back further."""
    since = month_start(now)
    found: dict[int, Overview | None] = {}
    for account_id in account_ids:
        status = session.sync_status(identity, account_id)
        if status.last_synced is None:  # never fetched: nothing is known
            found[account_id] = None
            continue
        overview = Overview()
        for row in session.cached_payment_rows(identity, account_id, since=since):
            overview.add_amount(row.currency, Decimal(row.amount_value))
        oldest = status.oldest_created
        if not status.complete and oldest is not None and oldest > since:
            overview.partial_since = oldest
        found[account_id] = overview
    return found
