"""A payment batch in the TUI against the emulator: `B` opens the batch form (rows typed in, or
a CSV file), bad rows are named and nothing is sent, the confirmation lists every entry and
the total literally with Cancel as its default, and `y` sends the batch once."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from demo_home import DemoHome
from money_helpers import FAKE, OUTSIDE, posts, seen, text_of, total
from textual.pilot import Pilot
from textual.widgets import Input, TextArea
from tui_helpers import accounts_loaded, settled, until

from bunqtui.tui.app import BunqApp
from bunqtui.tui.screens.accounts import AccountsScreen, AccountsTable
from bunqtui.tui.screens.money_batch import BatchFormModal
from bunqtui.tui.screens.money_forms import MoneyConfirmModal

HEADER = "to,name,amount,description\n"


def _bills(screen: AccountsScreen) -> None:
    row = next(i for i, a in enumerate(screen.accounts) if a.description == "Bills")
    screen.query_one(AccountsTable).move_cursor(row=row)


async def _batch_form(pilot: Pilot, app: BunqApp) -> BatchFormModal:
    await pilot.press("B")
    await until(pilot, lambda: isinstance(app.screen, BatchFormModal))
    assert isinstance(app.screen, BatchFormModal)
    return app.screen


async def _review(pilot: Pilot, app: BunqApp) -> MoneyConfirmModal:
    await pilot.press("ctrl+s")
    await until(pilot, lambda: isinstance(app.screen, MoneyConfirmModal))
    return await seen(pilot, app.screen)


async def test_a_typed_batch_is_shown_whole_cancel_sends_nothing_and_y_sends_it_once(
    demo_home: DemoHome,
) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(110, 40)) as pilot:
        screen = await accounts_loaded(pilot, app)
        await settled(pilot)
        # a key with an id, and an entry in the command palette
        assert "money.batch" in {a.binding.id for a in screen.active_bindings.values()}
        assert "Batch" in {command.title for command in app.get_system_commands(screen)}
        _bills(screen)
        bills = screen.selected_account()
        assert bills is not None and bills.balance is not None
        form = await _batch_form(pilot, app)
        rows = f'{HEADER}{OUTSIDE},"{FAKE}",1.50,[red]rent\nbravo@bunq.com,,2.25,tui batch\n'
        form.query_one("#batch-rows", TextArea).text = rows
        confirm = await _review(pilot, app)
        lines = text_of(confirm, "#money-lines")
        assert f"1.50 EUR to {FAKE} ({OUTSIDE}) · [red]rent" in lines  # literally
        assert "2.25 EUR to e-mail bravo@bunq.com · tui batch" in lines
        assert "3.75 EUR in 2 payments" in lines and "Bills" in lines
        assert confirm.query_one("#cancel").has_focus  # the default is Cancel
        demo_home.server.emulator.stats.reset()
        await pilot.press("enter")  # Enter on the focused default cancels
        await until(pilot, lambda: app.screen is form)
        assert posts(demo_home, "payment-batch") == 0

        confirm = await _review(pilot, app)
        await pilot.press("y")
        await pilot.press("y")  # a second y does nothing: sent once
        await until(pilot, lambda: confirm.outcome is not None)
        assert confirm.outcome is not None and confirm.outcome.went_through
        assert "Paid: batch" in text_of(confirm, "#money-outcome")
        assert posts(demo_home, "payment-batch") == 1 and confirm.sends == 1
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        moved = next(a for a in screen.accounts if a.id == bills.id)
        assert moved.balance is not None
        assert moved.balance.value == bills.balance.value - Decimal("3.75")


async def test_bad_rows_are_named_and_nothing_is_sent(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(110, 40)) as pilot:
        await accounts_loaded(pilot, app)
        await settled(pilot)
        form = await _batch_form(pilot, app)
        form.query_one(
            "#batch-rows", TextArea
        ).text = f"{HEADER}{OUTSIDE},A,1,ok\nNL92ABNA0417164300,B,2,x\n{OUTSIDE},C,1.001,y\n"
        demo_home.server.emulator.stats.reset()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "line 3" in text_of(form, "#batch-error"))
        error = text_of(form, "#batch-error")
        assert "wrong check digit" in error and "line 4" in error and "more than two" in error
        assert app.screen is form
        assert total(demo_home) == 0  # not one request


async def test_a_csv_file_is_read_and_shown_only_in_the_confirmation(
    demo_home: DemoHome, tmp_path: Path
) -> None:
    path = tmp_path / "batch.csv"
    more = "".join(f"{OUTSIDE},Albert,1,row {i}\n" for i in range(11))
    path.write_text(f'{HEADER}{OUTSIDE},"{FAKE}\x1b[31m",4,from a file\n{more}', encoding="utf-8")
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(110, 40)) as pilot:
        screen = await accounts_loaded(pilot, app)
        await settled(pilot)
        _bills(screen)
        form = await _batch_form(pilot, app)
        form.query_one("#batch-file", Input).value = str(tmp_path / "missing.csv")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "there is no file" in text_of(form, "#batch-error"))
        form.query_one("#batch-file", Input).value = str(path)
        confirm = await _review(pilot, app)
        lines = text_of(confirm, "#money-lines")
        assert f"4.00 EUR to {FAKE}\\x1b[31m ({OUTSIDE}) · from a file" in lines
        assert "\x1b" not in lines
        assert "row 10" in lines and "15.00 EUR in 12 payments" in lines
        assert confirm.query("#money-lines-scroll")  # a long batch scrolls in the dialog
        await pilot.press("n")
        await until(pilot, lambda: app.screen is form)


async def test_a_file_and_typed_rows_together_are_refused(
    demo_home: DemoHome, tmp_path: Path
) -> None:
    path = tmp_path / "batch.csv"
    path.write_text(f"{HEADER}{OUTSIDE},Albert,1,from the file\n", encoding="utf-8")
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(110, 40)) as pilot:
        await accounts_loaded(pilot, app)
        await settled(pilot)
        form = await _batch_form(pilot, app)
        form.query_one("#batch-file", Input).value = str(path)
        form.query_one("#batch-rows", TextArea).text = f"{HEADER}{OUTSIDE},B,2,typed\n"
        demo_home.server.emulator.stats.reset()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "both given" in text_of(form, "#batch-error"))
        assert app.screen is form and total(demo_home) == 0
        form.query_one("#batch-rows", TextArea).text = HEADER  # only the header: the file counts
        confirm = await _review(pilot, app)
        assert "from the file" in text_of(confirm, "#money-lines")
