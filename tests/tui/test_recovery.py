"""The way back when bunq forgot the profile's installation: the error box offers setup again."""

from __future__ import annotations

from demo_home import DemoHome
from textual.widgets import Button, Input, Select
from tui_helpers import accounts_loaded, settled, until

from bunqtui.tui.app import BunqApp
from bunqtui.tui.screens.accounts import AccountsScreen
from bunqtui.tui.screens.dialogs import ErrorModal
from bunqtui.tui.screens.setup import SetupScreen


def forget_installations(home: DemoHome) -> None:
    """What an emulator restarted without --state knows of our logins: nothing."""
    world = home.server.world
    with world.lock:
        world.installations.clear()
        world.installations_by_id.clear()
        world.sessions.clear()
        world.devices.clear()


async def test_set_up_again_from_the_error_box(private_demo_home: DemoHome) -> None:
    home = private_demo_home
    app = BunqApp(home.workspace, demo=home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await accounts_loaded(pilot, app)
        await settled(pilot)
        old = home.workspace.secrets.read("demo")["context"]["installation_token"]
        forget_installations(home)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ErrorModal))
        box = app.screen
        assert isinstance(box, ErrorModal) and box.report.setup_again == "demo"
        assert "Set profile demo up again" in str(box.report.hint)
        assert box.query_one("#setup-again", Button).has_focus
        await pilot.press("enter")  # the focused "Set up again"
        await until(pilot, lambda: isinstance(app.screen, SetupScreen))
        setup = app.screen
        assert isinstance(setup, SetupScreen)
        await pilot.pause()
        # prefilled: the same profile, connector and emulator URL; the key field may stay empty
        assert setup.query_one("#setup-name", Input).value == "demo"
        assert setup.query_one("#setup-connector", Select).value == "api-key"
        assert setup.query_one("#setup-environment", Select).value == "emulator"
        assert setup.query_one("#setup-base-url", Input).value == home.demo.base_url
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, AccountsScreen) and app.screen.accounts)
        assert home.workspace.secrets.read("demo")["context"]["installation_token"] != old
        assert app.screen is screen or isinstance(app.screen, AccountsScreen)


async def test_an_unverifiable_answer_without_a_refused_login_offers_no_setup(
    demo_home: DemoHome,
) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await accounts_loaded(pilot, app)
        await settled(pilot)
        demo_home.server.emulator.faults.set({"bad_signature": 1})  # a 200 with a bad signature
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ErrorModal))
        box = app.screen
        assert isinstance(box, ErrorModal) and box.report.setup_again is None
        assert not box.query("#setup-again")
        footer_keys = {b.binding.key for b in box.active_bindings.values()}
        assert "s" not in [k for k, a in box.active_bindings.items() if a.enabled]
        assert "escape" in footer_keys
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ErrorModal))
