"""Requests (accept, reject), a bunq.me link's QR and URL, scheduled payments (cancel), and
requesting money, in the TUI against the emulator."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

import httpx
import pytest
from demo_home import DemoHome
from money_helpers import OUTSIDE, fill_form, posts, review, seen, text_of
from tui_helpers import accounts_loaded, settled, until

from bunqtui.api.models import Pointer
from bunqtui.cli.main import main
from bunqtui.core import Workspace
from bunqtui.core.oneshot import OneShotSession
from bunqtui.tui.app import BunqApp
from bunqtui.tui.screens.accounts import AccountsScreen, AccountsTable
from bunqtui.tui.screens.dialogs import ConfirmModal
from bunqtui.tui.screens.money_forms import BunqMeModal, MoneyConfirmModal
from bunqtui.tui.screens.money_views import RequestsScreen, ScheduledScreen
from bunqtui.tui.widgets.lists import VimDataTable
from bunqtui.tui.widgets.qr import QRCode, qr_text


def _bills(screen: AccountsScreen) -> int:
    row = next(i for i, a in enumerate(screen.accounts) if a.description == "Bills")
    screen.query_one(AccountsTable).move_cursor(row=row)
    return screen.accounts[row].id


def _friend_asks(home: DemoHome, iban: str, *descriptions: str) -> None:
    """Another emulator user asks the demo user for money (lands as incoming requests)."""
    made = httpx.post(
        home.demo.root_url.rstrip("/") + "/_emulator/users",
        json={"kind": "person", "accounts": 1, "payments": 0, "name": "[bold]FAKE[/bold]"},
        timeout=10,
    ).json()
    base = home.workspace.profile("demo").base_url or ""
    args = ["setup", "api-key", "--profile", "friend", "--base-url", base]
    assert main([*args, "--api-key", made["api_key"]]) == 0
    with OneShotSession.open(Workspace.load(home.home), "friend") as session:
        me = session.identity(None)
        account = session.accounts(me)[0].id
    for description in descriptions:
        assert main(["request", "--profile", "friend", "--from", str(account), "--to", iban,
                     "--name", "Demo", "--amount", "2.50", "--description", description,
                     "--yes"]) == 0  # fmt: skip


async def test_requests_accept_pays_and_reject_does_not(
    demo_home: DemoHome, capsys: pytest.CaptureFixture[str]
) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await accounts_loaded(pilot, app)
        await settled(pilot)
        _bills(screen)
        bills = screen.selected_account()
        assert bills is not None and bills.iban and bills.balance
        # the CLI runs its own event loop: in a thread, as in a second terminal
        await asyncio.to_thread(_friend_asks, demo_home, bills.iban, "tui lunch", "tui cinema")
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, RequestsScreen) and app.screen.incoming)
        requests = app.screen
        assert isinstance(requests, RequestsScreen)
        table = requests.query_one("#requests-incoming", VimDataTable)
        by_text = {r.description: i for i, r in enumerate(requests.incoming)}
        table.move_cursor(row=by_text["tui cinema"])
        demo_home.server.emulator.stats.reset()
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, MoneyConfirmModal))
        assert "[bold]FAKE[/bold]" in text_of(app.screen, "#money-lines")  # literally
        await seen(pilot, app.screen)
        await pilot.press("y")
        await until(pilot, lambda: app.screen.outcome is not None)  # type: ignore[attr-defined]
        await pilot.press("escape")

        def status(text: str) -> str | None:
            return next((r.status for r in requests.incoming if r.description == text), None)

        await until(pilot, lambda: status("tui cinema") == "REJECTED")
        assert status("tui lunch") == "PENDING"
        table.move_cursor(row=[r.description for r in requests.incoming].index("tui lunch"))
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, MoneyConfirmModal))
        confirm = app.screen
        assert (
            isinstance(confirm, MoneyConfirmModal) and "this pays it" in confirm.confirmation.title
        )
        await seen(pilot, confirm)
        await pilot.press("y")
        await until(pilot, lambda: confirm.outcome is not None)
        assert "Paid: request" in text_of(confirm, "#money-outcome")
        await pilot.press("escape")
        await until(pilot, lambda: status("tui lunch") == "ACCEPTED")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        moved = next(a for a in screen.accounts if a.id == bills.id)
        assert moved.balance is not None
        assert moved.balance.value == bills.balance.value - Decimal("2.50")
        capsys.readouterr()


async def test_request_money_and_a_bunqme_qr_with_its_url(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await accounts_loaded(pilot, app)
        await settled(pilot)
        _bills(screen)
        await fill_form(pilot, "R", to="sugardaddy@bunq.com", amount="20", description="tui ask")
        confirm = await review(pilot)
        assert "sugardaddy@bunq.com" in text_of(confirm, "#money-lines")
        demo_home.server.emulator.stats.reset()
        await pilot.press("y")
        await until(pilot, lambda: confirm.outcome is not None)
        assert "Request" in text_of(confirm, "#money-outcome") and "sent" in text_of(
            confirm, "#money-outcome"
        )
        assert posts(demo_home, "request-inquiry") == 1
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        await fill_form(pilot, "b", amount="7.5", description="tui pizza")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, BunqMeModal))
        modal = app.screen
        assert isinstance(modal, BunqMeModal)
        url = modal.tab.share_url
        assert url and url.startswith("https://bunq.me/")
        assert url in text_of(modal, "#bunqme-url")
        assert modal.query_one(QRCode).data == url
        assert str(modal.query_one(QRCode).render()) == qr_text(url).plain
        assert "7.50" in text_of(modal, "#bunqme-what")


async def test_scheduled_payments_list_and_cancel(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await accounts_loaded(pilot, app)
        await settled(pilot)
        account_id = _bills(screen)
        with OneShotSession.open(demo_home.workspace, "demo") as session:
            client = session._client(session.identity(None))
            start = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
            schedule_id = client.create_schedule_payment(
                None, account_id, Decimal("30"), Pointer("IBAN", OUTSIDE, "Gym"), "tui gym",
                start=start, unit="MONTHLY",
            )  # fmt: skip
        await pilot.press("S")
        await until(pilot, lambda: isinstance(app.screen, ScheduledScreen) and app.screen.items)
        scheduled = app.screen
        assert isinstance(scheduled, ScheduledScreen)
        row = [s.id for s in scheduled.items].index(schedule_id)
        scheduled.query_one("#scheduled", VimDataTable).move_cursor(row=row)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("y")

        def status() -> str | None:
            return next((s.status for s in scheduled.items if s.id == schedule_id), None)

        await until(pilot, lambda: status() == "CANCELLED")
        assert not scheduled.check_action("cancel_scheduled", ())  # nothing left to cancel
