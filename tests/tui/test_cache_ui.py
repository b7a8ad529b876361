"""The TUI on the local cache: a relaunch shows what is cached and checks it with one request;
the full history downloads with progress; `/` searches every cached payment."""

from __future__ import annotations

import math

from demo_home import DemoHome
from textual.widgets import Input, Label, Static
from tui_helpers import open_account, settled, shown_payments, until

from bunqtui.core import Workspace
from bunqtui.tui.app import BunqApp
from bunqtui.tui.screens.accounts import AccountsScreen
from bunqtui.tui.screens.payments import PaymentsTable


def demo_account(demo_home: DemoHome, description: str):  # type: ignore[no-untyped-def]
    world = demo_home.server.world
    return next(
        a
        for a in world.accounts.values()
        if a.owner_id == world.demo_user_id and a.description == description
    )


async def test_a_relaunch_shows_the_cache_and_checks_it_with_one_request(
    demo_home: DemoHome,
) -> None:
    first = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with first.run_test(size=(100, 30)) as pilot:
        payments = await open_account(pilot, first, "Bills")
        await until(pilot, lambda: len(payments.cached) and not payments.fetching)
        await settled(pilot)

    stats = demo_home.server.emulator.stats
    faults = demo_home.server.emulator.faults
    stats.reset()
    faults.set({"latency_ms": 400})  # time to see the cached view before bunq answers
    app = BunqApp(Workspace.load(demo_home.home), demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, AccountsScreen) and app.screen.accounts)
        screen = app.screen
        assert isinstance(screen, AccountsScreen)
        title = screen.query_one("#accounts-title", Label)
        assert "cached, just now · checking…" in str(title.content)
        assert len(screen.accounts) == 4
        await until(pilot, lambda: "updated just now" in str(title.content))
        assert "cached" not in str(title.content)
        await settled(pilot)
        faults.clear()
        # one request from launch to the checked list: context, name and sparklines are cached;
        # and one for the activity feed's "N new" per account (screens/activity.py)
        routes = stats.as_dict()["by_route"]
        assert routes == {
            "GET /v1/user/{id}/monetary-account": 1,
            "GET /v1/user/{id}/event": 1,
        }, routes

        stats.reset()
        payments = await open_account(pilot, app, "Bills")
        assert len(payments.cached) == 200  # from the cache, before any answer
        await until(pilot, lambda: not payments.fetching)
        assert stats.as_dict()["total"] == 1  # the refresh: only what is newer


async def test_full_history_with_progress_then_search_all_of_it(demo_home: DemoHome) -> None:
    main = demo_account(demo_home, "Main account")
    total = len(main.payments)
    stats = demo_home.server.emulator.stats
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        payments = await open_account(pilot, app, "Main account")
        await until(pilot, lambda: not payments.fetching)
        await settled(pilot)
        info = payments.query_one("#payments-info", Static)
        seen: list[str] = []
        show = payments._info

        def recording(doing: str | None = None) -> None:
            if doing:
                seen.append(doing)
            show(doing)

        payments._info = recording  # type: ignore[method-assign]
        stats.reset()
        await pilot.press("L")
        await until(pilot, lambda: payments.complete and not payments.fetching, timeout=60)
        pages = math.ceil((total - 200) / 200)
        assert sum("fetched" in line for line in seen) >= pages  # progress after every page
        assert f"{total:,} fetched" in seen[-1] or f"{total - 200:,} fetched" in seen[-1]
        assert len(payments.cached) == total
        # 200 per request from where the cache ended (it already held the newest 200)
        listed = sum(v for k, v in stats.as_dict()["by_route"].items() if "payment" in k)
        assert listed <= pages + 1

        await pilot.press("slash")
        box = payments.query_one("#payments-filter", Input)
        box.value = "salary"
        expected = sorted(
            (p.id for p in main.payments if "salary" in p.description.lower()), reverse=True
        )
        table = payments.query_one(PaymentsTable)
        await until(pilot, lambda: table.row_count == len(expected))
        assert [p.id for p in shown_payments(payments)] == expected
        assert "searched" in str(info.content)


async def test_slash_on_accounts_searches_every_cached_account(demo_home: DemoHome) -> None:
    """After the sparklines cached a page of every account, / finds matches in all of them."""
    from bunqtui.tui.screens.detail import PaymentDetailScreen
    from bunqtui.tui.screens.search import SearchScreen, SearchTable

    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, AccountsScreen) and app.screen.accounts)
        await settled(pilot)  # the sparklines have cached the newest 200 of each account
        stats = demo_home.server.emulator.stats
        stats.reset()
        await pilot.press("slash")
        await until(pilot, lambda: isinstance(app.screen, SearchScreen))
        search = app.screen
        assert isinstance(search, SearchScreen)
        session = app.session("demo")
        me = (await session.identities())[0]
        cached = {
            a.id: session.cached_payments(me, a.id, limit=10_000)
            for a in session.cached_accounts(me) or []
        }
        expected = sorted(
            (p for ps in cached.values() for p in ps if p.amount.value < -150),
            key=lambda p: (p.created, p.id),
            reverse=True,
        )
        assert {p.monetary_account_id for p in expected} == set(cached)  # every account
        await pilot.press(*"<-150")
        table = search.query_one(SearchTable)
        await until(pilot, lambda: table.row_count == len(expected))
        assert [search.matches.payment(i).id for i in range(table.row_count)] == [
            p.id for p in expected
        ]
        await pilot.press("enter", "enter")  # to the table, then open the first match
        await until(pilot, lambda: isinstance(app.screen, PaymentDetailScreen))
        assert app.screen.payment.id == expected[0].id  # type: ignore[attr-defined]
        assert stats.as_dict()["total"] == 0  # all from the cache


async def test_every_view_says_how_fresh_it_is(demo_home: DemoHome) -> None:
    """Cached balances are marked cached (with their age) until bunq answers; then the time."""
    import sqlite3

    first = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with first.run_test(size=(100, 30)) as pilot:
        payments = await open_account(pilot, first, "Bills")
        await until(pilot, lambda: len(payments.cached) and not payments.fetching)
        info = str(payments.query_one("#payments-info", Static).content)
        assert "updated just now" in info
        await settled(pilot)
    caches = list(demo_home.home.rglob("demo.sqlite3"))
    assert caches
    for cache in caches:
        with sqlite3.connect(cache) as db:  # as if the last look was three hours ago
            db.execute("UPDATE account_lists SET fetched_at = datetime('now', '-3 hours')")
            db.execute("UPDATE segments SET last_synced = datetime('now', '-3 hours')")
    faults = demo_home.server.emulator.faults
    faults.set({"latency_ms": 1500})  # the cached view stays long enough to be read
    app = BunqApp(Workspace.load(demo_home.home), demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, AccountsScreen) and app.screen.accounts)
        title = app.screen.query_one("#accounts-title", Label)
        assert "cached, 3 h old · checking…" in str(title.content)
        payments = await open_account(pilot, app, "Bills")
        info = payments.query_one("#payments-info", Static)
        assert "cached, 3 h old" in str(info.content)  # bunq has not answered yet
        await until(pilot, lambda: "updated just now" in str(info.content))
        faults.clear()
