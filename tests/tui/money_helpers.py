"""Helpers for the TUI's money tests: emulator counts and driving the money form."""

from __future__ import annotations

from demo_home import DemoHome
from textual.pilot import Pilot
from textual.widgets import Input, Static
from tui_helpers import until

from bunqtui.tui.screens.money_forms import MoneyConfirmModal, MoneyFormModal

OUTSIDE = "NL91ABNA0417164300"  # a valid IBAN of no emulator account
FAKE = "[bold]FAKE[/bold]"


def posts(home: DemoHome, what: str = "payment") -> int:
    routes = home.server.emulator.stats.as_dict()["by_route"]
    return sum(n for k, n in routes.items() if k.startswith("POST") and k.endswith("/" + what))


def total(home: DemoHome) -> int:
    return int(home.server.emulator.stats.as_dict()["total"])


def text_of(screen: object, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())  # type: ignore[attr-defined]


async def fill_form(pilot: Pilot, key: str, **values: str) -> MoneyFormModal:
    app = pilot.app
    await pilot.press(key)
    await until(pilot, lambda: isinstance(app.screen, MoneyFormModal))
    form = app.screen
    assert isinstance(form, MoneyFormModal)
    for field, value in values.items():
        form.query_one(f"#money-{field}", Input).value = value
    return form


async def review(pilot: Pilot) -> MoneyConfirmModal:
    await pilot.press("ctrl+s")
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, MoneyConfirmModal))
    assert isinstance(app.screen, MoneyConfirmModal)
    return await seen(pilot, app.screen)


async def seen(pilot: Pilot, confirm: object) -> MoneyConfirmModal:
    """Until the confirmation counts ``y`` (it ignores keys typed ahead of seeing it)."""
    assert isinstance(confirm, MoneyConfirmModal)
    await until(pilot, lambda: confirm.armed)
    return confirm
