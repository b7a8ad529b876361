"""Helpers for the TUI tests (fixtures are in conftest.py)."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from textual.app import App
from textual.pilot import Pilot

if TYPE_CHECKING:
    from bunqtui.core import Payment
    from bunqtui.tui.screens.accounts import AccountsScreen
    from bunqtui.tui.screens.login import LoginScreen
    from bunqtui.tui.screens.payments import PaymentsScreen


async def until(
    pilot: Pilot, condition: Callable[[], object], timeout: float = 15.0, step: float = 0.05
) -> None:
    """Let the app run until ``condition()`` is true (workers talk to the emulator meanwhile)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {condition}")
        await pilot.pause(step)


async def settled(pilot: Pilot) -> None:
    """Until no worker runs (so an injected fault meets the request the test means)."""
    await until(pilot, lambda: not [w for w in pilot.app.workers if w.is_running])


def listening(url: str) -> bool:
    """Something accepts connections on the host and port of ``url`` (the login's listener)."""
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 80), timeout=0.2):
            return True
    except OSError:
        return False


async def open_login(pilot: Pilot, app: App) -> LoginScreen:  # type: ignore[type-arg]
    """From the accounts screen, `n` until the QR login's listener accepts the callback."""
    from bunqtui.tui.screens.accounts import AccountsScreen
    from bunqtui.tui.screens.login import LoginScreen

    await until(pilot, lambda: isinstance(app.screen, AccountsScreen) and app.screen.identities)
    await pilot.press("n")
    await until(pilot, lambda: isinstance(app.screen, LoginScreen) and app.screen.request)
    login = app.screen
    assert isinstance(login, LoginScreen) and login.request is not None
    request = login.request
    await until(pilot, lambda: listening(request.redirect_uri))
    return login


async def accounts_loaded(pilot: Pilot, app: App) -> AccountsScreen:  # type: ignore[type-arg]
    """Until the accounts screen shows accounts."""
    from bunqtui.tui.screens.accounts import AccountsScreen

    await until(pilot, lambda: isinstance(app.screen, AccountsScreen) and app.screen.accounts)
    assert isinstance(app.screen, AccountsScreen)
    return app.screen


async def open_account(pilot: Pilot, app: App, description: str) -> PaymentsScreen:  # type: ignore[type-arg]
    """From the accounts screen, Enter on the account with ``description``."""
    from bunqtui.tui.screens.accounts import AccountsTable
    from bunqtui.tui.screens.payments import PaymentsScreen

    screen = await accounts_loaded(pilot, app)
    row = next(i for i, a in enumerate(screen.accounts) if a.description == description)
    screen.query_one(AccountsTable).move_cursor(row=row)
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, PaymentsScreen))
    assert isinstance(app.screen, PaymentsScreen)
    return app.screen


def shown_payments(payments: PaymentsScreen) -> list[Payment]:
    """Every payment the payments table shows (filtered or not), in its order."""
    rows = payments.table.source
    return [rows.payment(i) for i in range(len(rows))]  # type: ignore[attr-defined]


def burst(app: App, text: str) -> None:  # type: ignore[type-arg]
    """Keys as a terminal delivers typing or a paste: all queued at once, no pause between them
    (``pilot.press`` waits for the app to go idle after each key)."""
    from textual import events
    from textual.keys import _character_to_key

    driver = app._driver
    assert driver is not None
    for char in text:
        key = {"\r": "enter", "\t": "tab"}.get(char) or (
            char if char.isalnum() else _character_to_key(char)
        )
        event = events.Key(key, char)
        event.set_sender(app)
        driver.send_message(event)
