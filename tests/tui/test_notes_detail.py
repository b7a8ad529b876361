"""Notes in the payment detail against the emulator: shown, added (n) and edited (N) through a
small dialog that refuses an empty note; a hostile note shows literally."""

from __future__ import annotations

from demo_home import DemoHome
from test_hostile import on_screen
from textual.widgets import Input, Static
from tui_helpers import open_account, until

from bunqtui.tui.app import BunqApp
from bunqtui.tui.screens.detail import PaymentDetailScreen
from bunqtui.tui.screens.dialogs import InputModal

HOSTILE_NOTE = "[/x] [link=https://evil.example]pay[/link] \x1b[2J\u202eevil"


async def test_add_then_edit_a_note_and_a_hostile_one_shows_literally(
    demo_home: DemoHome,
) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(120, 40)) as pilot:
        payments = await open_account(pilot, app, "Bills")
        await until(pilot, lambda: len(payments.cached) and not payments.fetching)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, PaymentDetailScreen))
        detail = app.screen
        assert isinstance(detail, PaymentDetailScreen)
        await until(pilot, lambda: detail.notes is not None)
        assert detail.notes == []
        notes = detail.query_one("#detail-notes", Static)
        assert "none yet" in str(notes.content)

        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, InputModal))
        await pilot.press("enter")  # empty: refused in the dialog, nothing sent
        assert isinstance(app.screen, InputModal)
        assert "empty" in str(app.screen.query_one("#dialog-error", Static).content)
        await pilot.press(*"split with Bo")
        await pilot.press("enter")
        await until(pilot, lambda: detail.notes and detail.notes[0].content == "split with Bo")

        await pilot.press("N")  # edit the newest, prefilled
        await until(pilot, lambda: isinstance(app.screen, InputModal))
        box = app.screen.query_one("#dialog-input", Input)
        assert box.value == "split with Bo"
        box.value = HOSTILE_NOTE
        await pilot.press("enter")
        await until(pilot, lambda: detail.notes and detail.notes[0].content == HOSTILE_NOTE)
        assert len(detail.notes or []) == 1  # edited, not added
        on_screen(app, "[/x] [link=https://evil.example]pay[/link] \\x1b[2J\\u202eevil")
        assert app.is_running
