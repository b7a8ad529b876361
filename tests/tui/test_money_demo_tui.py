"""The demo can do all of it, in the TUI: on the demo's main account, Bravo's seeded request
is accepted from the requests view (the payment is booked, the balance moves) and the seeded
scheduled payment is cancelled from the scheduled view — nothing made first."""

from __future__ import annotations

from decimal import Decimal

from demo_home import DemoHome
from money_helpers import posts, seen, text_of
from tui_helpers import accounts_loaded, settled, until

from bunqtui.tui.app import BunqApp
from bunqtui.tui.screens.accounts import AccountsTable
from bunqtui.tui.screens.dialogs import ConfirmModal
from bunqtui.tui.screens.money_forms import MoneyConfirmModal
from bunqtui.tui.screens.money_views import RequestsScreen, ScheduledScreen
from bunqtui.tui.widgets.lists import VimDataTable


async def test_the_demo_accepts_a_seeded_request_and_cancels_the_scheduled_payment(
    demo_home: DemoHome,
) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(110, 34)) as pilot:
        screen = await accounts_loaded(pilot, app)
        await settled(pilot)
        row = next(i for i, a in enumerate(screen.accounts) if a.description == "Main account")
        screen.query_one(AccountsTable).move_cursor(row=row)
        main = screen.selected_account()
        assert main is not None and main.balance is not None

        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, RequestsScreen) and app.screen.incoming)
        requests = app.screen
        assert isinstance(requests, RequestsScreen)
        chosen = next(r for r in requests.incoming if r.description == "Concert tickets")
        assert chosen.status == "PENDING"
        table = requests.query_one("#requests-incoming", VimDataTable)
        table.move_cursor(row=requests.incoming.index(chosen))
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, MoneyConfirmModal))
        confirm = app.screen
        assert isinstance(confirm, MoneyConfirmModal)
        assert "B. Tester" in text_of(confirm, "#money-lines")
        await seen(pilot, confirm)
        await pilot.press("y")
        await until(pilot, lambda: confirm.outcome is not None)
        assert "Paid: request" in text_of(confirm, "#money-outcome")
        assert posts(demo_home, "payment") == 0  # accepting is a PUT that books it
        await pilot.press("escape")

        def status() -> str | None:
            return next((r.status for r in requests.incoming if r.id == chosen.id), None)

        await until(pilot, lambda: status() == "ACCEPTED")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        moved = next(a for a in screen.accounts if a.id == main.id)
        assert moved.balance is not None
        assert moved.balance.value == main.balance.value - Decimal("37.50")

        await pilot.press("S")
        await until(pilot, lambda: isinstance(app.screen, ScheduledScreen) and app.screen.items)
        scheduled = app.screen
        assert isinstance(scheduled, ScheduledScreen)
        (gym,) = scheduled.items
        assert gym.description == "Gym membership" and gym.status == "ACTIVE"
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("y")
        await until(pilot, lambda: scheduled.items[0].status == "CANCELLED")
        assert not scheduled.check_action("cancel_scheduled", ())
