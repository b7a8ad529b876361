"""Requests for money (incoming to answer, sent) and scheduled payments.

Answering goes through the same confirmation as sending (accepting pays). Everything that
names someone or describes something is other people's text: shown through ``untrusted``.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Label, Static

from bunqtui.core.money import (
    MoneyDesk,
    MoneyInputError,
    Outcome,
    RequestInquiry,
    RequestResponse,
    SchedulePayment,
)
from bunqtui.tui.formatting import local_time, money
from bunqtui.tui.safe import untrusted
from bunqtui.tui.screens.base import BunqScreen
from bunqtui.tui.screens.dialogs import ConfirmModal
from bunqtui.tui.screens.money_desk import MoneyTarget, run_desk
from bunqtui.tui.screens.money_forms import MoneyConfirmModal, account_line
from bunqtui.tui.widgets.footer import BunqFooter
from bunqtui.tui.widgets.lists import VimDataTable
from bunqtui.tui.widgets.status import StatusBar

COLUMNS = (("date", "Date", 16), ("who", "Who", 24), ("amount", "Amount", 14),
           ("description", "Description", 24), ("status", "Status", 10))  # fmt: skip


def _row(item: RequestInquiry | RequestResponse | SchedulePayment) -> list[Text]:
    alias = item.counterparty_alias
    who = (alias.display_name or alias.iban) if alias else None
    amount = item.amount if isinstance(item, SchedulePayment) else item.amount_inquired
    when = item.time_start if isinstance(item, SchedulePayment) else item.created
    return [
        untrusted(local_time(when) if when else "—"),
        untrusted(who or "—"),
        untrusted(money(amount.value, amount.currency) if amount else "—", justify="right"),
        untrusted(item.description or ""),
        untrusted((item.status or "").capitalize()),
    ]


def _table(table_id: str) -> VimDataTable:
    table = VimDataTable(id=table_id)
    for key, label, width in COLUMNS:
        table.add_column(label, key=key, width=width)
    return table


class _MoneyView(BunqScreen[None]):
    def __init__(self, target: MoneyTarget) -> None:
        super().__init__()
        self.target = target

    def _where(self, what: str) -> None:
        self.query_one(StatusBar).set_where(f"{self.target.profile}  ·  {what}")

    def action_back(self) -> None:
        self.dismiss(None)


class RequestsScreen(_MoneyView):
    """Incoming requests (to accept or reject) and the ones this account sent."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="requests.back"),
        Binding("a", "answer(True)", "Accept (pay)", id="requests.accept"),
        Binding("x", "answer(False)", "Reject", id="requests.reject"),
        Binding("r", "refresh", "Refresh", id="requests.refresh"),
    ]

    def __init__(self, target: MoneyTarget) -> None:
        super().__init__(target)
        self.incoming: list[RequestResponse] = []
        self.sent: list[RequestInquiry] = []

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Vertical(id="requests-pane"):
            yield Label(untrusted(f"Requests · {account_line(self.target)}"), classes="pane-title")
            yield Label("Incoming — a accepts (pays), x rejects", classes="pane-title")
            yield _table("requests-incoming")
            yield Label("Sent", classes="pane-title")
            yield _table("requests-sent")
            yield Static("", id="requests-info")
        yield BunqFooter()

    def on_mount(self) -> None:
        self._where("requests")
        self.query_one("#requests-incoming", VimDataTable).focus()
        self.load()

    @work(group="bunq-requests", exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        info = self.query_one("#requests-info", Static)
        info.update("loading…")
        identity, account_id = self.target.identity, self.target.account.id
        self.incoming, self.sent = await run_desk(
            self.bunq.workspace,
            self.target.profile,
            lambda desk: desk.requests(identity, account_id),
        )
        for table_id, items in (
            ("#requests-incoming", self.incoming),
            ("#requests-sent", self.sent),
        ):
            table = self.query_one(table_id, VimDataTable)
            table.clear()
            for item in items:
                table.add_row(*_row(item), key=str(item.id))
        pending = sum(1 for r in self.incoming if r.status == "PENDING")
        counts = f"{len(self.incoming)} incoming · {len(self.sent)} sent"
        info.update(untrusted(f"{pending} to answer · {counts}"))
        self.refresh_bindings()

    def selected_incoming(self) -> RequestResponse | None:
        table = self.query_one("#requests-incoming", VimDataTable)
        if not self.incoming or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((r for r in self.incoming if str(r.id) == key), None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "answer":
            chosen = self.selected_incoming()
            return chosen is not None and chosen.status == "PENDING"
        return True

    def action_refresh(self) -> None:
        self.load()

    def action_answer(self, accept: bool) -> None:
        chosen = self.selected_incoming()
        if chosen is not None and chosen.status == "PENDING":
            self.plan_answer(chosen, accept)

    @work(group="bunq-requests-plan", exclusive=True, exit_on_error=False)
    async def plan_answer(self, response: RequestResponse, accept: bool) -> None:
        identity, account_id = self.target.identity, self.target.account.id
        try:
            plan = await run_desk(
                self.bunq.workspace,
                self.target.profile,
                lambda desk: desk.plan_answer(identity, account_id, response.id, accept=accept),
            )
        except MoneyInputError as exc:  # e.g. answered meanwhile (in the bunq app)
            self.notify(str(exc), title="Requests", severity="warning")
            self.load()
            return

        def send(desk: MoneyDesk) -> Outcome:
            return desk.answer(plan)

        def done(outcome: Outcome | None) -> None:
            if outcome is not None:  # the screens below show the moved balance on return
                self.load()

        self.app.push_screen(MoneyConfirmModal(plan.confirmation, send, self.target.profile), done)


class ScheduledScreen(_MoneyView):
    """The account's scheduled (recurring) payments; cancel one after a y/N."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="scheduled.back"),
        Binding("c", "cancel_scheduled", "Cancel payment", id="scheduled.cancel"),
        Binding("r", "refresh", "Refresh", id="scheduled.refresh"),
    ]

    def __init__(self, target: MoneyTarget) -> None:
        super().__init__(target)
        self.items: list[SchedulePayment] = []

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Vertical(id="scheduled-pane"):
            yield Label(
                untrusted(f"Scheduled payments · {account_line(self.target)}"),
                classes="pane-title",
            )
            yield _table("scheduled")
            yield Static("", id="scheduled-info")
        yield BunqFooter()

    def on_mount(self) -> None:
        self._where("scheduled payments")
        self.query_one("#scheduled", VimDataTable).focus()
        self.load()

    @work(group="bunq-scheduled", exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        identity, account_id = self.target.identity, self.target.account.id
        self.items = await run_desk(
            self.bunq.workspace,
            self.target.profile,
            lambda desk: desk.scheduled(identity, account_id),
        )
        table = self.query_one("#scheduled", VimDataTable)
        table.clear()
        for item in self.items:
            table.add_row(*_row(item), key=str(item.id))
        active = sum(1 for s in self.items if s.status == "ACTIVE")
        self.query_one("#scheduled-info", Static).update(
            untrusted(f"{len(self.items)} scheduled · {active} active")
            if self.items
            else untrusted("No scheduled payments on this account.")
        )
        self.refresh_bindings()

    def selected(self) -> SchedulePayment | None:
        table = self.query_one("#scheduled", VimDataTable)
        if not self.items or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((s for s in self.items if str(s.id) == key), None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_scheduled":
            chosen = self.selected()
            return chosen is not None and chosen.status == "ACTIVE"
        return True

    def action_refresh(self) -> None:
        self.load()

    def action_cancel_scheduled(self) -> None:
        chosen = self.selected()
        if chosen is None or chosen.status != "ACTIVE":
            return
        alias = chosen.counterparty_alias
        who = (alias.display_name or alias.iban) if alias else "someone"
        amount = chosen.amount
        shown = money(amount.value, amount.currency) if amount else "an amount"

        def answered(yes: bool | None) -> None:
            if yes:
                self.cancel(chosen.id)

        self.app.push_screen(
            ConfirmModal(
                f"Cancel the scheduled payment {chosen.id} of {shown} to {who} "
                f"({chosen.description or 'no description'})? Nothing more will be paid by it."
            ),
            answered,
        )

    @work(group="bunq-scheduled-cancel", exit_on_error=False)
    async def cancel(self, schedule_id: int) -> None:
        identity, account_id = self.target.identity, self.target.account.id
        await run_desk(
            self.bunq.workspace,
            self.target.profile,
            lambda desk: desk.cancel_scheduled(identity, account_id, schedule_id),
        )
        self.notify(f"Scheduled payment {schedule_id} cancelled.", title="Scheduled")
        self.load()
