"""The setup wizard on a first run: both connectors against the emulator, and a bad API key."""

from __future__ import annotations

import stat
from pathlib import Path

from textual.widgets import Checkbox, Input, Select, Static
from tui_helpers import until

from bunqtui.core import Workspace
from bunqtui.emulator.server import EmulatorServer
from bunqtui.tui.app import BunqApp
from bunqtui.tui.screens.accounts import AccountsScreen
from bunqtui.tui.screens.setup import SetupScreen


async def first_run(pilot, app: BunqApp) -> SetupScreen:  # type: ignore[no-untyped-def]
    await until(pilot, lambda: isinstance(app.screen, SetupScreen))
    assert isinstance(app.screen, SetupScreen)
    return app.screen


async def fill_common(pilot, screen: SetupScreen, connector: str, base_url: str, name: str) -> None:  # type: ignore[no-untyped-def]
    screen.query_one("#setup-connector", Select).value = connector
    await pilot.pause(0.05)
    screen.query_one("#setup-environment", Select).value = "emulator"
    await pilot.pause(0.05)
    url = screen.query_one("#setup-base-url", Input)
    assert url.display
    url.value = base_url
    screen.query_one("#setup-name", Input).value = name


async def test_first_run_api_key_setup_opens_the_accounts(
    emulator: EmulatorServer, bunqtui_home: Path
) -> None:
    app = BunqApp(Workspace.load(bunqtui_home))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await first_run(pilot, app)
        await fill_common(pilot, screen, "api-key", emulator.base_url, "mine")
        key = screen.query_one("#field-api_key", Input)
        assert key.password  # the API key is masked
        key.value = emulator.demo_api_key
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, AccountsScreen) and app.screen.accounts)
        assert app.profile_name == "mine"
        assert len(app.screen.accounts) == 4  # type: ignore[attr-defined]
    config = (bunqtui_home / "config.toml").read_text()
    assert emulator.demo_api_key not in config
    secrets = bunqtui_home / "secrets"
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in secrets.iterdir() if p.is_file())


async def test_psd2_setup_shows_its_steps_and_waits_for_users(
    emulator: EmulatorServer, bunqtui_home: Path
) -> None:
    app = BunqApp(Workspace.load(bunqtui_home))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await first_run(pilot, app)
        await fill_common(pilot, screen, "psd2", emulator.base_url, "tpp")
        await pilot.pause(0.05)
        screen.query_one("#field-generate_sandbox_certificate", Checkbox).value = True
        screen.query_one("#setup-redirect-uri", Input).value = "http://127.0.0.1:9911/back"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, AccountsScreen))
        assert [s.status for s in screen.steps] == ["done"] * 4
        accounts = app.screen
        assert isinstance(accounts, AccountsScreen)
        empty = accounts.query_one("#accounts-empty", Static)
        await until(pilot, lambda: empty.display)
        assert "Press n to connect" in str(empty.content)
    ws = Workspace.load(bunqtui_home)
    assert [(p.name, p.connector) for p in ws.profiles()] == [("tpp", "psd2")]
    assert ws.profile("tpp").redirect_uri == "http://127.0.0.1:9911/back"
    registered = [cb.url for c in emulator.world.oauth_clients.values() for cb in c.callback_urls]
    assert registered == ["http://127.0.0.1:9911/back"]  # the OAuth client's callback URL


async def test_a_bad_api_key_is_reported_and_nothing_is_written(
    emulator: EmulatorServer, bunqtui_home: Path
) -> None:
    app = BunqApp(Workspace.load(bunqtui_home))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await first_run(pilot, app)
        await fill_common(pilot, screen, "api-key", emulator.base_url, "wrong")
        screen.query_one("#field-api_key", Input).value = "sandbox_" + "0" * 56
        await pilot.press("ctrl+s")
        error = screen.query_one("#setup-error", Static)
        await until(pilot, lambda: "Setup failed" in str(error.content))
        assert "API key" in str(error.content) or "credentials" in str(error.content).lower()
        assert any(s.status == "failed" for s in screen.steps)
        assert app.screen is screen and not screen.running  # still here, form usable again
        assert not screen.query_one("#setup-run").disabled
    assert (
        not (bunqtui_home / "config.toml").exists()
        or "wrong" not in (bunqtui_home / "config.toml").read_text()
    )


async def test_a_sandbox_user_hides_the_api_key_and_does_not_send_it(
    emulator: EmulatorServer, bunqtui_home: Path
) -> None:
    # the field excludes the box (SetupField.excludes): what cannot be seen is not sent, so
    # the connector's "either a key or a sandbox user" cannot be met from the form
    app = BunqApp(Workspace.load(bunqtui_home))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await first_run(pilot, app)
        await fill_common(pilot, screen, "api-key", emulator.base_url, "both")
        screen.query_one("#field-api_key", Input).value = emulator.demo_api_key
        screen.query_one("#field-create_sandbox_user", Checkbox).value = True
        await pilot.pause(0.1)
        assert not screen.query_one("#field-api_key-row").display
        connector = screen.connector()
        assert connector is not None
        assert screen.options(connector) == {"create_sandbox_user": True}


async def test_cancelling_the_first_run_setup_quits(bunqtui_home: Path) -> None:
    app = BunqApp(Workspace.load(bunqtui_home))
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SetupScreen))
        await pilot.press("escape")  # asks first (see test_polish_setup.py)
        await pilot.pause(0.1)
        await pilot.press("y")
        await pilot.pause(0.1)
    assert app.return_code == 0
