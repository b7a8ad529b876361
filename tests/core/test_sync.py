"""The cache through ProfileSession against the emulator: launch from a cache of an older run,
refresh with newer_id, full sync (and resuming it), search, and forgetting on disconnect."""

from __future__ import annotations

import asyncio
import math
import stat
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from bunqtui.core import QueryError, SyncStatus, Workspace

PAYMENT_ROUTE = "GET /v1/user/{id}/monetary-account/{id}/payment"


@pytest.fixture(autouse=True)
def _home(bunqtui_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BUNQTUI_RATE_LIMIT", "off")
    return bunqtui_home


async def control(emulator: Any, method: str, path: str, body: Any = None) -> Any:
    async with httpx.AsyncClient() as http:
        response = await http.request(method, f"{emulator.root_url}/_emulator{path}", json=body)
        response.raise_for_status()
        return response.json()


async def requests(emulator: Any) -> int:
    return (await control(emulator, "GET", "/stats"))["total"]


async def page_requests(emulator: Any) -> int:
    return (await control(emulator, "GET", "/stats"))["by_route"].get(PAYMENT_ROUTE, 0)


async def profile_for(emulator: Any, payments: int, accounts: int = 1) -> Workspace:
    """A profile whose own user has ``payments`` payments on its first account."""
    user = await control(emulator, "POST", "/users", {"accounts": accounts, "payments": payments})
    ws = Workspace.load()
    await ws.setup_profile(
        "me", "api-key", base_url=emulator.base_url, options={"api_key": user["api_key"]}
    )
    return ws


async def test_a_cache_from_an_older_run_is_shown_then_revalidated(
    emulator: Any, bunqtui_home: Path
) -> None:
    ws = await profile_for(emulator, payments=30)
    async with ws.open() as first:
        me = (await first.identities())[0]
        assert first.cached_accounts(me) is None  # never fetched
        accounts = await first.accounts(me)
        account = accounts[0]
        await first.refresh_payments(me, account.id)
        await first.top_up(me, account.id, Decimal("12.34"))  # the balance moves on
    path = ws.cache_path("me")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700

    before = await requests(emulator)
    async with Workspace.load().open("me") as again:  # the next launch
        me = (await again.identities())[0]
        cached = again.cached_accounts(me)
        assert cached == accounts and [a.raw for a in cached] == [a.raw for a in accounts]
        assert [p.id for p in again.cached_payments(me, account.id, limit=5)]
        assert await requests(emulator) == before  # the cached view cost nothing
        fresh = await again.accounts(me)  # revalidation: one request
        assert await requests(emulator) == before + 1
        assert fresh[0].balance != cached[0].balance
        assert again.cached_accounts(me) == fresh
        # and the payments: one newer_id request brings the top-up
        assert await again.refresh_payments(me, account.id) == 1
        assert await requests(emulator) == before + 2
        assert again.cached_payments(me, account.id, limit=1)[0].amount.value == Decimal("12.34")


async def test_refresh_costs_one_request(emulator: Any) -> None:
    ws = await profile_for(emulator, payments=450)
    async with ws.open() as session:
        me = (await session.identities())[0]
        account = (await session.accounts(me))[0]
        start = await page_requests(emulator)
        assert await session.refresh_payments(me, account.id) == 200  # first time: one page
        assert await page_requests(emulator) == start + 1
        status = session.sync_status(me, account.id)
        assert (status.count, status.complete) == (200, False) and status.last_synced
        assert await session.refresh_payments(me, account.id) == 0  # nothing new: 1 request
        assert await page_requests(emulator) == start + 2
        for _ in range(3):
            await session.top_up(me, account.id, Decimal("1.00"))
        assert await session.refresh_payments(me, account.id) == 3
        assert await page_requests(emulator) == start + 3
        assert session.cached_payment_count(me, account.id) == 203
        # the paging the TUI does keeps filling the cache when it joins it
        newest = session.cached_payments(me, account.id, limit=1)[0]
        page = await session.payments(me, account.id, older_id=status.oldest_id, count=50)
        assert len(page.items) == 50
        assert session.cached_payment_count(me, account.id) == 253
        assert session.cached_payments(me, account.id, limit=1)[0] == newest


async def test_full_sync_takes_ceil_n_over_200_requests(emulator: Any) -> None:
    ws = await profile_for(emulator, payments=1001)
    async with ws.open() as session:
        me = (await session.identities())[0]
        account = (await session.accounts(me))[0]
        start = await page_requests(emulator)
        seen: list[tuple[int, SyncStatus]] = []
        status = await session.sync_payments(me, account.id, lambda n, s: seen.append((n, s)))
        assert await page_requests(emulator) - start == math.ceil(1001 / 200)
        assert status.complete and status.count == 1001
        assert [n for n, _ in seen] == [200, 400, 600, 800, 1000, 1001]
        assert seen[-1][1].complete and not seen[0][1].complete
        # exactly bunq's history, newest first, nothing twice
        client = await session._client(me)
        truth = [p async for p in client.iter_payments(None, account.id)]
        cached = session.cached_payments(me, account.id, limit=5000)
        assert cached == truth
        assert [p.raw for p in cached] == [p.raw for p in truth]
        # a second sync only asks for what is new
        again = await page_requests(emulator)
        assert (await session.sync_payments(me, account.id)).count == 1001
        assert await page_requests(emulator) == again + 1


async def test_an_interrupted_sync_resumes_without_duplicates_or_gaps(emulator: Any) -> None:
    ws = await profile_for(emulator, payments=1234)
    async with ws.open() as session:
        me = (await session.identities())[0]
        account = (await session.accounts(me))[0]
    await control(emulator, "POST", "/faults", {"latency_ms": 20})

    async with Workspace.load().open("me") as session:
        me = (await session.identities())[0]
        task: asyncio.Task[SyncStatus] | None = None

        def stop_midway(fetched: int, status: SyncStatus) -> None:
            if fetched >= 600 and task is not None:
                task.cancel()  # lands while the next page's request is in flight

        task = asyncio.create_task(session.sync_payments(me, account.id, stop_midway))
        with pytest.raises(asyncio.CancelledError):
            await task
        partial = session.sync_status(me, account.id)
        assert partial.count == 600 and not partial.complete

    # new payments arrive meanwhile; a new run (process) picks up where the old one stopped
    async with Workspace.load().open("me") as session:
        me = (await session.identities())[0]
        await session.top_up(me, account.id, Decimal("5.00"))
        start = await page_requests(emulator)
        status = await session.sync_payments(me, account.id)
        assert status.complete and status.count == 1235
        # one refresh + the three pages still missing below 600
        assert await page_requests(emulator) - start == 1 + math.ceil((1234 - 600) / 200)
        cached = [p.id for p in session.cached_payments(me, account.id, limit=5000)]
        client = await session._client(me)
        truth = [p.id async for p in client.iter_payments(None, account.id)]
        assert cached == truth and len(set(cached)) == len(cached)


async def test_search_over_the_cache(emulator: Any) -> None:
    ws = await profile_for(emulator, payments=300, accounts=2)
    async with ws.open() as session:
        me = (await session.identities())[0]
        accounts = await session.accounts(me)
        # the control API books the payments on the user's first bank account
        first = next(a for a in accounts if a.kind == "MonetaryAccountBank")
        second = next(a for a in accounts if a is not first)
        await session.sync_payments(me, first.id)
        await session.top_up(me, second.id, Decimal("77.77"))
        await session.refresh_payments(me, second.id)
        before = await requests(emulator)
        everything = session.cached_payments(me, first.id, limit=1000)
        outgoing = session.search_payments("<0", identity=me, account_id=first.id, limit=1000)
        assert outgoing and {p.id for p in outgoing} == {
            p.id for p in everything if p.amount.value < 0
        }
        hit = session.search_payments("77.77")
        assert [p.amount.value for p in hit] == [Decimal("77.77")]
        assert session.search_payments("77.77", account_id=first.id) == []
        name = everything[0].counterparty_alias
        assert name is not None and name.display_name
        word = name.display_name.split()[0].upper()
        by_name = session.search_payments(word, limit=1000)
        assert by_name and all(
            word.casefold() in (p.counterparty_alias.display_name or "").casefold()
            or word.casefold() in (p.description or "").casefold()
            for p in by_name
        )
        day = everything[10].created
        assert day is not None
        local = day.astimezone().date()
        on_day = session.search_payments(f"{local}..{local}", limit=1000)
        assert everything[10] in on_day
        assert all(p.created and p.created.astimezone().date() == local for p in on_day)
        assert len(session.search_payments("", limit=7)) == 7
        with pytest.raises(QueryError, match="comparison"):
            session.search_payments(">abc")
        assert await requests(emulator) == before  # search never asks bunq


async def test_a_disconnected_users_cache_is_gone(emulator: Any) -> None:
    redirect = "https://example.com/cb"
    ws = Workspace.load()
    await ws.setup_profile(
        "me",
        "api-key",
        base_url=emulator.base_url,
        redirect_uri=redirect,
        options={"api_key": emulator.demo_api_key, "register_oauth": True},
    )
    end_user = await control(emulator, "POST", "/users", {"accounts": 1, "payments": 40})
    async with ws.open("me") as session:
        request = await session.begin_connect()
        approved = await control(
            emulator,
            "POST",
            "/oauth/approve",
            {"authorize_url": request.authorize_url, "api_key": end_user["api_key"]},
        )
        them = await session.complete_connect(request, approved["redirect_url"])
        me = (await session.identities())[0]
        (theirs,) = await session.accounts(them)
        await session.sync_payments(them, theirs.id)
        mine = (await session.accounts(me))[0]
        await session.refresh_payments(me, mine.id)
        assert session.cached_payment_count(them, theirs.id) == 40
        assert len(session.search_payments("", limit=1000)) == 240

        await session.disconnect(them.local_id or 0)
        assert session.cached_accounts(them) is None
        assert session.cached_payment_count(them, theirs.id) == 0
        assert session.sync_status(them, theirs.id).last_synced is None
        assert len(session.search_payments("", limit=1000)) == 200  # only the own user's
        assert session.cached_accounts(me)  # the own cache is untouched
    # nothing of theirs is left in the file either
    path = ws.cache_path("me")
    data = b"".join(p.read_bytes() for p in path.parent.glob("me.sqlite3*"))
    name = theirs.description or ""
    assert str(theirs.iban).encode() not in data and (not name or name.encode() not in data)
