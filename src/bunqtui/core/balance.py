"""An account's balance as the yardstick: is the cache behind it, and has awaited money arrived?

Both front ends only display what these decide: the accounts screen refreshes a sparkline's
payments when the cache is behind, and a Sugar Daddy top-up is watched here until the balance
moves (bunq accepts the request a moment after answering the POST; docs/protocol.md#sandbox).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal

from bunqtui.api.models import MonetaryAccount

TOP_UP_POLLS = 20  # looks at the balance after asking Sugar Daddy …
TOP_UP_INTERVAL = 0.5  # … this many seconds apart: ten seconds, then the user is told to refresh


def cache_behind(newest_balance: Decimal | None, account: MonetaryAccount) -> bool:
    """The balance after the cached newest payment is not the account's balance: payments are
    missing. Unknown either way (nothing cached, no balance) is not "behind": nothing says so."""
    balance = account.balance
    return newest_balance is not None and balance is not None and newest_balance != balance.value


def balance_of(account: MonetaryAccount | None) -> Decimal:
    return account.balance.value if account is not None and account.balance else Decimal(0)


@dataclass(frozen=True)
class BalanceWatch:
    """How a watch ended: ``accounts`` as bunq listed them at the last look, ``account`` the
    watched one in it, ``arrived`` how far its balance moved (None: it did not, we gave up)."""

    accounts: list[MonetaryAccount]
    account: MonetaryAccount | None
    arrived: Decimal | None
    looks: int


async def watch_balance(
    fetch: Callable[[], Awaitable[list[MonetaryAccount]]],
    account_id: int,
    before: Decimal,
    *,
    polls: int = TOP_UP_POLLS,
    interval: float = TOP_UP_INTERVAL,
) -> BalanceWatch:
    """List the accounts (``fetch``) up to ``polls`` times, ``interval`` s apart, until the
    account's balance is no longer ``before``."""
    accounts: list[MonetaryAccount] = []
    now: MonetaryAccount | None = None
    for look in range(1, polls + 1):
        accounts = await fetch()
        now = next((a for a in accounts if a.id == account_id), None)
        if now is not None and now.balance is not None and now.balance.value != before:
            return BalanceWatch(accounts, now, now.balance.value - before, look)
        if look < polls:
            await asyncio.sleep(interval)
    return BalanceWatch(accounts, now, None, polls)


__all__ = [
    "TOP_UP_INTERVAL",
    "TOP_UP_POLLS",
    "BalanceWatch",
    "balance_of",
    "cache_behind",
    "watch_balance",
]
