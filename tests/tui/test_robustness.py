"""Edge cases found in review: no crash, no stale screen, no lost state."""

from __future__ import annotations

import httpx
import pytest
from demo_home import DemoHome
from tui_helpers import accounts_loaded, listening, open_account, open_login, settled, until

from bunqtui.core import Workspace
from bunqtui.core.query import PaymentFilter
from bunqtui.tui.app import BunqApp
from bunqtui.tui.screens.accounts import AccountsTable
from bunqtui.tui.screens.detail import PaymentDetailScreen
from bunqtui.tui.screens.help import HelpScreen
from bunqtui.tui.screens.payments import PaymentsScreen
from bunqtui.tui.screens.profiles import ProfilesScreen


async def test_make_default_with_a_config_broken_meanwhile_reports_it(
    demo_home: DemoHome,
) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await accounts_loaded(pilot, app)
        config = demo_home.home / "config.toml"
        config.write_text(config.read_text() + "\n[ui\n")  # a typo made while the app runs
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        await pilot.press("j", "d")
        await until(pilot, lambda: app.last_error is not None)
        assert "config.toml" in app.last_error.text  # type: ignore[union-attr]
        assert app.is_running


async def test_a_login_that_completes_under_help_closes_the_login(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, profile="demo-psd2", demo=demo_home.demo)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await accounts_loaded(pilot, app)
        login = await open_login(pilot, app)
        assert login.request is not None
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        _, delivered = await demo_home.demo.approve(login.request.authorize_url)
        assert delivered
        await until(pilot, lambda: app.screen is screen)
        assert login not in app.screen_stack
        await until(pilot, lambda: len(screen.identities) == 2)


async def test_starting_the_login_again_rebinds_the_listener(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, profile="demo-psd2", demo=demo_home.demo)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await accounts_loaded(pilot, app)
        login = await open_login(pilot, app)
        states = []
        for _ in range(3):
            old = login.request
            await pilot.press("r")
            await until(pilot, lambda old=old: login.request not in (None, old))
            await until(pilot, lambda: "left" in str(login.query_one("#login-status").content))  # type: ignore[attr-defined]
            states.append(login.request.state)  # type: ignore[union-attr]
        assert app.last_error is None  # no "Address already in use"
        assert login.session.pending_states() == {states[-1]}  # old states refused
        await until(pilot, lambda: listening(login.request.redirect_uri))  # type: ignore[union-attr]
        _, delivered = await demo_home.demo.approve(login.request.authorize_url)  # type: ignore[union-attr]
        assert delivered
        await until(pilot, lambda: app.screen is screen)


async def test_sparklines_stay_on_a_launch_from_the_cache(demo_home: DemoHome) -> None:
    first = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with first.run_test(size=(100, 30)) as pilot:
        await accounts_loaded(pilot, first)
        await settled(pilot)
    app = BunqApp(Workspace.load(demo_home.home), demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await accounts_loaded(pilot, app)
        await settled(pilot)
        table = screen.query_one(AccountsTable)
        assert all(str(table.get_cell_at((i, 5))) for i in range(table.row_count))
        await pilot.press("r")
        await settled(pilot)
        assert all(str(table.get_cell_at((i, 5))) for i in range(table.row_count))


async def test_a_failed_check_of_the_cached_list_says_so(demo_home: DemoHome) -> None:
    first = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with first.run_test(size=(100, 30)) as pilot:
        await accounts_loaded(pilot, first)
        await settled(pilot)
    demo_home.server.emulator.faults.set({"drop": 20})
    app = BunqApp(Workspace.load(demo_home.home), demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await accounts_loaded(pilot, app)
        title = screen.query_one("#accounts-title")
        await until(pilot, lambda: "could not check" in str(title.content), timeout=30)  # type: ignore[attr-defined]
        assert len(screen.accounts) == 4  # the cached list stays
    demo_home.server.emulator.faults.clear()


async def test_enter_while_a_search_is_on_its_way_opens_the_row_shown(
    demo_home: DemoHome,
) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await accounts_loaded(pilot, app)
        await pilot.press("enter")
        await until(
            pilot, lambda: isinstance(app.screen, PaymentsScreen) and len(app.screen.cached)
        )
        payments = app.screen
        assert isinstance(payments, PaymentsScreen)
        await until(pilot, lambda: not payments.fetching)
        newest = payments.cached.payment(0)
        payments.payment_filter = PaymentFilter.parse("energy")  # typed; results not back yet
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, PaymentDetailScreen))
        assert app.screen.payment.id == newest.id  # type: ignore[attr-defined]


