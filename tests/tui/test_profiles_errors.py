"""Switching profile in place, sandbox top-up, disconnecting, errors without a crash, keymap."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from demo_home import DemoHome
from rich.console import Console
from textual.widgets import Input
from tui_helpers import accounts_loaded, settled, until

from bunqtui.core import Workspace
from bunqtui.tui.app import BunqApp
from bunqtui.tui.errors import OFFLINE, ONLINE, RATE_LIMITED
from bunqtui.tui.screens.accounts import AccountsScreen
from bunqtui.tui.screens.dialogs import ConfirmModal, ErrorModal, InputModal
from bunqtui.tui.screens.help import HelpScreen
from bunqtui.tui.screens.profiles import ProfilesScreen, ProfilesTable
from bunqtui.tui.widgets.status import StatusBar


def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The client's retry waits (0.5 s, 1 s, 2 s against bunq) made short for the test."""
    original = Workspace.connector_env

    def env(self: Workspace, profile: Any, **extra: Any) -> Any:
        made = original(self, profile, **extra)
        made.client_options = {**made.client_options, "retry_base": 0.01, "backoff_base": 0.01}
        return made

    monkeypatch.setattr(Workspace, "connector_env", env)


async def test_switching_profile_changes_mode_in_place(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        own = await accounts_loaded(pilot, app)
        assert own.profile == "demo" and own.identities[0].kind == "self"
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        table = app.screen.query_one(ProfilesTable)
        assert [str(table.get_cell_at((i, 2))) for i in range(2)] == ["API key", "PSD2 provider"]
        await pilot.press("j", "enter")
        psd2 = await accounts_loaded(pilot, app)
        assert psd2.profile == "demo-psd2" and app.profile_name == "demo-psd2"
        assert [(i.kind, i.local_id) for i in psd2.identities] == [("connected", 1)]
        assert "PSD2 provider" in str(psd2.query_one(StatusBar).content)
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        await pilot.press("k", "enter")  # back: the API-key screens are as they were
        await until(pilot, lambda: app.screen is own)


async def test_top_up_from_sugar_daddy_arrives(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await accounts_loaded(pilot, app)
        account = screen.selected_account()
        assert account is not None and account.balance is not None
        before = account.balance.value
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, InputModal))
        app.screen.query_one(Input).value = "600"  # over Sugar Daddy's limit: refused in the form
        await pilot.press("enter")
        assert isinstance(app.screen, InputModal)
        app.screen.query_one(Input).value = "125.50"
        await pilot.press("enter")

        def arrived() -> bool:
            now = next(a for a in screen.accounts if a.id == account.id)
            return now.balance is not None and now.balance.value == before + Decimal("125.50")

        await until(pilot, arrived)


async def test_disconnecting_a_connected_user(private_demo_home: DemoHome) -> None:
    demo_home = private_demo_home
    app = BunqApp(demo_home.workspace, profile="demo-psd2")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await accounts_loaded(pilot, app)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("y")
        await until(pilot, lambda: not screen.identities)
        assert "connect one" in str(screen.query_one("#accounts-empty").content)  # type: ignore[attr-defined]
    assert demo_home.workspace.open("demo-psd2").env.connected_users().list() == []


async def test_api_errors_are_shown_and_the_app_keeps_working(
    demo_home: DemoHome, monkeypatch: pytest.MonkeyPatch
) -> None:
    quick_retries(monkeypatch)
    faults = demo_home.server.emulator.faults
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await accounts_loaded(pilot, app)
        await settled(pilot)
        # a 500 that outlasts the client's retries
        faults.set({"http_500": 50})
        await pilot.press("r")
        await until(pilot, lambda: app.last_error is not None)
        assert app.last_error.title == "bunq"  # type: ignore[union-attr]
        await settled(pilot)
        faults.clear()
        # an answer whose signature does not verify must be acted on
        app.last_error = None
        faults.set({"bad_signature": 1})
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ErrorModal))
        assert "signature" in app.screen.report.text.lower()  # type: ignore[attr-defined]
        await pilot.press("enter")
        assert app.screen is screen
        await pilot.press("r")
        await until(pilot, lambda: screen.accounts and not app.workers._workers)
        assert app.is_running


async def test_unreachable_bunq_shows_offline(
    private_demo_home: DemoHome, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo_home = private_demo_home
    quick_retries(monkeypatch)
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await accounts_loaded(pilot, app)
        demo_home.server.stop()
        await pilot.press("r")
        await until(pilot, lambda: app.connection == OFFLINE, timeout=30)
        assert "offline" in str(screen.query_one(StatusBar).content)
        assert app.is_running


async def test_help_lists_the_keys_with_their_binding_ids(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await accounts_loaded(pilot, app)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        console = Console(width=100, record=True, file=io.StringIO())
        console.print(app.screen.query_one("#help-keys").content)  # type: ignore[attr-defined]
        text = console.export_text()
        for needle in ("Refresh", "accounts.refresh", "Top up", "app.quit"):
            assert needle in text
        await pilot.press("escape")
        assert isinstance(app.screen, AccountsScreen)


async def test_bindings_and_theme_come_from_config(demo_home: DemoHome) -> None:
    config = demo_home.home / "config.toml"
    config.write_text(
        config.read_text()
        + '\n[ui]\ntheme = "gruvbox"\n[ui.keys]\n"app.quit" = "ctrl+q"\n"accounts.refresh" = "f5"\n'
    )
    app = BunqApp(Workspace.load(demo_home.home), demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await accounts_loaded(pilot, app)
        assert app.theme == "gruvbox"
        calls = 0
        original = screen.load_identities

        def counting() -> object:
            nonlocal calls
            calls += 1
            return original()

        screen.load_identities = counting  # type: ignore[method-assign]
        await pilot.press("f5")
        assert calls == 1
        await pilot.press("q")  # q no longer quits…
        await pilot.pause()
        assert app.return_code is None  # set only by App.exit
        await pilot.press("ctrl+q")  # …ctrl+q does (checked while the app still runs)
        await until(pilot, lambda: app.return_code == 0)


async def test_rate_limited_answers_are_shown_as_such(
    demo_home: DemoHome, monkeypatch: pytest.MonkeyPatch
) -> None:
    quick_retries(monkeypatch)
    faults = demo_home.server.emulator.faults
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await accounts_loaded(pilot, app)
        await settled(pilot)
        faults.set({"http_429": 50})  # more 429s than the client's bounded retries absorb
        await pilot.press("r")
        await until(pilot, lambda: app.connection == RATE_LIMITED)
        assert "rate-limited" in str(screen.query_one(StatusBar).content)
        assert app.last_error is not None and "Rate-limited" in app.last_error.title
        faults.clear()
        await pilot.press("r")  # bunq answers again: back online
        await until(pilot, lambda: app.connection == ONLINE)
