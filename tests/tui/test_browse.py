"""Browsing against the emulator: accounts, payments, detail, raw JSON, paging, filter, export."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from demo_home import DemoHome
from textual.widgets import Input, OptionList, Static
from tui_helpers import open_account, shown_payments, until

from bunqtui.tui.app import BunqApp
from bunqtui.tui.screens.accounts import AccountsScreen, AccountsTable
from bunqtui.tui.screens.detail import PaymentDetailScreen
from bunqtui.tui.screens.payments import PaymentsScreen, PaymentsTable


async def open_cached(pilot, app: BunqApp, description: str) -> PaymentsScreen:  # type: ignore[no-untyped-def]
    """Open the account's payments, once the first of them are on screen."""
    payments = await open_account(pilot, app, description)
    await until(pilot, lambda: len(payments.cached) > 0)
    return payments


async def test_accounts_show_balances_totals_and_sparklines(demo_home: DemoHome) -> None:
    world = demo_home.server.world
    expected = {
        a.description: a.balance
        for a in world.accounts.values()
        if a.owner_id == world.demo_user_id
    }
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, AccountsScreen) and app.screen.accounts)
        screen = app.screen
        assert isinstance(screen, AccountsScreen)
        await until(pilot, lambda: app.ready_seconds is not None)  # the frame was drawn
        table = screen.query_one(AccountsTable)
        shown = {str(table.get_cell_at((i, 1))): table.get_cell_at((i, 3)).plain for i in range(4)}
        assert shown == {d: f"{b:,.2f} EUR" for d, b in expected.items()}
        total = screen.query_one("#totals", Static).render()
        assert f"{sum(expected.values()):,.2f} EUR" in str(total)
        # the identity list learnt the user's name with one extra request
        await until(
            pilot,
            lambda: "Visser" in str(screen.query_one(OptionList).get_option_at_index(0).prompt),
        )
        await until(pilot, lambda: all(str(table.get_cell_at((i, 5))) for i in range(4)))
        assert all(set(str(table.get_cell_at((i, 5)))) <= set("▁▂▃▄▅▆▇█") for i in range(4))


async def test_payment_detail_and_raw_json(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        payments = await open_cached(pilot, app, "Bills")
        newest = payments.cached.payment(0)
        assert payments.query_one(PaymentsTable).row_count == len(payments.cached)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, PaymentDetailScreen))
        detail = app.screen
        assert isinstance(detail, PaymentDetailScreen) and detail.payment.id == newest.id
        assert not detail.query_one("#detail-raw").display
        await pilot.press("r")
        assert detail.query_one("#detail-raw").display
        syntax = detail.query_one("#detail-raw", Static).content
        assert json.loads(syntax.code) == newest.raw  # type: ignore[union-attr]
        await pilot.press("escape")
        assert app.screen is payments
        await pilot.press("escape")
        assert isinstance(app.screen, AccountsScreen)


async def test_scrolling_a_2400_payment_account_to_its_end(demo_home: DemoHome) -> None:
    world = demo_home.server.world
    main = next(
        a
        for a in world.accounts.values()
        if a.owner_id == world.demo_user_id and a.description == "Main account"
    )
    total = len(main.payments)
    assert total >= 2000
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        payments = await open_cached(pilot, app, "Main account")
        table = payments.query_one(PaymentsTable)
        await until(pilot, lambda: not payments.fetching)
        assert len(payments.cached) == 200  # one page, not the whole history
        await pilot.press("G")  # the true end: every older page is fetched, then the cursor
        await until(pilot, lambda: payments.complete and not payments.fetching)
        await until(pilot, lambda: table.cursor_row == total - 1)
        ids = payments.cached.ids()
        assert len(ids) == len(set(ids)) == total
        assert ids == sorted(ids, reverse=True)
        assert table.cursor_row == table.row_count - 1 == total - 1
        oldest = min(main.payments, key=lambda p: p.id)
        assert payments.selected_payment() is not None
        assert payments.selected_payment().id == oldest.id  # type: ignore[union-attr]


async def test_filter_by_text_and_amount(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        payments = await open_cached(pilot, app, "Bills")
        table = payments.query_one(PaymentsTable)
        await until(pilot, lambda: not payments.fetching)
        cached = [payments.cached.payment(i) for i in range(len(payments.cached))]

        def party(p) -> str:  # type: ignore[no-untyped-def]
            name = p.counterparty_alias.display_name if p.counterparty_alias else ""
            return f"{p.description} {name}".lower()

        energy = [p.id for p in cached if "energy" in party(p)]
        # the amount must narrow the text's matches, or the test could not tell it is applied
        bound = sorted(p.amount.value for p in cached if p.id in energy)[len(energy) // 2]
        expected = [p.id for p in cached if p.id in energy and p.amount.value < bound]
        assert 0 < len(expected) < len(energy) < len(cached)
        await pilot.press("slash")
        box = payments.query_one("#payments-filter", Input)
        assert box.display and box.has_focus
        await pilot.press(*"energy")
        # waits for the background search, whatever it takes (no fixed pause)
        await until(pilot, lambda: [p.id for p in shown_payments(payments)] == energy)
        assert table.row_count == len(energy)
        box.value = f"energy <{bound}"  # the rest typed at once
        await until(pilot, lambda: [p.id for p in shown_payments(payments)] == expected)
        assert table.row_count == len(expected)
        await pilot.press("enter")  # keep the filter, back to the table
        assert table.has_focus and payments.payment_filter
        await pilot.press("slash", "escape")  # Esc in the box clears it
        await until(pilot, lambda: not payments.payment_filter)
        assert table.row_count == len(payments.cached)


async def test_export_through_the_exporter_plugins(demo_home: DemoHome, tmp_path: Path) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        payments = await open_cached(pilot, app, "Holiday savings")
        await until(pilot, lambda: not payments.fetching)
        await pilot.press("e")
        await until(pilot, lambda: bool(app.screen.query("#export-path")))
        target = tmp_path / "savings.csv"
        path_box = app.screen.query_one("#export-path", Input)
        path_box.value = str(target)
        app.screen.query_one("#export-all").value = True  # type: ignore[attr-defined]
        await pilot.click("#ok")
        await until(pilot, lambda: target.exists())
        rows = list(csv.DictReader(target.open(encoding="utf-8")))
        world = demo_home.server.world
        account = next(a for a in world.accounts.values() if a.description == "Holiday savings")
        assert len(rows) == len(account.payments)
        assert {int(r["id"]) for r in rows} == {p.id for p in account.payments}