async def test_refresh_during_the_full_download_does_not_cancel_it(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        payments = await open_account(pilot, app, "Main account")
        await until(pilot, lambda: not payments.fetching)
        demo_home.server.emulator.faults.set({"latency_ms": 100})
        await pilot.press("L")
        await until(pilot, lambda: payments.fetching)
        await pilot.press("r")
        await until(pilot, lambda: payments.complete, timeout=30)
        demo_home.server.emulator.faults.clear()
        assert len(payments.cached) == payments.status.count == 2400


def test_an_unknown_profile_on_the_command_line_exits_2(
    demo_home: DemoHome, capsys: pytest.CaptureFixture[str]
) -> None:
    from bunqtui.cli.main import main

    assert main(["--profile", "typo"]) == 2
    err = capsys.readouterr().err
    assert "typo" in err and "demo" in err


def test_demo_approve_reports_a_redirect_nobody_took(demo_home: DemoHome) -> None:
    import asyncio

    async def run() -> tuple[str, bool]:
        async with demo_home.workspace.open("demo-psd2") as session:
            request = await session.begin_connect()  # no listener started
            return await demo_home.demo.approve(request.authorize_url)

    redirect, delivered = asyncio.run(run())
    assert not delivered and "code=" in redirect
    assert httpx.URL(redirect).params.get("state")


async def test_a_profile_set_up_again_gets_fresh_screens(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await accounts_loaded(pilot, app)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, PaymentsScreen))
        old_session = app.session("demo")
        info = await demo_home.workspace.setup_profile(
            "demo",
            "api-key",
            base_url=demo_home.server.base_url,
            options={"api_key": demo_home.server.demo_api_key},
        )
        await app._after_setup(info)  # what the setup wizard's result does
        screen = await accounts_loaded(pilot, app)
        assert app.screen_stack == [screen] and screen.session is not old_session
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, PaymentsScreen))
        await pilot.press("r")
        await settled(pilot)
        assert app.last_error is None  # no "client has been closed"


async def test_an_unreadable_cache_is_reported_when_opening_payments(
    demo_home: DemoHome, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await accounts_loaded(pilot, app)
        await settled(pilot)

        def broken(*args: object, **kwargs: object) -> None:
            raise sqlite3.DatabaseError("database disk image is malformed")

        monkeypatch.setattr(screen.session, "sync_status", broken)
        await pilot.press("enter")
        await until(pilot, lambda: app.last_error is not None)
        assert "malformed" in app.last_error.text  # type: ignore[union-attr]
        assert app.screen is screen and app.is_running
        await pilot.press("question_mark")  # keys still work
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))


async def test_late_work_of_a_closed_session_is_not_reported(demo_home: DemoHome) -> None:
    """A worker that finds its session's cache closed (the profile was set up again, or the
    app is exiting) was abandoned on purpose: no toast. Any other cache error is reported."""
    from bunqtui.core import CacheClosedError
    from bunqtui.store.cache import CacheError

    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await accounts_loaded(pilot, app)
        await settled(pilot)
        app.last_error = None

        async def fails(exc: Exception) -> None:
            raise exc

        closed = screen.run_worker(fails(CacheClosedError("closed")), exit_on_error=False)
        await until(pilot, lambda: closed.is_finished)
        await pilot.pause(0.1)
        assert app.last_error is None
        broken = screen.run_worker(fails(CacheError("disk full")), exit_on_error=False)
        await until(pilot, lambda: broken.is_finished)
        await until(pilot, lambda: app.last_error is not None)
