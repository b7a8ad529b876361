"""SVG snapshots of the main screens (pytest-textual-snapshot): 100×30, and accounts at 80×24.

The emulator's seed is fixed and times are shown in UTC, so the screens are the same on every
run. The QR login's URL holds a fresh state, so its snapshot shows a fixed request instead.
Update with `pytest tests/tui/test_snapshots.py --snapshot-update` after a deliberate change.
"""

from __future__ import annotations

from pathlib import Path

from demo_home import DemoHome
from textual.pilot import Pilot
from tui_helpers import settled, until

from bunqtui.core import ConnectRequest, Workspace
from bunqtui.emulator.seed import SEED_END
from bunqtui.tui.app import BunqApp
from bunqtui.tui.screens.accounts import AccountsScreen, AccountsTable
from bunqtui.tui.screens.help import HelpScreen
from bunqtui.tui.screens.login import LoginScreen
from bunqtui.tui.screens.payments import PaymentsScreen
from bunqtui.tui.screens.setup import SetupScreen

FIXED_REQUEST = ConnectRequest(
    "https://oauth.sandbox.bunq.com/auth?response_type=code&client_id=0123456789abcdef"
    "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8723%2Fcallback&state=snapshot",
    "http://127.0.0.1:8723/callback",
    "snapshot",
)


async def accounts_settled(pilot: Pilot) -> None:
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, AccountsScreen) and app.screen.accounts)
    screen = app.screen
    assert isinstance(screen, AccountsScreen)
    table = screen.query_one(AccountsTable)
    await until(pilot, lambda: all(str(table.get_cell_at((i, 5))) for i in range(4)))
    await settled(pilot)
    await pilot.pause(0.1)


def test_accounts_100x30(snap_compare, demo_home: DemoHome) -> None:  # type: ignore[no-untyped-def]
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    app.clock = lambda: SEED_END  # "this month" is the demo's last month, on every run
    assert snap_compare(app, terminal_size=(100, 30), run_before=accounts_settled)


def test_accounts_80x24(snap_compare, demo_home: DemoHome) -> None:  # type: ignore[no-untyped-def]
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    app.clock = lambda: SEED_END  # "this month" is the demo's last month, on every run
    assert snap_compare(app, terminal_size=(80, 24), run_before=accounts_settled)


def test_payments_100x30(snap_compare, demo_home: DemoHome) -> None:  # type: ignore[no-untyped-def]
    async def open_bills(pilot: Pilot) -> None:
        await accounts_settled(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, AccountsScreen)
        row = next(i for i, a in enumerate(screen.accounts) if a.description == "Bills")
        screen.query_one(AccountsTable).move_cursor(row=row)
        await pilot.press("enter")
        await until(
            pilot,
            lambda: (
                isinstance(pilot.app.screen, PaymentsScreen)
                and len(pilot.app.screen.cached)
                and not pilot.app.screen.fetching
            ),
        )
        await pilot.pause(0.1)

    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    app.clock = lambda: SEED_END  # "this month" is the demo's last month, on every run
    assert snap_compare(app, terminal_size=(100, 30), run_before=open_bills)


def test_help_100x30(snap_compare, demo_home: DemoHome) -> None:  # type: ignore[no-untyped-def]
    async def open_help(pilot: Pilot) -> None:
        await accounts_settled(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
        await pilot.pause(0.1)

    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    app.clock = lambda: SEED_END  # "this month" is the demo's last month, on every run
    assert snap_compare(app, terminal_size=(100, 30), run_before=open_help)


def test_qr_login_100x30(snap_compare, demo_home: DemoHome) -> None:  # type: ignore[no-untyped-def]
    async def open_login(pilot: Pilot) -> None:
        await accounts_settled(pilot)
        await pilot.press("n")
        app = pilot.app
        await until(pilot, lambda: isinstance(app.screen, LoginScreen) and app.screen.request)
        login = app.screen
        assert isinstance(login, LoginScreen)
        login.show_request(FIXED_REQUEST)
        login.deadline = None  # a still countdown
        login._status("Waiting for bunq's redirect on http://127.0.0.1:8723/callback — 5:00 left")
        await pilot.pause(0.1)

    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    app.clock = lambda: SEED_END  # "this month" is the demo's last month, on every run
    assert snap_compare(app, terminal_size=(100, 30), run_before=open_login)


def test_setup_100x30(snap_compare, bunqtui_home: Path) -> None:  # type: ignore[no-untyped-def]
    async def first_run(pilot: Pilot) -> None:
        await until(pilot, lambda: isinstance(pilot.app.screen, SetupScreen))
        await pilot.pause(0.2)

    app = BunqApp(Workspace.load(bunqtui_home))
    assert snap_compare(app, terminal_size=(100, 30), run_before=first_run)
