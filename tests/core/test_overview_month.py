"""core.overview.month_flows over a real cache: this month's in, out and net per account with
no request, and "nothing cached" (None) told apart from "nothing this month" (count 0)."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from bunqtui.core import Workspace
from bunqtui.core.overview import month_flows, month_start


@pytest.fixture(autouse=True)
def _home(bunqtui_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BUNQTUI_RATE_LIMIT", "off")
    return bunqtui_home


def _total(emulator: Any) -> int:
    return int(httpx.get(f"{emulator.root_url}/_emulator/stats", timeout=10).json()["total"])


async def test_month_flows_from_the_cache(emulator: Any) -> None:
    made = httpx.post(
        f"{emulator.root_url}/_emulator/users",
        json={"accounts": 2, "payments": 40},
        timeout=10,
    ).json()
    ws = Workspace.load()
    await ws.setup_profile(
        "me", "api-key", base_url=emulator.base_url, options={"api_key": made["api_key"]}
    )
    async with ws.open() as session:
        me = (await session.identities())[0]
        cached, cold = (await session.accounts(me))[:2]
        page = await session.payments(me, cached.id, count=200)  # joins the cache
        newest = max(p.created for p in page.items if p.created is not None)
        before = _total(emulator)

        flows = month_flows(session, me, [cached.id, cold.id], newest)
        assert flows[cold.id] is None  # nothing cached for it: not "nothing this month"
        month = flows[cached.id]
        assert month is not None
        this_month = [
            p.amount.value
            for p in page.items
            if p.created is not None and p.created >= month_start(newest)
        ]
        assert month.count == len(this_month) > 0
        eur = month.by_currency["EUR"]
        assert eur.money_in == sum((a for a in this_month if a >= 0), Decimal(0))
        assert eur.money_out == sum((a for a in this_month if a < 0), Decimal(0))

        later = month_flows(session, me, [cached.id], newest + dt.timedelta(days=70))
        quiet = later[cached.id]
        assert quiet is not None and quiet.count == 0  # cached, but nothing this month
        assert _total(emulator) == before  # from the cache only


async def test_a_month_the_cache_does_not_reach_back_into_is_partial(emulator: Any) -> None:
    made = httpx.post(
        f"{emulator.root_url}/_emulator/users",
        json={"accounts": 1, "payments": 300},
        timeout=10,
    ).json()
    ws = Workspace.load()
    await ws.setup_profile(
        "me", "api-key", base_url=emulator.base_url, options={"api_key": made["api_key"]}
    )
    async with ws.open() as session:
        me = (await session.identities())[0]
        account = (await session.accounts(me))[0]
        page = await session.payments(me, account.id, count=20)  # ~a week of 300; more exist
        oldest = min(p.created for p in page.items if p.created is not None)
        # a "now" whose month began before the oldest cached payment
        now = oldest + dt.timedelta(days=1)
        if now.astimezone().day == 1:
            now += dt.timedelta(days=1)
        month = month_flows(session, me, [account.id], now)[account.id]
        assert month is not None and month.partial_since == oldest
        assert month.count == sum(
            1 for p in page.items if p.created is not None and p.created >= month_start(now)
        )

        await session.sync_payments(me, account.id)  # the whole history: nothing is missing now
        whole = month_flows(session, me, [account.id], now)[account.id]
        assert whole is not None and whole.partial_since is None
        assert whole.count >= month.count


async def test_an_account_without_payments_is_known_and_costs_no_request(emulator: Any) -> None:
    made = httpx.post(
        f"{emulator.root_url}/_emulator/users", json={"accounts": 1, "payments": 0}, timeout=10
    ).json()
    ws = Workspace.load()
    await ws.setup_profile(
        "me", "api-key", base_url=emulator.base_url, options={"api_key": made["api_key"]}
    )
    async with ws.open() as session:
        me = (await session.identities())[0]
        account = (await session.accounts(me))[0]
        assert await session.recent_balances(me, account, 200) == []  # bunq says: none at all
        before = _total(emulator)
        for _ in range(3):  # every launch's balance line: no request while nothing moved
            assert await session.recent_balances(me, account, 200) == []
        assert _total(emulator) == before
        month = month_flows(session, me, [account.id], dt.datetime.now(dt.UTC))[account.id]
        assert month is not None and month.count == 0  # known empty, not "not cached"


@pytest.mark.parametrize(
    ("now", "start_utc"),
    [
        # Amsterdam: CET (+1) on 1 March, CEST (+2) by the 31st; CEST on 1 October, CET by the 30th
        (dt.datetime(2026, 3, 31, 12, tzinfo=dt.UTC), dt.datetime(2026, 2, 28, 23, tzinfo=dt.UTC)),
        (dt.datetime(2026, 10, 30, 12, tzinfo=dt.UTC), dt.datetime(2026, 9, 30, 22, tzinfo=dt.UTC)),
    ],
)
def test_the_month_starts_at_local_midnight_across_a_dst_change(
    monkeypatch: pytest.MonkeyPatch, now: dt.datetime, start_utc: dt.datetime
) -> None:
    monkeypatch.setenv("TZ", "Europe/Amsterdam")
    time.tzset()
    try:
        assert month_start(now) == start_utc
    finally:
        monkeypatch.undo()
        time.tzset()
