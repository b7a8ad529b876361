"""The activity view polls only while it is seen: under another profile's screens, or under help,
it makes no request at all (counted by the emulator), and it polls again once it is back."""

from __future__ import annotations

from demo_home import DemoHome
from test_activity_view import event_gets
from textual.pilot import Pilot
from tui_helpers import accounts_loaded, settled, until

from bunqtui.core.events import PollSchedule
from bunqtui.tui.app import BunqApp
from bunqtui.tui.screens.activity import ActivityScreen
from bunqtui.tui.screens.help import HelpScreen
from bunqtui.tui.screens.profiles import ProfilesScreen, ProfilesTable

HIDDEN = 1.0  # ten times the longest wait of the schedule below


async def _switch_profile(pilot: Pilot, app: BunqApp, name: str) -> None:
    """p, the profile's row, Enter: as a user switches."""
    await pilot.press("p")
    await until(pilot, lambda: isinstance(app.screen, ProfilesScreen))
    screen = app.screen
    assert isinstance(screen, ProfilesScreen)
    names = [p.name for p in screen.profiles]
    screen.query_one(ProfilesTable).move_cursor(row=names.index(name))
    await pilot.press("enter")
    await until(
        pilot, lambda: app.profile_name == name and not isinstance(app.screen, ProfilesScreen)
    )


async def _quiet_apart_from(pilot: Pilot, app: BunqApp, view: ActivityScreen) -> None:
    """Until no worker runs but the view's own (which, paused, runs no more either)."""
    await until(pilot, lambda: not [w for w in app.workers if w.is_running and w.node is not view])


async def _open_activity(pilot: Pilot, app: BunqApp) -> ActivityScreen:
    accounts = await accounts_loaded(pilot, app)
    await settled(pilot)
    assert accounts.activity is not None and accounts.identity is not None
    feed = accounts.activity.feed(accounts.identity)
    feed.schedule = PollSchedule(floor=0.05, cap=0.1)  # core's rule, at test speed
    await pilot.press("a")
    await until(pilot, lambda: isinstance(app.screen, ActivityScreen))
    view = app.screen
    assert isinstance(view, ActivityScreen)
    await until(pilot, lambda: view.polls >= 2)
    return view


async def test_no_polls_while_another_profile_is_shown(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(120, 30)) as pilot:
        view = await _open_activity(pilot, app)

        await _switch_profile(pilot, app, "demo-psd2")
        await accounts_loaded(pilot, app)  # the PSD2 profile's own screens
        await _quiet_apart_from(pilot, app, view)
        polls, gets = view.polls, event_gets(demo_home)
        await pilot.pause(HIDDEN)
        assert (view.polls, event_gets(demo_home)) == (polls, gets)  # 0 polls while hidden

        await _switch_profile(pilot, app, "demo")
        assert app.screen is view
        # polling again, on its schedule
        await until(pilot, lambda: view.polls >= polls + 2 and event_gets(demo_home) >= gets + 2)


async def test_no_polls_under_help_and_polling_again_after(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(120, 30)) as pilot:
        view = await _open_activity(pilot, app)

        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await _quiet_apart_from(pilot, app, view)
        polls, gets = view.polls, event_gets(demo_home)
        await pilot.pause(HIDDEN)
        assert (view.polls, event_gets(demo_home)) == (polls, gets)

        await pilot.press("escape")
        await until(pilot, lambda: app.screen is view)
        await until(pilot, lambda: view.polls >= polls + 2 and event_gets(demo_home) >= gets + 2)
