"""Payments of one account: newest first, older pages loaded as the cursor or scroll nears the end.

Loading runs in workers, so keys never wait for the network. ``/`` filters what is loaded
(core.query syntax); Enter opens a payment; ``e`` exports; ``r`` fetches what is new.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Input, Label, Static

from bunqtui.core import Identity, MonetaryAccount, Payment, ProfileSession
from bunqtui.core.query import PaymentFilter
from bunqtui.tui.formatting import counterparty, local_time, money, signed_money
from bunqtui.tui.screens.base import BunqScreen
from bunqtui.tui.screens.dialogs import ExportModal
from bunqtui.tui.widgets.lists import VimDataTable
from bunqtui.tui.widgets.status import StatusBar

# (key, title, width); the description column takes whatever width is left
COLUMNS = [
    ("date", "Date", 16),
    ("counterparty", "Counterparty", 20),
    ("description", "Description", 20),
    ("amount", "Amount", 14),
    ("balance", "Balance after", 14),
]
MIN_DESCRIPTION = 12
PAGE_SIZE = 200  # bunq's largest page: fewest requests
LOAD_AHEAD = 40  # rows before the end at which the next older page is fetched


class PaymentsTable(VimDataTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Details", id="payments.open"),
    ]

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if new_value > old_value and new_value + self.size.height >= self.virtual_size.height - 5:
            screen = self.screen
            if isinstance(screen, PaymentsScreen):
                screen.near_end()


class PaymentsScreen(BunqScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="payments.back"),
        Binding("slash", "filter", "Filter", key_display="/", id="payments.filter"),
        Binding("e", "export", "Export", id="payments.export"),
        Binding("r", "refresh", "Refresh", id="payments.refresh"),
        Binding("L", "load_all", "Load all", id="payments.load-all"),
    ]

    def __init__(
        self,
        profile: str,
        session: ProfileSession,
        identity: Identity,
        account: MonetaryAccount,
    ) -> None:
        super().__init__()
        self.profile = profile
        self.session = session
        self.identity = identity
        self.account = account
        self.payments: list[Payment] = []  # everything loaded, newest first
        self.older_id: int | None = None
        self.complete = False
        self.fetching = False
        self.payment_filter = PaymentFilter()

    # --- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Vertical(id="payments-pane"):
            yield Label(self._heading(), id="payments-title", classes="pane-title")
            yield PaymentsTable(id="payments")
            yield Static("", id="payments-empty", classes="empty")
            yield Input(
                placeholder='Filter: words, 12.50, >100, <0, 10..20, "exact phrase" — Esc clears',
                id="payments-filter",
            )
            yield Static("", id="payments-info")
        yield Footer()

    def _heading(self) -> str:
        account = self.account
        name = account.description or account.iban or f"account {account.id}"
        balance = account.balance
        tail = f"  ·  {money(balance.value, balance.currency)}" if balance else ""
        return f"{self.identity.label} › {name}{tail}"

    def on_mount(self) -> None:
        where = self.query_one(StatusBar)
        where.set_where(f"{self.profile}  ·  payments")
        table = self.query_one(PaymentsTable)
        for key, label, width in COLUMNS:
            title = Text(label, justify="right") if key in ("amount", "balance") else label
            table.add_column(title, key=key, width=width)
        table.flexible = ("description", MIN_DESCRIPTION)
        self.query_one("#payments-filter").display = False
        self.query_one("#payments-empty").display = False
        table.focus()
        self.load_first()

    # --- loading ----------------------------------------------------------------------------

    @work(group="bunq-payments", exclusive=True, exit_on_error=False)
    async def load_first(self) -> None:
        self.fetching = True
        self._info()
        try:
            page = await self.session.payments(self.identity, self.account.id, count=PAGE_SIZE)
        finally:
            self.fetching = False
        self.payments = list(page.items)
        self.older_id = page.older_id
        self.complete = page.older_id is None
        self._render_rows(reset=True)

    def near_end(self) -> None:
        if not self.complete and not self.fetching and self.payments:
            self.load_older()

    @work(group="bunq-payments", exclusive=True, exit_on_error=False)
    async def load_older(self) -> None:
        if self.complete or self.older_id is None:
            return
        self.fetching = True
        self._info()
        try:
            page = await self.session.payments(
                self.identity, self.account.id, older_id=self.older_id, count=PAGE_SIZE
            )
        finally:
            self.fetching = False
        known = {p.id for p in self.payments}
        new = [p for p in page.items if p.id not in known]
        self.payments.extend(new)
        self.older_id = page.older_id
        self.complete = page.older_id is None
        self._append_rows(new)

    async def _load_everything(self) -> None:
        while not self.complete and self.older_id is not None:
            page = await self.session.payments(
                self.identity, self.account.id, older_id=self.older_id, count=PAGE_SIZE
            )
            known = {p.id for p in self.payments}
            new = [p for p in page.items if p.id not in known]
            self.payments.extend(new)
            self.older_id = page.older_id
            self.complete = page.older_id is None
            self._append_rows(new)

    @work(group="bunq-payments", exclusive=True, exit_on_error=False)
    async def load_all(self) -> None:
        self.fetching = True
        try:
            await self._load_everything()
        finally:
            self.fetching = False
            self._info()

    # --- showing ----------------------------------------------------------------------------

    def _row(self, payment: Payment) -> tuple[object, ...]:
        after = payment.balance_after
        return (
            local_time(payment.created),
            counterparty(payment),
            (payment.description or "").replace("\n", " "),
            Text.assemble(
                signed_money(payment.amount.value, payment.amount.currency), justify="right"
            ),
            Text(money(after.value, after.currency) if after else "—", justify="right"),
        )

    def visible(self) -> list[Payment]:
        if not self.payment_filter:
            return self.payments
        return [p for p in self.payments if self.payment_filter.matches(p)]

    def _render_rows(self, *, reset: bool) -> None:
        table = self.query_one(PaymentsTable)
        keep = self.selected_payment() if not reset else None
        table.clear()
        rows = self.visible()
        for payment in rows:
            table.add_row(*self._row(payment), key=str(payment.id))
        if keep is not None and str(keep.id) in table.rows:
            table.move_cursor(row=table.get_row_index(str(keep.id)))
        self._info()

    def _append_rows(self, new: list[Payment]) -> None:
        table = self.query_one(PaymentsTable)
        shown = [p for p in new if self.payment_filter.matches(p)] if self.payment_filter else new
        for payment in shown:
            table.add_row(*self._row(payment), key=str(payment.id))
        self._info()
        if self.payment_filter and len(self.visible()) < table.size.height and not self.complete:
            self.call_later(self.near_end)  # a narrow filter: keep looking further back

    def _info(self) -> None:
        table = self.query_one(PaymentsTable)
        loaded = len(self.payments)
        parts = [f"{loaded:,} payments loaded" + ("" if self.complete else ", more older ones")]
        if self.payment_filter:
            parts.insert(0, f"{table.row_count:,} match {self.payment_filter.text!r}")
        if self.fetching:
            parts.append("loading…")
        elif self.complete:
            parts.append("all loaded")
        self.query_one("#payments-info", Static).update("  ·  ".join(parts))
        empty = self.query_one("#payments-empty", Static)
        nothing = table.row_count == 0 and not self.fetching
        empty.update(
            ("No payment matches the filter." if self.payment_filter else "No payments yet.")
            if nothing
            else ""
        )
        empty.display = nothing

    def selected_payment(self) -> Payment | None:
        table = self.query_one(PaymentsTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((p for p in self.payments if str(p.id) == key), None)

    # --- events and actions -----------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#payments")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= event.data_table.row_count - LOAD_AHEAD:
            self.near_end()

    @on(DataTable.RowSelected, "#payments")
    def _open(self, event: DataTable.RowSelected) -> None:
        from bunqtui.tui.screens.detail import PaymentDetailScreen

        payment = next((p for p in self.payments if str(p.id) == event.row_key.value), None)
        if payment is not None:
            self.app.push_screen(PaymentDetailScreen(payment, self.account))

    def action_back(self) -> None:
        box = self.query_one("#payments-filter", Input)
        if box.display and box.has_focus:
            self._close_filter(clear=True)
            return
        self.dismiss(None)

    def action_filter(self) -> None:
        box = self.query_one("#payments-filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#payments-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        try:
            self.payment_filter = PaymentFilter.parse(event.value)
        except ValueError as exc:
            self.query_one("#payments-info", Static).update(Text(f"Filter: {exc}", style="red"))
            return
        self._render_rows(reset=False)
        if self.payment_filter:
            self.near_end()

    @on(Input.Submitted, "#payments-filter")
    def _filter_submitted(self) -> None:
        self._close_filter(clear=False)

    def _close_filter(self, *, clear: bool) -> None:
        box = self.query_one("#payments-filter", Input)
        if clear:
            box.value = ""
            self.payment_filter = PaymentFilter()
            self._render_rows(reset=False)
            box.display = False
        elif not self.payment_filter:
            box.display = False
        self.query_one(PaymentsTable).focus()

    def action_refresh(self) -> None:
        self.complete = False
        self.load_first()

    def action_load_all(self) -> None:
        if not self.complete:
            self.load_all()

    def action_export(self) -> None:
        formats = self.bunq.workspace.exporters()
        if not formats:
            self.notify("No exporter plugin is installed.", severity="warning")
            return

        def chosen(choice: tuple[str, Path, bool] | None) -> None:
            if choice is not None:
                self.export(*choice)

        self.app.push_screen(
            ExportModal(formats, Path.cwd(), len(self.visible()), self.complete), chosen
        )

    @work(group="bunq-export", exclusive=True, exit_on_error=False)
    async def export(self, fmt: str, path: Path, load_all: bool) -> None:
        if load_all and not self.complete:
            self.notify("Loading all older payments first…", title="Export")
            self.fetching = True
            try:
                await self._load_everything()
            finally:
                self.fetching = False
                self._info()
        rows = list(self.visible())
        written = self.session.export_payments(rows, fmt, path)
        self.notify(f"{len(rows):,} payments written to {written}", title="Export")
