"""A statement export from the payments screen (``m``) against the emulator: the form is checked
before anything is sent (errors in the dialog), bunq's progress shows, the file is written 0600
and its path shown."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

from demo_home import DemoHome
from textual.pilot import Pilot
from textual.widgets import Button, Input, Select, Static
from tui_helpers import open_account, until

from bunqtui.tui.app import BunqApp
from bunqtui.tui.screens.payments import PaymentsScreen
from bunqtui.tui.screens.statement import StatementModal

STATEMENT_ROUTE = "POST /v1/user/{id}/monetary-account/{id}/customer-statement"


async def submit(pilot: Pilot, modal: StatementModal) -> None:
    modal.query_one("#ok", Button).press()
    await pilot.pause(0.05)


def statements_asked(demo_home: DemoHome) -> int:
    routes = demo_home.server.emulator.stats.as_dict()["by_route"]
    return sum(v for k, v in routes.items() if k.startswith("POST") and "statement" in k)


async def test_a_statement_from_the_payments_screen(demo_home: DemoHome, tmp_path: Path) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(120, 40)) as pilot:
        payments = await open_account(pilot, app, "Bills")
        await until(pilot, lambda: len(payments.cached) and not payments.fetching)
        days = sorted(p.created.date() for p in (payments.cached.payment(i) for i in range(20)))
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, StatementModal))
        modal = app.screen
        assert isinstance(modal, StatementModal)
        modal.poll_seconds = 0.05  # bunq's floor is 1 s; the emulator needs no pacing here
        error = modal.query_one("#statement-error", Static)
        before = statements_asked(demo_home)

        modal.query_one("#statement-from", Input).value = "2025-13-01"
        await submit(pilot, modal)
        assert "not a date" in str(error.content)
        modal.query_one("#statement-from", Input).value = days[0].isoformat()
        modal.query_one("#statement-to", Input).value = "2999-01-01"
        await submit(pilot, modal)
        assert "future" in str(error.content)
        modal.query_one("#statement-to", Input).value = min(days[-1], dt.date.today()).isoformat()
        modal.query_one("#statement-path", Input).value = str(tmp_path / "missing" / "x.sta")
        await submit(pilot, modal)
        await until(pilot, lambda: "does not exist" in str(error.content))
        assert statements_asked(demo_home) == before  # no mistake reached bunq

        modal.query_one("#statement-format", Select).value = "CSV"
        target = tmp_path / "bills.csv"
        modal.query_one("#statement-path", Input).value = str(target)
        await submit(pilot, modal)
        await until(pilot, lambda: modal.written is not None)
        assert statements_asked(demo_home) == before + 1
        assert modal.statuses and modal.statuses[-1].upper() == "DONE"
        assert str(target) in str(modal.query_one("#statement-progress", Static).content)
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        assert target.read_text().startswith("Date,Interest Date,Amount")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, PaymentsScreen))
