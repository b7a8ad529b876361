"""Which cached payments of an account a query selects: one rule for every reader of them.

``bunqtui payments --search/--since`` prints them, the payments screen's filter shows them and
its export writes them: all three go through :class:`PaymentQuery`, so they agree on what
matches and in which order (newest first: by time when searching, as a search orders its
matches; by id otherwise, the order bunq lists payments in).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bunqtui.core.query import PaymentFilter, Sql
from bunqtui.store.cache import time_key


@dataclass(frozen=True)
class PaymentQuery:
    """``search`` in the filter language of :mod:`bunqtui.core.query`; ``since`` an aware time
    (payments made at or after it)."""

    search: PaymentFilter = field(default_factory=PaymentFilter)
    since: dt.datetime | None = None

    @classmethod
    def parse(cls, search: str | None = None, since: dt.datetime | None = None) -> PaymentQuery:
        """QueryError (a ConfigError and a ValueError) for a malformed ``search``."""
        return cls(PaymentFilter.parse(search) if search else PaymentFilter(), since)

    @property
    def by_time(self) -> bool:
        """Matches are ordered by when they were made (a search), else by id."""
        return bool(self.search)

    def sql(self) -> Sql:
        """The query as one condition over the cache's search columns."""
        where, params = self.search.sql()
        if self.since is not None:
            where = f"({where}) AND created IS NOT NULL AND created >= ?"
            params = (*params, time_key(self.since))
        return where, params


__all__ = ["PaymentQuery"]
