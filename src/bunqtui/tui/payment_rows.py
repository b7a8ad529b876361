"""Payments as rows for the payments table: the whole cache read a page at a time, or a list.

Keeping a Payment (with its raw JSON) per row would cost ~10 kB each; the cached source keeps
only a few pages of them, so 100,000 cached payments open in the table stay a few MB.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.cache import LRUCache

from bunqtui.core import Identity, Payment, ProfileSession
from bunqtui.tui.formatting import counterparty, local_time, money, signed_money
from bunqtui.tui.safe import untrusted

PAGE = 200
PAGES_KEPT = 4  # 800 payments in memory at most: a few screens either way


def payment_row(payment: Payment) -> tuple[str | Text, ...]:
    after = payment.balance_after
    return (
        local_time(payment.created),
        untrusted(counterparty(payment)),  # other people's text: one printable line
        untrusted(payment.description),
        signed_money(payment.amount.value, payment.amount.currency),
        money(after.value, after.currency) if after else "—",
    )


class PaymentList:
    """Rows of payments held in memory (search results)."""

    def __init__(self, payments: Sequence[Payment]) -> None:
        self.payments = list(payments)

    def __len__(self) -> int:
        return len(self.payments)

    def payment(self, index: int) -> Payment:
        return self.payments[index]

    def row(self, index: int) -> tuple[str | Text, ...]:
        return payment_row(self.payments[index])


class CachedPayments:
    """Every cached payment of one account, newest first, read from the cache on demand."""

    def __init__(self, session: ProfileSession, identity: Identity, account_id: int) -> None:
        self.session = session
        self.identity = identity
        self.account_id = account_id
        self._pages: LRUCache[int, list[Payment]] = LRUCache(PAGES_KEPT)
        self.count = 0
        self.reload()

    def reload(self) -> None:
        """The cache changed (new or older payments joined it)."""
        self._pages.clear()
        self.count = self.session.cached_payment_count(self.identity, self.account_id)

    def __len__(self) -> int:
        return self.count

    def payment(self, index: int) -> Payment:
        number = index // PAGE
        page = self._pages.get(number)
        if page is None:
            page = self._pages[number] = self.session.cached_payments(
                self.identity, self.account_id, offset=number * PAGE, limit=PAGE
            )
        return page[index - number * PAGE]

    def row(self, index: int) -> tuple[str | Text, ...]:
        return payment_row(self.payment(index))

    def ids(self) -> list[int]:
        """Every id in order (reads the whole cache: for tests and checks)."""
        return [self.payment(i).id for i in range(self.count)]
