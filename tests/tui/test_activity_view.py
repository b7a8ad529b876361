"""The activity view (``a``) and "N new" on the accounts screen, against the emulator: one GET
per poll at core's schedule (faster after news, slower while quiet), newest first, hostile text
shown literally, no poll once the view is closed; counts survive a relaunch."""

from __future__ import annotations

import asyncio

import httpx
from demo_home import DemoHome
from test_hostile import on_screen
from tui_helpers import accounts_loaded, settled, until

import hostile
from bunqtui.core.events import PollSchedule
from bunqtui.tui.app import BunqApp
from bunqtui.tui.screens.accounts import AccountsScreen, AccountsTable
from bunqtui.tui.screens.activity import ActivityScreen, ActivityTable

EVENT_ROUTE = "GET /v1/user/{id}/event"


def event_gets(demo_home: DemoHome) -> int:
    stats = httpx.get(f"{demo_home.server.root_url}/_emulator/stats").json()
    return int(stats["by_route"].get(EVENT_ROUTE, 0))


def new_cell(screen: AccountsScreen, account_id: int) -> str:
    table = screen.query_one(AccountsTable)
    return str(table.get_cell(str(account_id), "description"))


async def send_to(demo_home: DemoHome, iban: str) -> None:
    server = demo_home.server
    await asyncio.to_thread(hostile.send_hostile_payments, server.root_url, server.base_url, iban)


async def test_polls_one_get_each_slows_when_quiet_and_stops_when_closed(
    demo_home: DemoHome,
) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(140, 35)) as pilot:
        accounts = await accounts_loaded(pilot, app)
        await settled(pilot)  # the accounts screen's own check for "N new" is done
        assert accounts.activity is not None and accounts.identity is not None
        main = accounts.accounts[0]
        feed = accounts.activity.feed(accounts.identity)
        assert feed.events  # read once for the counts
        feed.schedule = PollSchedule(floor=0.05, cap=0.2)  # core's rule, at test speed
        before = event_gets(demo_home)

        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, ActivityScreen))
        view = app.screen
        assert isinstance(view, ActivityScreen)
        await until(pilot, lambda: len(view.delays) >= 4)
        assert view.delays[:4] == [0.1, 0.2, 0.2, 0.2]  # nothing new: doubling to the cap
        assert event_gets(demo_home) - before in (len(view.delays), len(view.delays) + 1)
        ids = [int(k.value or 0) for k in view.query_one(ActivityTable).rows]
        assert ids == sorted(ids, reverse=True) and len(ids) == len(feed.events)

        quiet = len(view.delays)
        await send_to(demo_home, main.iban or "")
        await until(pilot, lambda: 0.05 in view.delays[quiet:])  # news: back to the floor
        await until(pilot, lambda: view.shown == len(feed.events))
        ids = [int(k.value or 0) for k in view.query_one(ActivityTable).rows]
        assert ids == sorted(ids, reverse=True)
        on_screen(app, "[/x]", "\\u202eevil")  # the sender's hostile name, literally

        await pilot.press("escape")
        await until(pilot, lambda: app.screen is accounts)
        await until(pilot, lambda: not [w for w in app.workers if w.group == "bunq-activity"])
        after = event_gets(demo_home)
        assert after - before == view.polls  # one GET per poll, none since
        await pilot.pause(1.0)  # five times the longest wait
        assert event_gets(demo_home) == after

        # the accounts screen counts what came in, and forgets it once the account is opened
        count = accounts.activity.unseen(accounts.identity)[main.id]
        assert count >= len(hostile.HOSTILE)
        assert f"{count} new" in new_cell(accounts, main.id)
        accounts.query_one(AccountsTable).move_cursor(row=0)
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is not accounts)
        assert "new" not in new_cell(accounts, main.id)


async def test_what_came_while_closed_counts_at_the_next_launch(demo_home: DemoHome) -> None:
    first = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with first.run_test(size=(120, 30)) as pilot:
        screen = await accounts_loaded(pilot, first)
        await settled(pilot)
        main = screen.accounts[0]
        assert "new" not in new_cell(screen, main.id)  # a first launch starts at zero

    await send_to(demo_home, main.iban or "")

    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await accounts_loaded(pilot, app)
        await until(pilot, lambda: "new" in new_cell(screen, main.id))
        assert f"{len(hostile.HOSTILE)} new" in new_cell(screen, main.id)
        assert all("new" not in new_cell(screen, a.id) for a in screen.accounts[1:])
