"""Issue 11's polish: money coloured by the theme, columns that drop by priority, "…" for long
names, the this-month column, freshness in the status bar, the help text, ctrl+c's notice."""

from __future__ import annotations

import re

import pytest
from demo_home import DemoHome
from rich.color import Color as RichColor
from textual.color import Color
from textual.pilot import Pilot
from tui_helpers import accounts_loaded, open_account, settled, until

from bunqtui.core.query import PaymentFilter
from bunqtui.emulator.seed import SEED_END
from bunqtui.tui.app import BunqApp
from bunqtui.tui.screens.accounts import AccountsTable
from bunqtui.tui.screens.help import FILTER_EXAMPLES, HelpScreen
from bunqtui.tui.screens.payments import PaymentsScreen
from bunqtui.tui.widgets.status import StatusBar


def screen_text(app: BunqApp) -> str:
    """What the terminal shows, as text."""
    update = app.screen._compositor.render_full_update()
    return "\n".join("".join(s.text for s in strip) for strip in update.strips)


async def _payments(pilot: Pilot, app: BunqApp) -> PaymentsScreen:
    payments = await open_account(pilot, app, "Main account")
    await until(pilot, lambda: len(payments.cached) > 0 and not payments.fetching)
    await pilot.pause(0.05)
    return payments


@pytest.mark.parametrize(
    ("width", "payments_columns", "accounts_columns"),
    [
        (
            60,
            ["counterparty", "description", "amount"],
            ["type", "description", "balance", "month"],
        ),
        (
            80,
            ["date", "counterparty", "description", "amount", "balance"],
            ["type", "description", "balance", "status", "trend", "month"],
        ),
        (
            100,
            ["date", "counterparty", "description", "amount", "balance"],
            ["type", "description", "balance", "status", "trend", "month"],  # beside identities
        ),
    ],
)
async def test_columns_drop_by_priority_and_the_amount_stays(
    demo_home: DemoHome, width: int, payments_columns: list[str], accounts_columns: list[str]
) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(width, 24)) as pilot:
        screen = await accounts_loaded(pilot, app)
        await settled(pilot)
        table = screen.query_one(AccountsTable)
        assert table.shown_columns == accounts_columns
        # the balance shows whole, at every width
        assert "181,007.68 EUR" in screen_text(app)
        payments = await _payments(pilot, app)
        assert payments.table.shown_columns == payments_columns
        newest = payments.cached.payment(0)
        text = screen_text(app)
        assert f"{newest.amount.value:,.2f} EUR" in text  # the amount, whole
        header = next(line for line in text.splitlines() if "Description" in line)
        assert "Amount" in header


async def test_long_names_end_in_an_ellipsis(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(60, 24)) as pilot:
        screen = await accounts_loaded(pilot, app)
        await settled(pilot)
        text = screen_text(app)
        cut = 0
        for account in screen.accounts:  # whole, or cut with "…" (DataTable wrapped them)
            name = account.description or ""
            if name in text:
                continue
            shown = next(
                name[:n] + "…" for n in range(len(name) - 1, 0, -1) if name[:n] + "…" in text
            )
            assert len(shown) >= 6
            cut += 1
        assert cut  # at 60 columns some name is too long for its column


def _amount_colour(payments: PaymentsScreen) -> RichColor | None:
    """The colour of the newest payment's amount (money out in the demo) as drawn."""
    table = payments.table
    newest = payments.cached.payment(0)
    assert newest.amount.value < 0
    amount = f"{newest.amount.value:,.2f}"
    line = table.render_line(1)  # the first row under the header
    segment = next(s for s in line if amount in s.text)
    assert segment.style is not None
    return segment.style.color


async def test_money_out_takes_the_themes_colour(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        payments = await _payments(pilot, app)
        seen = {}
        for theme in ("textual-dark", "gruvbox"):
            app.theme = theme
            await pilot.pause(0.1)
            expected = Color.parse(app.get_css_variables()["text-error"]).rich_color
            seen[theme] = _amount_colour(payments)
            assert seen[theme] == expected, theme
        assert seen["textual-dark"] != seen["gruvbox"]  # it follows the theme: not fixed red


async def test_every_account_has_this_months_net(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    app.clock = lambda: SEED_END
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await accounts_loaded(pilot, app)
        await settled(pilot)
        table = screen.query_one(AccountsTable)
        month = screen.month_overview()
        for account in screen.accounts:
            cell = str(table.get_cell(str(account.id), "month"))
            overview = month[account.id]
            assert overview is not None  # every account's sparkline page is cached by now
            flows = overview.by_currency.get("EUR")
            if flows is None:
                assert cell == ""
            else:  # "+1,234.00 EUR" / "-56.00 EUR": the net, signed
                assert cell.lstrip("+") == f"{flows.net:,.2f} EUR"
        assert any(str(table.get_cell(str(a.id), "month")) for a in screen.accounts)


async def test_the_status_bar_says_when_bunq_last_answered(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    app.clock = lambda: SEED_END
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await accounts_loaded(pilot, app)
        status = screen.query_one(StatusBar)
        stamp = f"updated {SEED_END.astimezone():%H:%M}"
        await until(pilot, lambda: stamp in str(status.content))
        status.set_fresh("")
        await pilot.press("r")  # a refresh says again when it finished
        await until(pilot, lambda: stamp in str(status.content))


async def test_help_speaks_to_users_and_its_examples_work(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 60)) as pilot:
        await accounts_loaded(pilot, app)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause(0.05)
        text = screen_text(app)
        for note in ("PaymentFilter", "sql", "``", "haystack", "UTC"):
            assert note not in text
        assert "coffee" in text and "since:2026-01-01" in text
    for example, _ in FILTER_EXAMPLES:  # every example is one the filter takes
        assert PaymentFilter.parse(example)
    assert PaymentFilter.parse("coffee >-10 since:2026-01-01")


async def test_ctrl_c_says_which_key_quits_in_plain_text(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await accounts_loaded(pilot, app)
        await pilot.press("ctrl+c")
        await until(pilot, lambda: bool(app._notifications))
        messages = [n.message for n in app._notifications]
        # Textual's own text was "Press [b]ctrl+q[/b] to quit", shown with its markup
        assert any(re.fullmatch(r"Press (\^q|q) to quit the app\.", m) for m in messages)
        assert not any("[" in m for m in messages)
