"""Issue 11's setup form and export dialog: errors where they belong, said once; the URL has a
label; certificate fields hide while one is generated; Esc on the first run asks; export stays
open with the error, remembers the folder and says "N of M written"."""

from __future__ import annotations

from pathlib import Path

from demo_home import DemoHome
from textual.widgets import Checkbox, Input, Select, Static
from tui_helpers import open_account, until

from bunqtui.core import Workspace
from bunqtui.emulator.server import EmulatorServer
from bunqtui.tui.app import BunqApp
from bunqtui.tui.screens.dialogs import ConfirmModal, ExportModal
from bunqtui.tui.screens.setup import SetupScreen


async def _first_run(pilot, app: BunqApp) -> SetupScreen:  # type: ignore[no-untyped-def]
    await until(pilot, lambda: isinstance(app.screen, SetupScreen))
    assert isinstance(app.screen, SetupScreen)
    return app.screen


async def test_field_errors_sit_by_their_field_and_the_url_has_a_label(
    bunqtui_home: Path,
) -> None:
    app = BunqApp(Workspace.load(bunqtui_home))
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await _first_run(pilot, app)
        screen.query_one("#setup-environment", Select).value = "custom"
        await pilot.pause(0.05)
        row = screen.query_one("#setup-base-url-row")
        assert row.display and "Base URL" in str(row.query_one("Label").content)
        screen.query_one("#setup-base-url", Input).value = "ftp://x"
        await pilot.press("ctrl+s")
        await pilot.pause(0.05)
        error = screen.query_one("#setup-base-url-error", Static)
        assert error.display and "http://" in str(error.content)
        assert error.parent is row  # next to the URL field, not at the bottom
        assert not screen.query_one("#setup-error-box").display
        assert screen.focused is screen.query_one("#setup-base-url")
        screen.query_one("#setup-name", Input).value = "bad name!"
        await pilot.press("ctrl+s")
        await pilot.pause(0.05)
        assert screen.query_one("#setup-name-error", Static).display
        assert not error.display  # the old mistake is gone


async def test_a_failed_setup_says_its_message_once(
    emulator: EmulatorServer, bunqtui_home: Path
) -> None:
    app = BunqApp(Workspace.load(bunqtui_home))
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await _first_run(pilot, app)
        screen.query_one("#setup-environment", Select).value = "emulator"
        await pilot.pause(0.05)
        screen.query_one("#setup-base-url", Input).value = emulator.base_url
        screen.query_one("#field-api_key", Input).value = "sandbox_" + "0" * 56
        await pilot.press("ctrl+s")
        error = screen.query_one("#setup-error", Static)
        await until(pilot, lambda: "Setup failed" in str(error.content))
        message = str(error.content).removeprefix("Setup failed: ")
        steps = str(screen.query_one("#setup-steps", Static).content)
        assert message.splitlines()[0] not in steps  # the step points at the box instead
        assert "failed" in steps
        assert screen.query_one("#setup-error-box").display


async def test_generating_a_certificate_hides_the_certificate_fields(
    bunqtui_home: Path,
) -> None:
    app = BunqApp(Workspace.load(bunqtui_home))
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await _first_run(pilot, app)
        screen.query_one("#setup-connector", Select).value = "psd2"
        await until(pilot, lambda: bool(screen.query("#field-certificate-row")))
        rows = [
            screen.query_one(f"#field-{n}-row") for n in ("certificate", "private_key", "chain")
        ]
        assert all(r.display for r in rows)
        screen.query_one("#field-certificate", Input).value = "/nowhere/cert.pem"
        screen.query_one("#field-generate_sandbox_certificate", Checkbox).value = True
        await pilot.pause(0.05)
        assert not any(r.display for r in rows)
        connector = screen.connector()
        assert connector is not None and "certificate" not in screen.options(connector)
        screen.query_one("#field-generate_sandbox_certificate", Checkbox).value = False
        await pilot.pause(0.05)
        assert all(r.display for r in rows)


async def test_esc_on_the_first_run_asks_before_quitting(bunqtui_home: Path) -> None:
    app = BunqApp(Workspace.load(bunqtui_home))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _first_run(pilot, app)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("n")
        await until(pilot, lambda: app.screen is screen)
        assert app.is_running


async def _open_export(pilot, app: BunqApp) -> ExportModal:  # type: ignore[no-untyped-def]
    await pilot.press("e")
    await until(pilot, lambda: isinstance(app.screen, ExportModal))
    assert isinstance(app.screen, ExportModal)
    return app.screen


async def test_export_keeps_the_dialog_with_the_error_and_remembers_the_folder(
    demo_home: DemoHome, tmp_path: Path
) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        payments = await open_account(pilot, app, "Holiday savings")
        await until(pilot, lambda: len(payments.cached) > 0 and not payments.fetching)
        locked = tmp_path / "a-file"
        locked.write_text("")  # a file where a folder should be: nothing can be written there
        dialog = await _open_export(pilot, app)
        dialog.query_one("#export-path", Input).value = str(locked / "out.csv")
        await pilot.click("#ok")
        error = dialog.query_one("#export-error", Static)
        await until(pilot, lambda: "write" in str(error.content).lower())
        assert app.screen is dialog  # still open: the path can be fixed
        text = str(error.content)
        assert str(locked / "out.csv") in text and ".tmp" not in text
        folder = tmp_path / "exports"
        folder.mkdir()
        dialog.query_one("#export-path", Input).value = str(folder / "savings.csv")
        assert dialog.focused is dialog.query_one("#export-path")  # the error put it there
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is payments)
        await until(pilot, lambda: bool(app._notifications))
        total = len(payments.cached)
        assert any(
            n.message.startswith(f"{total:,} of {total:,} payments written to")
            for n in app._notifications
        )
        again = await _open_export(pilot, app)  # the folder is remembered
        assert again.query_one("#export-path", Input).value == str(folder)
    # …and across runs (a 0600 file next to the cache, no secret in it)
    app = BunqApp(Workspace.load(demo_home.home), demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_account(pilot, app, "Holiday savings")
        dialog = await _open_export(pilot, app)
        assert dialog.query_one("#export-path", Input).value == str(folder)
    state = next((demo_home.home).rglob("demo.ui.json"))
    assert state.stat().st_mode & 0o777 == 0o600


async def test_the_setup_form_takes_the_profile_names_the_store_takes(bunqtui_home: Path) -> None:
    # one rule (core's profile_name_problem): the form once stopped at 40 characters while the
    # CLI and the store take 64, and it must refuse what the store refuses
    app = BunqApp(Workspace.load(bunqtui_home))
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await _first_run(pilot, app)
        screen.query_one("#setup-environment", Select).value = "custom"
        await pilot.pause(0.05)
        screen.query_one("#setup-base-url", Input).value = "ftp://x"
        name_error = screen.query_one("#setup-name-error", Static)
        for name, refused in (("p" * 64, False), ("p" * 65, True), ("../../etc", True)):
            screen.query_one("#setup-name", Input).value = name
            await pilot.press("ctrl+s")
            await pilot.pause(0.05)
            assert name_error.display is refused, name
            # a name it takes goes on to the next check: the URL
            assert screen.query_one("#setup-base-url-error", Static).display is not refused
