"""The confirmation counts only a deliberate ``y``: one typed ahead of the dialog (while the plan
was being made, or the instant it appeared) sends nothing. Once bunq booked the payment, a
refresh that fails afterwards is "Paid" with a note, never "Not sent"."""

from __future__ import annotations

import httpx
import pytest
from demo_home import DemoHome
from money_helpers import OUTSIDE, fill_form, posts, seen, text_of
from textual.widgets import Button
from tui_helpers import accounts_loaded, settled, until

from bunqtui.core.money import MoneyDesk
from bunqtui.tui.app import BunqApp
from bunqtui.tui.screens.money_forms import MoneyConfirmModal
from bunqtui.tui.widgets.footer import BunqFooter


async def test_a_y_typed_before_the_dialog_was_seen_sends_nothing(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await accounts_loaded(pilot, app)
        await settled(pilot)
        await fill_form(pilot, "s", to=OUTSIDE, name="Albert", amount="1.10", description="ahead")
        demo_home.server.emulator.stats.reset()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, MoneyConfirmModal))
        confirm = app.screen
        assert isinstance(confirm, MoneyConfirmModal)
        await pilot.press("y")  # the instant it appears: not read yet
        await pilot.click("#confirm")  # nor by the mouse
        assert confirm.sends == 0 and confirm.outcome is None
        await seen(pilot, confirm)
        assert posts(demo_home) == 0
        await pilot.press("y")
        await until(pilot, lambda: confirm.outcome is not None)
        assert confirm.sends == 1 and posts(demo_home) == 1
        assert "Paid: payment" in text_of(confirm, "#money-outcome")
        # sent once: the Confirm button is gone, the footer offers only closing
        await until(pilot, lambda: not confirm.query_one("#confirm", Button).display)
        await until(pilot, lambda: confirm.query_one(BunqFooter).shown == ["close"])


async def test_a_refresh_failing_after_booking_says_paid_not_not_sent(
    demo_home: DemoHome, monkeypatch: pytest.MonkeyPatch
) -> None:
    faults = demo_home.demo.root_url.rstrip("/") + "/_emulator/faults"
    original = MoneyDesk.refresh_after

    def refresh(self: MoneyDesk, *args: object, **kwargs: object) -> object:
        # the POST was answered; the GET after it gets an answer that does not verify
        httpx.post(faults, json={"bad_signature": 1}, timeout=10).raise_for_status()
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(MoneyDesk, "refresh_after", refresh)
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await accounts_loaded(pilot, app)
        await settled(pilot)
        await fill_form(pilot, "s", to=OUTSIDE, name="Albert", amount="1.20", description="noted")
        demo_home.server.emulator.stats.reset()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, MoneyConfirmModal))
        confirm = await seen(pilot, app.screen)
        await pilot.press("y")
        await until(pilot, lambda: confirm.outcome is not None)
        said = text_of(confirm, "#money-outcome")
        assert posts(demo_home) == 1
        assert said.startswith("Paid: payment") and "could not be refreshed" in said, said
        assert "Not sent" not in said and confirm.outcome is not None
        assert confirm.outcome.went_through is True
