"""The newest payments of an account, straight from bunq: page after page until enough.

``bunqtui payments --limit N [--since DATE]`` needs only the newest few, so it walks bunq's
listing from the top (``older_id`` after the first page, 200 per request at most) instead of
syncing the history, and stops at the limit, at the cut-off time or at the oldest payment.
Each page also joins the cache when it fits there (``OneShotSession.payments``). On the
synchronous driver: no event loop is started for it.
"""

from __future__ import annotations

import datetime as dt

from bunqtui.api.models import Payment
from bunqtui.core.oneshot import OneShotSession
from bunqtui.core.opened import Identity

PAGE = 200  # bunq's largest page: the fewest requests


def latest_payments(
    session: OneShotSession,
    identity: Identity,
    account_id: int,
    *,
    limit: int,
    since: dt.datetime | None = None,
) -> list[Payment]:
    """At most ``limit`` of the account's newest payments, newest first; with ``since`` (an
    aware time) only those made at or after it. ceil(limit / 200) requests at most, fewer
    when the history or the time span runs out first."""
    found: list[Payment] = []
    older_id: int | None = None
    while len(found) < limit:
        count = min(PAGE, limit - len(found))
        page = session.payments(identity, account_id, older_id=older_id, count=count)
        for payment in page.items:
            if since is not None and payment.created is not None and payment.created < since:
                return found  # newest first: everything after this is older still
            found.append(payment)
        if page.older_id is None or not page.items:
            break
        older_id = page.older_id
    return found[:limit]


__all__ = ["PAGE", "latest_payments"]
