"""The money overview: this month's in/out/net per account and in total, a balance chart, and
the count and sum of a filter — all from the cache, with no request."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from demo_home import DemoHome
from textual.widgets import Sparkline, Static
from tui_helpers import accounts_loaded, open_account, settled, until

from bunqtui.core.overview import Overview, month_start
from bunqtui.emulator.seed import SEED_END
from bunqtui.tui.app import BunqApp
from bunqtui.tui.formatting import money
from bunqtui.tui.screens.accounts import AccountsTable, flow_line, month_net

NOW = SEED_END  # the demo's history ends here: its month has payments


def _expected_month(demo_home: DemoHome, description: str) -> tuple[Decimal, Decimal]:
    world = demo_home.server.world
    account = next(
        a
        for a in world.accounts.values()
        if a.owner_id == world.demo_user_id and a.description == description
    )
    since = month_start(NOW)

    def created(p) -> dt.datetime:  # type: ignore[no-untyped-def]
        return p.created if p.created.tzinfo else p.created.replace(tzinfo=dt.UTC)

    amounts = [p.amount for p in account.payments if created(p) >= since]
    assert amounts  # the demo has payments this month (the seed ends today)
    return sum((a for a in amounts if a >= 0), Decimal(0)), sum(
        (a for a in amounts if a < 0), Decimal(0)
    )


async def test_this_months_flows_and_the_balance_chart(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    app.clock = lambda: NOW
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await accounts_loaded(pilot, app)
        await settled(pilot)  # the sparkline pages are cached: the month is complete
        stats = demo_home.server.emulator.stats
        stats.reset()
        row = next(i for i, a in enumerate(screen.accounts) if a.description == "Bills")
        screen.query_one(AccountsTable).move_cursor(row=row)
        month = screen.query_one("#month", Static)
        await until(pilot, lambda: "\nBills  " in str(month.content))
        text = str(month.content)
        money_in, money_out = _expected_month(demo_home, "Bills")
        line = next(x for x in text.splitlines() if x.startswith("Bills"))
        assert f"out {money(money_out)}" in line and money(money_in + money_out, "EUR") in line
        assert text.startswith("This month, all  in +")
        chart = screen.query_one("#balance-chart", Sparkline)
        assert chart.data and len(chart.data) > 10
        assert stats.as_dict()["total"] == 0  # from the cache only


async def test_a_filter_says_how_many_and_how_much(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(120, 30)) as pilot:
        payments = await open_account(pilot, app, "Main account")
        await until(pilot, lambda: len(payments.cached) > 0 and not payments.fetching)
        payments.action_filter()
        payments.query_one("#payments-filter").value = "coffee"  # type: ignore[attr-defined]
        await until(pilot, lambda: len(payments.found) > 0)
        found = payments.found.payments
        total = sum((p.amount.value for p in found), Decimal(0))
        info = str(payments.query_one("#payments-info", Static).content)
        assert f"{len(found):,} match 'coffee'  ·  {money(total, 'EUR')}" in info


async def test_a_quiet_month_is_not_called_uncached(demo_home: DemoHome) -> None:
    """Two months after the demo's history ends: the payments are cached, none is this month."""
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    app.clock = lambda: NOW + dt.timedelta(days=62)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await accounts_loaded(pilot, app)
        await settled(pilot)
        month = screen.query_one("#month", Static)
        await until(pilot, lambda: "This month, all  no payments this month" in str(month.content))
        assert "no payments cached" not in str(month.content)


def test_partial_months_say_what_the_cache_covers() -> None:
    partial = Overview(partial_since=dt.datetime(2026, 11, 14, 9, 30, tzinfo=dt.UTC))
    partial.by_currency = {}
    line = str(flow_line("Main", partial, uncached=2))
    assert "cached since 14 Nov" in line and "2 accounts not cached" in line
    assert "no payments this month" not in line  # some are, before the cached ones
    whole = Overview()
    assert str(flow_line("Main", whole)) == "Main  no payments this month"
    assert str(month_net(whole)) == ""


def test_an_account_name_in_the_month_line_is_printable_text() -> None:
    """The label is the account's description, which bunq (or a joint account's co-owner)
    wrote: it reaches the terminal with its controls written out, and as text, not markup."""
    line = flow_line("Savings \x1b[2J\u202e[bold]x[/bold]", Overview())
    assert "\x1b" not in line.plain and "\u202e" not in line.plain
    assert "\\x1b[2J" in line.plain and "[bold]x[/bold]" in line.plain
