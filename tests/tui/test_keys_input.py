"""Key discipline: `?` and `q` lead every footer; hints parse; bad queries hide old rows."""

from __future__ import annotations

import pytest
from demo_home import DemoHome
from textual.widgets import Input
from tui_helpers import accounts_loaded, burst, open_account, until

from bunqtui.core import PaymentFilter
from bunqtui.tui.app import BunqApp
from bunqtui.tui.hints import FILTER_EXAMPLES, SEARCH_EXAMPLES
from bunqtui.tui.widgets.footer import BunqFooter


@pytest.mark.parametrize("example", sorted({*FILTER_EXAMPLES, *SEARCH_EXAMPLES}))
def test_every_hint_example_parses(example: str) -> None:
    assert PaymentFilter.parse(example)  # "since:2026-06" was suggested and refused


@pytest.mark.parametrize("width", [60, 80, 160])
async def test_help_and_quit_lead_every_footer(demo_home: DemoHome, width: int) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(width, 24)) as pilot:
        await accounts_loaded(pilot, app)
        footer = app.screen.query_one(BunqFooter)
        await until(pilot, lambda: footer.shown[:2] == ["help", "quit"])
        await open_account(pilot, app, "Main account")
        footer = app.screen.query_one(BunqFooter)
        await until(pilot, lambda: footer.shown[:2] == ["help", "quit"])
        if width >= 80:
            assert "filter" in footer.shown  # the screen's own keys follow while they fit


async def test_a_bad_query_shows_its_error_not_stale_results(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        payments = await open_account(pilot, app, "Main account")
        await pilot.press("slash")
        box = payments.query_one("#payments-filter", Input)
        box.value = "a"
        await until(pilot, lambda: len(payments.found) > 0)
        box.value = "coffee >abc"
        await pilot.pause(0.3)  # any search still on its way has arrived by now
        assert len(payments.table.source) == 0
        info = str(payments.query_one("#payments-info").content)
        assert info.startswith("Filter:")


async def test_a_filter_typed_in_one_burst_is_applied_whole(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        payments = await open_account(pilot, app, "Main account")
        await until(pilot, lambda: len(payments.cached) > 0)
        await pilot.press(*"/coffee")  # Pilot waits for idle between keys…
        box = payments.query_one("#payments-filter", Input)
        await until(pilot, lambda: box.value == "coffee")
        await pilot.press("escape")  # clears the filter and closes the box
        await until(pilot, lambda: not box.display)
        burst(app, "/coffee")  # …a terminal does not: all keys queued before `/` is handled
        box = payments.query_one("#payments-filter", Input)
        await until(pilot, lambda: box.value == "coffee")
        assert payments.payment_filter.text == "coffee"


async def test_keys_in_a_burst_never_run_the_old_focus_bindings(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        payments = await open_account(pilot, app, "Main account")
        await until(pilot, lambda: len(payments.cached) > 0)
        box = payments.query_one("#payments-filter", Input)
        burst(app, "/coffee >abc")  # pasted: `e` is the export key, and the query is bad
        await until(pilot, lambda: box.value == "coffee >abc")
        await pilot.pause(0.2)
        assert app.screen is payments  # no export dialog opened by `e`
        assert len(payments.table.source) == 0  # the error, not stale results
        assert str(payments.query_one("#payments-info").content).startswith("Filter:")
        box.value = ""
        burst(app, "a\rjj")  # Enter moves to the table: the j's move its cursor
        await until(pilot, lambda: payments.table.cursor_row == 2 and len(payments.found) > 2)
        assert box.value == "a" and payments.table.has_focus


async def test_a_search_typed_in_one_burst_is_applied_whole(demo_home: DemoHome) -> None:
    from bunqtui.tui.screens.search import SearchScreen

    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await accounts_loaded(pilot, app)
        burst(app, "/coffee")  # the search screen is pushed by `/`: the rest must reach its box
        await until(pilot, lambda: isinstance(app.screen, SearchScreen))
        box = app.screen.query_one("#search-input", Input)
        await until(pilot, lambda: box.value == "coffee")


async def test_a_search_without_hits_says_so(demo_home: DemoHome) -> None:
    from bunqtui.tui.screens.search import SearchScreen

    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await accounts_loaded(pilot, app)
        await pilot.press("slash")
        await until(pilot, lambda: isinstance(app.screen, SearchScreen))
        app.screen.query_one("#search-input", Input).value = "zzzqqq"
        info = app.screen.query_one("#search-info")
        await until(pilot, lambda: "No cached payment matches 'zzzqqq'" in str(info.content))
