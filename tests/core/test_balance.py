"""core.balance through ProfileSession against the emulator: when the cache is behind an
account's balance (and only then) the sparkline's payments are refreshed; a Sugar Daddy top-up
is asked for, then watched until the money arrives — or given up on."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from bunqtui.api.models import Amount, MonetaryAccount
from bunqtui.core import Workspace
from bunqtui.core.balance import cache_behind
from bunqtui.emulator.config import EmulatorConfig
from bunqtui.emulator.server import EmulatorServer

ACCOUNTS_ROUTE = "GET /v1/user/{id}/monetary-account"
PAYMENT_ROUTE = "GET /v1/user/{id}/monetary-account/{id}/payment"


@pytest.fixture(autouse=True)
def _home(bunqtui_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BUNQTUI_RATE_LIMIT", "off")
    return bunqtui_home


@pytest.fixture
def slow_sugar_daddy() -> Iterator[EmulatorServer]:
    """An emulator whose Sugar Daddy pays only after an hour: the money never arrives here."""
    config = EmulatorConfig(seed=1, rate_limit=False, sugar_daddy_delay=3600.0)
    with EmulatorServer(config=config) as server:
        yield server


def _route(emulator: Any, route: str) -> int:
    response = httpx.get(f"{emulator.root_url}/_emulator/stats", timeout=10)
    return int(response.json()["by_route"].get(route, 0))


async def _profile(emulator: Any, payments: int = 5) -> Workspace:
    response = httpx.post(
        f"{emulator.root_url}/_emulator/users",
        json={"accounts": 1, "payments": payments},
        timeout=10,
    )
    ws = Workspace.load()
    await ws.setup_profile(
        "me",
        "api-key",
        base_url=emulator.base_url,
        options={"api_key": response.json()["api_key"]},
    )
    return ws


def _account(balance: str | None) -> MonetaryAccount:
    amount = Amount(Decimal(balance), "EUR") if balance is not None else None
    return MonetaryAccount("MonetaryAccountBank", 1, balance=amount)


def test_the_staleness_rule() -> None:
    assert cache_behind(Decimal("10.00"), _account("12.00"))
    assert not cache_behind(Decimal("12.00"), _account("12.00"))
    # nothing says it is behind: no balance after the newest payment, no balance
    assert not cache_behind(None, _account("12.00"))
    assert not cache_behind(Decimal("10.00"), _account(None))


async def test_recent_balances_refresh_only_when_the_cache_is_behind(emulator: Any) -> None:
    ws = await _profile(emulator, payments=30)
    async with ws.open() as session:
        me = (await session.identities())[0]
        account = (await session.accounts(me))[0]
        start = _route(emulator, PAYMENT_ROUTE)
        first = await session.recent_balances(me, account, 10)  # nothing cached: one page
        assert len(first) == 10 and _route(emulator, PAYMENT_ROUTE) == start + 1
        assert first[-1] == account.balance.value  # oldest first: it ends at the balance
        assert await session.recent_balances(me, account, 10) == first  # in step: no request
        assert _route(emulator, PAYMENT_ROUTE) == start + 1
        await session.top_up(me, account.id, Decimal("3.21"))  # money moves, the cache not
        moved = next(a for a in await session.accounts(me) if a.id == account.id)
        behind = await session.recent_balances(me, moved, 10)  # behind: one refresh
        assert _route(emulator, PAYMENT_ROUTE) == start + 2
        assert behind[-1] == moved.balance.value and behind[:-1] == first[1:]


async def test_a_top_up_is_watched_until_the_money_arrives(emulator: Any) -> None:
    ws = await _profile(emulator)
    async with ws.open() as session:
        me = (await session.identities())[0]
        account = (await session.accounts(me))[0]
        before = account.balance.value if account.balance else Decimal(0)
        heard: list[str] = []
        watch = await session.top_up_and_watch(
            me, account, Decimal("42.50"), asked=lambda: heard.append("asked")
        )
        assert heard == ["asked"]
        assert watch.arrived == Decimal("42.50")
        assert watch.account is not None and watch.account.balance is not None
        assert watch.account.balance.value == before + Decimal("42.50")
        # what the screen shows is bunq's list, which is the cached one too
        assert watch.accounts == session.cached_accounts(me)


async def test_a_top_up_that_does_not_arrive_is_given_up(slow_sugar_daddy: Any) -> None:
    ws = await _profile(slow_sugar_daddy)
    async with ws.open() as session:
        me = (await session.identities())[0]
        account = (await session.accounts(me))[0]
        start = _route(slow_sugar_daddy, ACCOUNTS_ROUTE)
        watch = await session.top_up_and_watch(me, account, Decimal("5.00"), polls=3, interval=0)
        assert watch.arrived is None and watch.looks == 3
        assert watch.account is not None and watch.account.balance == account.balance
        # one look at the balance before asking, then the three polls: no more
        assert _route(slow_sugar_daddy, ACCOUNTS_ROUTE) == start + 1 + 3
