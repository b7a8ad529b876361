"""The search screen drops columns by priority on a narrow terminal, as the payments screen does
(the same ``Column.drop`` of RowsTable): the account goes first, then the date; the amount
always shows whole."""

from __future__ import annotations

import pytest
from demo_home import DemoHome
from test_polish import screen_text
from tui_helpers import accounts_loaded, settled, until

from bunqtui.tui.app import BunqApp
from bunqtui.tui.screens.search import SearchScreen, SearchTable

ALL = ["date", "account", "counterparty", "description", "amount"]


@pytest.mark.parametrize(
    ("width", "columns"),
    [
        (60, ["counterparty", "description", "amount"]),  # as the payments screen at 60
        (80, ALL),
        (160, ALL),
    ],
)
async def test_search_columns_drop_by_priority_and_the_amount_stays(
    demo_home: DemoHome, width: int, columns: list[str]
) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(width, 24)) as pilot:
        await accounts_loaded(pilot, app)
        await settled(pilot)  # the sparklines cached the newest page of every account
        await pilot.press("slash")
        await until(pilot, lambda: isinstance(app.screen, SearchScreen))
        search = app.screen
        assert isinstance(search, SearchScreen)
        await pilot.press(*"<-150")
        table = search.query_one(SearchTable)
        await until(pilot, lambda: table.row_count > 0)
        await pilot.pause(0.05)
        assert table.shown_columns == columns
        newest = search.matches.payment(0)
        text = screen_text(app)
        assert f"{newest.amount.value:,.2f} EUR" in text  # the amount, whole
        header = next(line for line in text.splitlines() if "Counterp" in line)
        assert "Amount" in header
        assert ("Account" in header) == ("account" in columns)
