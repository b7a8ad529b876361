"""Payments of one account, newest first, from the local cache and then from bunq.

What the cache holds shows at once; one request fetches what is new. Scrolling near the end
reads older cached rows, then asks bunq for older pages (which join the cache). ``L``
downloads the whole history at bunq's rate limit with progress; ``/`` searches every cached
payment of the account (core.query syntax). Network work runs in workers: keys never wait.
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
from bunqtui.core.sync import SyncStatus
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
SEARCH_LIMIT = 2000  # matches shown at once (newest first); export takes them all
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
        Binding("L", "load_all", "Full history", id="payments.load-all"),
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
        self.payments: list[Payment] = []  # shown without a filter, newest first
        self.search_results: list[Payment] = []  # shown while a filter is set
        self.status: SyncStatus = session.sync_status(identity, account.id)
        self.complete = False  # every payment of the account is in self.payments
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

    def _status_changed(self) -> None:
        self.status = self.session.sync_status(self.identity, self.account.id)
        self.complete = self.status.complete and len(self.payments) >= self.status.count

    def show_cached(self) -> None:
        """What an earlier visit or run cached, without a request."""
        shown = max(len(self.payments), PAGE_SIZE)
        self.payments = self.session.cached_payments(self.identity, self.account.id, limit=shown)
        self._status_changed()
        self._render_rows(reset=False)

    @work(group="bunq-payments", exclusive=True, exit_on_error=False)
    async def load_first(self) -> None:
        self.show_cached()
        self.fetching = True
        self._info()
        try:
            new = await self.session.refresh_payments(self.identity, self.account.id)
        finally:
            self.fetching = False
        self.payments = self.session.cached_payments(
            self.identity, self.account.id, limit=max(len(self.payments) + new, PAGE_SIZE)
        )
        self._status_changed()
        self._render_rows(reset=False)
        if self.payment_filter:
            self.search(self.payment_filter.text)

    def near_end(self) -> None:
        if not self.complete and not self.fetching and not self.payment_filter:
            self.load_older()

    async def _older_page(self) -> list[Payment]:
        """The next older page: from the cache if it has it, else from bunq (1 request)."""
        rows = self.session.cached_payments(
            self.identity, self.account.id, offset=len(self.payments), limit=PAGE_SIZE
        )
        if not rows and not self.status.complete:
            oldest = self.payments[-1].id if self.payments else None
            page = await self.session.payments(
                self.identity, self.account.id, older_id=oldest, count=PAGE_SIZE
            )
            rows = page.items
        known = {p.id for p in self.payments}
        return [p for p in rows if p.id not in known]

    @work(group="bunq-payments", exclusive=True, exit_on_error=False)
    async def load_older(self) -> None:
        if self.complete:
            return
        self.fetching = True
        self._info()
        try:
            new = await self._older_page()
        finally:
            self.fetching = False
        self.payments.extend(new)
        self._status_changed()
        if not new:  # bunq has nothing older
            self.complete = True
        self._append_rows(new)

    async def _download_history(self) -> None:
        """The whole history into the cache at bunq's pace, with progress on screen."""

        def progress(fetched: int, status: SyncStatus) -> None:
            reached = status.oldest_created
            back_to = f", back to {local_time(reached)}" if reached else ""
            self._info(f"downloading the full history: {fetched:,} fetched{back_to}…")

        self.fetching = True
        self._info("downloading the full history…")
        try:
            self.status = await self.session.sync_payments(self.identity, self.account.id, progress)
        finally:
            self.fetching = False
        self.payments = self.session.cached_payments(
            self.identity, self.account.id, limit=max(self.status.count, PAGE_SIZE)
        )
        self._status_changed()
        self._render_rows(reset=False)
        if self.payment_filter:
            self.search(self.payment_filter.text)

    @work(group="bunq-payments", exclusive=True, exit_on_error=False)
    async def load_all(self) -> None:
        await self._download_history()

    # --- searching the cache ----------------------------------------------------------------

    @work(thread=True, group="search", exclusive=True, exit_on_error=False)
    def search(self, text: str) -> None:
        """Every cached payment of this account that matches (SQLite, off the UI thread)."""
        try:
            found = self.session.search_payments(
                text, identity=self.identity, account_id=self.account.id, limit=SEARCH_LIMIT
            )
        except ValueError as exc:
            self.app.call_from_thread(self._search_failed, str(exc))
            return
        self.app.call_from_thread(self._show_search, text, found)

    def _show_search(self, text: str, found: list[Payment]) -> None:
        if self.payment_filter.text != text.strip():
            return  # typed on meanwhile
        self.search_results = found
        self._render_rows(reset=False)

    def _search_failed(self, message: str) -> None:
        self.query_one("#payments-info", Static).update(Text(f"Filter: {message}", style="red"))

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
        return self.search_results

    def _render_rows(self, *, reset: bool) -> None:
        table = self.query_one(PaymentsTable)
        keep = self.selected_payment() if not reset else None
        table.clear()
        rows = self.visible()
        for payment in rows:
            table.add_row(*self._row(payment), key=str(payment.id))
        if keep is not None and str(keep.id) in table.rows:
            table.move_cursor(row=table.get_row_index(str(keep.id)))
        table.fit_flexible_column()
        self._info()

    def _append_rows(self, new: list[Payment]) -> None:
        if self.payment_filter:
            return  # the search results stand until the filter changes
        table = self.query_one(PaymentsTable)
        for payment in new:
            table.add_row(*self._row(payment), key=str(payment.id))
        table.fit_flexible_column()
        self._info()

    def _info(self, doing: str | None = None) -> None:
        table = self.query_one(PaymentsTable)
        status = self.status
        parts = []
        if self.payment_filter:
            limited = " (the newest shown)" if len(self.search_results) >= SEARCH_LIMIT else ""
            parts.append(f"{table.row_count:,} match {self.payment_filter.text!r}{limited}")
            scope = f"searched {status.count:,} cached payments"
            if not status.complete:
                scope += "; L downloads the full history to search it all"
            parts.append(scope)
        else:
            parts.append(f"{len(self.payments):,} payments loaded")
            parts.append("all loaded" if self.complete else "more older ones")
        if doing:
            parts.append(doing)
        elif self.fetching or (status.last_synced is None and not self.payments):
            parts.append("loading…")
        self.query_one("#payments-info", Static).update("  ·  ".join(parts))
        empty = self.query_one("#payments-empty", Static)
        nothing = table.row_count == 0 and not self.fetching and status.last_synced is not None
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
            self._search_failed(str(exc))
            return
        if self.payment_filter:
            self.search(self.payment_filter.text)
        else:
            self.search_results = []
            self._render_rows(reset=False)

    @on(Input.Submitted, "#payments-filter")
    def _filter_submitted(self) -> None:
        self._close_filter(clear=False)

    def _close_filter(self, *, clear: bool) -> None:
        box = self.query_one("#payments-filter", Input)
        if clear:
            box.value = ""
            self.payment_filter = PaymentFilter()
            self.search_results = []
            self._render_rows(reset=False)
            box.display = False
        elif not self.payment_filter:
            box.display = False
        self.query_one(PaymentsTable).focus()

    def action_refresh(self) -> None:
        self.load_first()

    def action_load_all(self) -> None:
        if not self.complete and not self.fetching:
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
            ExportModal(formats, Path.cwd(), len(self.visible()), self.status.complete), chosen
        )

    @work(group="bunq-export", exclusive=True, exit_on_error=False)
    async def export(self, fmt: str, path: Path, load_all: bool) -> None:
        if load_all and not self.status.complete:
            self.notify("Downloading the full history first…", title="Export")
            await self._download_history()
        if self.payment_filter:  # every match, not just the newest SEARCH_LIMIT
            rows = self.session.search_payments(
                self.payment_filter.text,
                identity=self.identity,
                account_id=self.account.id,
                limit=max(self.status.count, 1),
            )
        else:
            rows = list(self.payments)
        written = self.session.export_payments(rows, fmt, path)
        self.notify(f"{len(rows):,} payments written to {written}", title="Export")
