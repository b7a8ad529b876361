"""The cards view (``c`` on the accounts screen) against the emulator: every change is asked in
a dialog whose default is Cancel; lost/stolen asks a second time naming the card; a hostile
line on a card shows literally."""

from __future__ import annotations

from typing import Any

from demo_home import DemoHome
from test_hostile import on_screen
from textual.pilot import Pilot
from textual.widgets import Static
from tui_helpers import accounts_loaded, until

from bunqtui.tui.app import BunqApp
from bunqtui.tui.screens.cards import CardConfirmModal, CardsScreen, CardsTable


def world_card(demo_home: DemoHome, line: str) -> Any:
    return next(c for c in demo_home.server.world.cards if c.second_line == line)


def second_dialog(app: BunqApp, first: object) -> bool:
    return isinstance(app.screen, CardConfirmModal) and app.screen is not first


async def open_cards(pilot: Pilot, app: BunqApp, line: str) -> CardsScreen:
    await accounts_loaded(pilot, app)
    await pilot.press("c")
    await until(pilot, lambda: isinstance(app.screen, CardsScreen) and app.screen.loaded)
    screen = app.screen
    assert isinstance(screen, CardsScreen)
    row = next(i for i, c in enumerate(screen.cards) if c.second_line == line)
    screen.query_one(CardsTable).move_cursor(row=row)
    return screen


async def test_freeze_defaults_to_cancel_then_freezes_and_unfreezes(demo_home: DemoHome) -> None:
    card = world_card(demo_home, "Online shopping")
    assert card.status == "ACTIVE"
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_cards(pilot, app, "Online shopping")
        on_screen(app, "Online shopping", "Active", "mastercard virtual", "Bills")
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, CardConfirmModal))
        await pilot.press("enter")  # the focused button is Cancel
        await until(pilot, lambda: app.screen is screen)
        await pilot.pause(0.2)
        assert card.status == "ACTIVE"  # nothing was sent

        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, CardConfirmModal))
        await pilot.press("y")
        await until(pilot, lambda: card.status == "DEACTIVATED")
        await until(pilot, lambda: screen.selected_card().status == "DEACTIVATED")  # type: ignore[union-attr]
        on_screen(app, "Frozen")

        await pilot.press("u", "y")
        await until(pilot, lambda: card.status == "ACTIVE")
        await until(pilot, lambda: screen.selected_card().status == "ACTIVE")  # type: ignore[union-attr]


async def test_lost_asks_twice_naming_the_card(demo_home: DemoHome) -> None:
    card = world_card(demo_home, "Spare card")
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_cards(pilot, app, "Spare card")
        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, CardConfirmModal))
        first = app.screen
        await pilot.press("y")
        await until(
            pilot, lambda: isinstance(app.screen, CardConfirmModal) and app.screen is not first
        )
        second = app.screen
        question = str(second.query_one("#card-question", Static).content)
        assert "Spare card" in question and "for good" in question
        assert card.status == "DEACTIVATED"  # one yes sends nothing
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        await pilot.pause(0.2)
        assert card.status == "DEACTIVATED"

        await pilot.press("l", "y")
        await until(
            pilot, lambda: isinstance(app.screen, CardConfirmModal) and app.screen is not first
        )
        await pilot.press("y")
        await until(pilot, lambda: card.status == "LOST")
        await until(pilot, lambda: screen.selected_card().status == "LOST")  # type: ignore[union-attr]
        await pilot.press("u")  # a lost card cannot change again: no dialog, a warning
        await pilot.pause(0.2)
        assert app.screen is screen


async def test_a_hostile_card_line_shows_literally(demo_home: DemoHome) -> None:
    card = (
        world_card(demo_home, "Anna's card")
        if any(c.second_line == "Anna's card" for c in demo_home.server.world.cards)
        else demo_home.server.world.cards[0]
    )
    before = card.second_line
    card.second_line = "[@click=app.quit]x[/] \x1b]0;pwned\x07 \u202eevil"
    try:
        app = BunqApp(demo_home.workspace, demo=demo_home.demo)
        async with app.run_test(size=(140, 30)) as pilot:
            await open_cards(pilot, app, card.second_line)
            on_screen(app, "[@click=app.quit]x[/] \\x1b]0;pwned\\x07")
            await pilot.press("f")  # the dialog names it too, whole
            await until(pilot, lambda: isinstance(app.screen, CardConfirmModal))
            on_screen(app, "[@click=app.quit]x[/]", "\\x1b]0;pwned\\x07", "\\u202eevil")
            assert app.is_running
    finally:
        card.second_line = before
