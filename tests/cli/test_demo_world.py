"""`bunqtui --demo`'s world: its history ends when the demo starts (not on the seed's fixed
day, which grows older every day), so balances, "this month" and the chart look like today's
bank; everything else is the seeded world."""

from __future__ import annotations

import datetime as dt

from bunqtui.cli.demo import demo_world
from bunqtui.core.oneshot import OneShotSession


def test_the_demo_history_ends_now() -> None:
    started = dt.datetime.now(dt.UTC)
    with demo_world() as (workspace, info), OneShotSession.open(workspace, "demo") as session:
        me = session.identity(None)
        accounts = session.accounts(me)
        main = next(a for a in accounts if a.description == "Main account")
        newest = session.payments(me, main.id, count=1).items[0]
    assert info.user_name
    assert newest.created is not None
    # 2,400 payments over 800 days: the newest is within a day of the start, never after it
    assert started - dt.timedelta(days=1) < newest.created <= started
