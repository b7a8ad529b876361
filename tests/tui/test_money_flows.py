"""Moving money in the TUI against the emulator: shown before sent (a dialog whose default is
Cancel, names shown literally), validated before sent (field errors, nothing sent), never
twice (a dropped answer is looked up), and the views updated from the cache afterwards."""

from __future__ import annotations

from decimal import Decimal

import httpx
from demo_home import DemoHome
from money_helpers import FAKE, OUTSIDE, fill_form, posts, review, text_of, total
from textual.pilot import Pilot
from textual.widgets import Input
from tui_helpers import accounts_loaded, open_account, settled, shown_payments, until

from bunqtui.core.oneshot import OneShotSession
from bunqtui.tui.app import BunqApp
from bunqtui.tui.screens.accounts import AccountsScreen
from bunqtui.tui.screens.money_forms import MoneyConfirmModal, MoneyFormModal
from bunqtui.tui.screens.payments import PaymentsScreen


async def test_a_refused_confirmation_sends_nothing_and_names_show_literally(
    demo_home: DemoHome,
) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await accounts_loaded(pilot, app)
        await fill_form(pilot, "s", to=OUTSIDE, name=FAKE, amount="3.10", description="[red]x")
        confirm = await review(pilot)
        lines = text_of(confirm, "#money-lines")
        # exactly the plan's lines, other people's text as typed (never markup)
        assert f"{FAKE} ({OUTSIDE})" in lines and "[red]x" in lines
        assert "3.10 EUR" in lines and "from" in lines
        assert confirm.query_one("#cancel").has_focus  # the default is Cancel
        demo_home.server.emulator.stats.reset()
        await pilot.press("enter")  # Enter on the focused default cancels
        await until(pilot, lambda: isinstance(app.screen, MoneyFormModal))
        await review(pilot)
        await pilot.press("n")
        await until(pilot, lambda: not isinstance(app.screen, MoneyConfirmModal))
        await settled(pilot)
        assert posts(demo_home) == 0


async def test_a_bad_amount_or_iban_shows_the_field_error_and_sends_nothing(
    demo_home: DemoHome,
) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await accounts_loaded(pilot, app)
        await settled(pilot)
        form = await fill_form(
            pilot, "s", to="NL91ABNA0417164301", name="Al", amount="1.001", description="x"
        )
        demo_home.server.emulator.stats.reset()
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        assert isinstance(app.screen, MoneyFormModal)
        assert "wrong check digit" in text_of(form, "#money-to-error")
        assert "more than two decimals" in text_of(form, "#money-amount-error")
        assert form.query_one("#money-to-error").display
        form.query_one("#money-to", Input).value = OUTSIDE
        form.query_one("#money-amount", Input).value = "0"
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        assert "not more than zero" in text_of(form, "#money-amount-error")
        assert not form.query_one("#money-to-error").display  # that one is fixed now
        assert total(demo_home) == 0  # not one request


async def _pay_from_bills(pilot: Pilot, app: BunqApp, description: str) -> PaymentsScreen:
    payments = await open_account(pilot, app, "Bills")
    await until(pilot, lambda: len(payments.cached) > 0)
    await settled(pilot)
    await fill_form(pilot, "s", to=OUTSIDE, name="Albert", amount="4.20", description=description)
    return payments


async def test_a_payment_appears_on_top_and_the_balance_moves(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        payments = await _pay_from_bills(pilot, app, "tui rent")
        before = payments.account.balance
        assert before is not None
        confirm = await review(pilot)
        demo_home.server.emulator.stats.reset()
        await pilot.press("y")
        await pilot.press("y")  # a second yes does nothing: the first is in flight or done
        await until(pilot, lambda: confirm.outcome is not None)
        assert confirm.sends == 1 and posts(demo_home) == 1
        assert "Paid: payment" in text_of(confirm, "#money-outcome")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is payments)
        newest = shown_payments(payments)[0]
        assert newest.description == "tui rent" and newest.amount.value == Decimal("-4.20")
        assert payments.table.cursor_row == 0
        assert payments.account.balance is not None
        assert payments.account.balance.value == before.value - Decimal("4.20")
        await settled(pilot)
        # the views came from the cache: the payment, one page of payments, nothing else
        assert posts(demo_home) == 1 and total(demo_home) == 2, (
            demo_home.server.emulator.stats.as_dict()
        )
        await pilot.press("escape")
        accounts = app.screen
        assert isinstance(accounts, AccountsScreen)
        bills = next(a for a in accounts.accounts if a.description == "Bills")
        assert bills.balance is not None and bills.balance.value == before.value - Decimal("4.20")


async def test_a_dropped_answer_is_looked_up_and_paid_exactly_once(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        payments = await _pay_from_bills(pilot, app, "tui dropped")
        confirm = await review(pilot)
        faults = demo_home.demo.root_url.rstrip("/") + "/_emulator/faults"
        httpx.post(faults, json={"drop": 1}, timeout=10).raise_for_status()
        demo_home.server.emulator.stats.reset()
        await pilot.press("y")
        await until(pilot, lambda: confirm.outcome is not None)
        assert posts(demo_home) == 1  # never resent
        said = text_of(confirm, "#money-outcome")
        assert "it went through (payment id" in said
        with OneShotSession.open(demo_home.workspace, "demo") as session:
            identity = session.identity(None)
            page = session.payments(identity, payments.account.id, count=50)
        ours = [p for p in page.items if p.description == "tui dropped"]
        assert len(ours) == 1
        assert f"payment id {ours[0].id}" in said


async def test_money_keys_are_in_the_footer_palette_and_can_be_remapped(
    demo_home: DemoHome,
) -> None:
    from bunqtui.tui.widgets.footer import BunqFooter

    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(160, 30)) as pilot:
        screen = await accounts_loaded(pilot, app)
        await settled(pilot)
        shown = screen.query_one(BunqFooter).shown
        assert shown.index("send_money") < shown.index("request_money") < shown.index("bunqme")
        titles = {str(c.title) for c in app.get_system_commands(screen)}
        assert {"Send", "Request", "Requests", "bunq.me", "Scheduled"} <= titles
        app.set_keymap({"money.send": "f2"})
        await pilot.press("s")  # no longer the key
        await pilot.pause(0.1)
        assert app.screen is screen
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(app.screen, MoneyFormModal))


def test_send_money_confirmation_snapshot(snap_compare, private_demo_home: DemoHome) -> None:  # type: ignore[no-untyped-def]
    # an emulator of its own: the module's shared one has the other tests' payments, in any order
    demo_home = private_demo_home
    from bunqtui.emulator.seed import SEED_END

    async def confirmation(pilot: Pilot) -> None:
        app = pilot.app
        await accounts_loaded(pilot, app)  # type: ignore[arg-type]
        await settled(pilot)
        await fill_form(pilot, "s", to=OUTSIDE, name=FAKE, amount="12.50", description="rent")
        await review(pilot)
        await settled(pilot)
        await pilot.pause(0.1)

    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    app.clock = lambda: SEED_END
    assert snap_compare(app, terminal_size=(100, 30), run_before=confirmation)
