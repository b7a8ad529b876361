"""Payments of one account, newest first, from the local cache and then from bunq.

Every cached payment shows at once (the table draws only the rows on screen); one request
fetches what is new. Scrolling near the end asks bunq for the next older page, which joins the
cache. ``L`` downloads the whole history at bunq's rate limit with progress; ``/`` searches
every cached payment of the account (core.query syntax). Network work runs in workers, so
keys never wait.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from bunqtui.core import Identity, MonetaryAccount, Payment, ProfileSession
from bunqtui.core.freshness import freshness
from bunqtui.core.overview import flows
from bunqtui.core.query import PaymentFilter
from bunqtui.core.remembered import Remembered
from bunqtui.core.sync import SyncStatus
from bunqtui.tui.formatting import local_time, money
from bunqtui.tui.hints import FILTER_PLACEHOLDER
from bunqtui.tui.payment_rows import CachedPayments, PaymentList
from bunqtui.tui.safe import untrusted
from bunqtui.tui.screens.base import BunqScreen
from bunqtui.tui.screens.dialogs import ExportModal
from bunqtui.tui.screens.money_flow import MONEY_BINDINGS, MoneyActions, MoneyTarget
from bunqtui.tui.widgets.footer import BunqFooter
from bunqtui.tui.widgets.inputs import QueryInput
from bunqtui.tui.widgets.rows_table import Column, RowsTable
from bunqtui.tui.widgets.status import StatusBar

COLUMNS = [  # on a narrow terminal the balance goes first, then the date (drop=…)
    Column("date", "Date", 16, drop=2),
    Column("counterparty", "Counterparty", 20, least=12, drop=3),
    Column("description", "Description", 20),  # takes the width the others leave
    Column("amount", "Amount", 14, "right"),
    Column("balance", "Balance after", 14, "right", drop=1),
]
PAGE_SIZE = 200  # bunq's largest page: fewest requests
LOAD_AHEAD = 40  # rows before the end at which the next older page is fetched
SEARCH_LIMIT = 2000  # matches shown at once (newest first); export takes them all


class PaymentsTable(RowsTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Details", id="payments.open"),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(COLUMNS, flexible="description", least=12, **kwargs)

    def action_last(self) -> None:
        """G: the true end of the history, not of the rows loaded so far (see go_to_end)."""
        screen = self.screen
        if isinstance(screen, PaymentsScreen) and screen.go_to_end():
            return
        super().action_last()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if new_value > old_value and new_value + self.size.height >= self.virtual_size.height - 5:
            screen = self.screen
            if isinstance(screen, PaymentsScreen):
                screen.near_end()


class PaymentsScreen(MoneyActions, BunqScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="payments.back"),
        Binding("slash", "filter", "Filter", key_display="/", id="payments.filter"),
        Binding("e", "export", "Export", id="payments.export"),
        Binding("r", "refresh", "Refresh", id="payments.refresh"),
        Binding("L", "load_all", "Full history", id="payments.load-all"),
        Binding("m", "statement", "Statement", id="payments.statement"),
        *MONEY_BINDINGS,
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
        self.cached = CachedPayments(session, identity, account.id)  # shown without a filter
        self.found = PaymentList([])  # shown while a filter is set
        self.status: SyncStatus = session.sync_status(identity, account.id)
        self.fetching = False
        self.payment_filter = PaymentFilter()
        self.filter_error: str | None = None  # the filter box holds a query that does not parse
        # what stopped short (a failure, going offline, Esc), so the info line says so and `r`
        # resumes it: "refresh", "page" or "history"
        self.interrupted: str | None = None
        self.downloading = False  # the full history is coming (L, G or an export)
        self.to_end = False  # …and the cursor goes to the oldest payment once it is in
        self._loads = 0  # loads started, so only the newest one reports how it ended
        self.live = False  # bunq answered in this session: the cache's copy is not all we have

    # --- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Vertical(id="payments-pane"):
            yield Label(untrusted(self._heading()), id="payments-title", classes="pane-title")
            yield PaymentsTable(id="payments")
            yield Static("", id="payments-empty", classes="empty")
            yield QueryInput(
                submit_to="#payments",
                placeholder=FILTER_PLACEHOLDER,
                id="payments-filter",
            )
            yield Static("", id="payments-info")
        yield BunqFooter()

    def _heading(self) -> str:
        account = self.account
        name = account.description or account.iban or f"account {account.id}"
        balance = account.balance
        tail = f"  ·  {money(balance.value, balance.currency)}" if balance else ""
        return f"{self.identity.label} › {name}{tail}"

    def on_mount(self) -> None:
        self.query_one(StatusBar).set_where(f"{self.profile}  ·  payments")
        self.query_one("#payments-filter").display = False
        self.query_one("#payments-empty").display = False
        table = self.query_one(PaymentsTable)
        table.show(self.cached, cursor=0)
        table.focus()
        self._info()
        self.set_interval(30, self._info)  # "updated just now" ages into "updated 14:02"
        self.load_first()

    @property
    def table(self) -> PaymentsTable:
        return self.query_one(PaymentsTable)

    @property
    def complete(self) -> bool:
        """Every payment of the account is in the cache."""
        return self.status.complete

    @property
    def rows(self) -> CachedPayments | PaymentList:
        return self.found if self.payment_filter else self.cached

    # --- loading ----------------------------------------------------------------------------

    def _cache_grew(self, *, newer: int = 0) -> None:
        """Payments joined the cache: show them, keeping the cursor on its payment."""
        self.cached.reload()
        self.status = self.session.sync_status(self.identity, self.account.id)
        if not self.payment_filter:
            table = self.table
            cursor = table.cursor_row + newer if table.cursor_row or newer == 0 else 0
            table.show(self.cached, cursor=cursor)
        self._info()

    @work(group="bunq-payments", exclusive=True, exit_on_error=False)
    async def load_first(self) -> None:
        with self._loading("refresh"):
            new = await self.session.refresh_payments(self.identity, self.account.id)
        self.live = True
        self._cache_grew(newer=new if len(self.cached) else 0)
        if self.payment_filter:
            self.search(self.payment_filter.text)

    def near_end(self) -> None:
        if not self.complete and not self.fetching and not self.payment_filter:
            self.load_older()

    @work(group="bunq-payments", exclusive=True, exit_on_error=False)
    async def load_older(self) -> None:
        """The next older page from bunq (1 request); it joins the cache."""
        if self.complete:
            return
        with self._loading("page"):
            await self.session.payments(
                self.identity, self.account.id, older_id=self.status.oldest_id, count=PAGE_SIZE
            )
        self._cache_grew()

    async def _download_history(self) -> None:
        """The whole history into the cache at bunq's pace, with progress on screen."""

        def progress(fetched: int, status: SyncStatus) -> None:
            reached = status.oldest_created
            back_to = f", back to {local_time(reached)}" if reached else ""
            self._info(f"downloading the full history: {fetched:,} fetched{back_to}…")

        self.downloading = True
        try:
            with self._loading("history", "downloading the full history…"):
                await self.session.sync_payments(self.identity, self.account.id, progress)
        finally:
            self.downloading = False
        self._cache_grew()
        if self.to_end:
            self.to_end = False
            self.table.move_cursor(len(self.rows) - 1)
        if self.payment_filter:
            self.search(self.payment_filter.text)

    @contextmanager
    def _loading(self, what: str, doing: str | None = None) -> Iterator[None]:
        """Loading on screen while ``what`` runs; if it stops short (an error, offline, Esc),
        the line says so and `r` resumes it — never a "loading…" that nothing continues."""
        self._loads += 1
        mine = self._loads  # a load cancelled by a newer one leaves the line to that one
        self.fetching = True
        self.interrupted = None
        self._info(doing)
        try:
            yield
        except BaseException:  # the error itself goes on to the app's one handler
            if mine == self._loads:
                self.interrupted = what
            raise
        finally:
            if mine == self._loads:
                self.fetching = False
                if self.is_mounted:
                    self._info()

    @work(group="bunq-payments", exclusive=True, exit_on_error=False)
    async def load_all(self) -> None:
        await self._download_history()

    def go_to_end(self) -> bool:
        """G with older payments still at bunq: fetch them all (with progress; Esc stops),
        then put the cursor on the oldest. False when the rows shown are already all."""
        if self.complete or self.payment_filter:
            return False
        self.to_end = True
        if not self.downloading:
            self.load_all()
        return True

    def stop_loading(self) -> bool:
        """Esc while a download runs: stop it (what is fetched stays cached; `r` resumes)."""
        if not self.downloading:
            return False
        self.to_end = False
        self.workers.cancel_group(self, "bunq-payments")
        self.workers.cancel_group(self, "bunq-export")
        return True

    # --- searching the cache ----------------------------------------------------------------

    @work(thread=True, group="search", exclusive=True, exit_on_error=False)
    def search(self, text: str) -> None:
        """Every cached payment of this account that matches (SQLite, off the UI thread)."""
        try:
            # core's one rule for "cached payments matching a query" (the export and the
            # CLI's --search use it too)
            found = self.session.cached_matches(
                self.identity, self.account.id, search=text, limit=SEARCH_LIMIT
            )
        except ValueError as exc:
            self.app.call_from_thread(self._search_failed, str(exc))
            return
        self.app.call_from_thread(self._show_search, text, found)

    def _show_search(self, text: str, found: list[Payment]) -> None:
        if self.filter_error is not None or self.payment_filter.text != text.strip():
            return  # typed on meanwhile
        self.found = PaymentList(found)
        # keys typed after Enter (`a⏎jj`) may arrive before the matches: they count
        table = self.table
        table.show(self.found, cursor=table.cursor_row if table.has_focus else 0)
        self._info()

    def _search_failed(self, message: str) -> None:
        self.query_one("#payments-info", Static).update(untrusted(f"Filter: {message}", "red"))

    # --- showing ----------------------------------------------------------------------------

    def selected_payment(self) -> Payment | None:
        table = self.table
        shown = table.source
        if not len(shown):
            return None
        assert isinstance(shown, CachedPayments | PaymentList)  # all this table ever shows
        return shown.payment(table.cursor_row)

    def _info(self, doing: str | None = None) -> None:
        status = self.status
        parts = []
        if self.payment_filter:
            limited = " (the newest)" if len(self.found) >= SEARCH_LIMIT else ""
            parts.append(f"{len(self.found):,} match {self.payment_filter.text!r}{limited}")
            if len(self.found):  # "257 · −1,492.10 EUR": what the matches add up to
                sums = flows(self.found.payments).by_currency
                parts.append(", ".join(money(f.net, c) for c, f in sorted(sums.items())))
            scope = f"searched {status.count:,} cached payments"
            if not status.complete:
                scope += "; L downloads the full history to search it all"
            parts.append(scope)
        else:
            parts.append(f"{len(self.cached):,} payments")
            parts.append("the full history" if status.complete else "older ones as you scroll")
        if status.last_synced is not None:  # how fresh the rows are, even while loading
            parts.append(freshness(status.last_synced, self.bunq.clock(), live=self.live))
        if doing:
            parts.append(doing)
        elif self.fetching:
            parts.append("loading…")
        elif self.interrupted:
            parts.append("interrupted — r to resume")
        # the filter is shown back as typed (or pasted): never markup
        self.query_one("#payments-info", Static).update(untrusted("  ·  ".join(parts)))
        empty = self.query_one("#payments-empty", Static)
        nothing = not len(self.rows) and not self.fetching and status.last_synced is not None
        empty.update(
            ("No payment matches the filter." if self.payment_filter else "No payments yet.")
            if nothing
            else ""
        )
        empty.display = nothing

    # --- events and actions -----------------------------------------------------------------

    @on(RowsTable.Highlighted, "#payments")
    def _highlighted(self, event: RowsTable.Highlighted) -> None:
        if event.index >= len(self.rows) - LOAD_AHEAD:
            self.near_end()

    @on(RowsTable.Selected, "#payments")
    def _open(self, event: RowsTable.Selected) -> None:
        from bunqtui.tui.screens.detail import PaymentDetailScreen

        shown = event.table.source  # what is on screen, even while a search is on its way
        assert isinstance(shown, CachedPayments | PaymentList)  # all this table ever shows
        payment = shown.payment(event.index)
        self.app.push_screen(
            PaymentDetailScreen(payment, self.account, self.session, self.identity)
        )

    def money_target(self) -> MoneyTarget | None:
        return MoneyTarget(self.profile, self.session, self.identity, self.account)

    def money_moved(self) -> None:
        """core put the new payment and balance in the cache: show them (no request)."""
        moved = self.session.cached_accounts(self.identity) or []
        self.account = next((a for a in moved if a.id == self.account.id), self.account)
        self.query_one("#payments-title", Label).update(untrusted(self._heading()))
        self._cache_grew()
        if not self.payment_filter:
            self.table.move_cursor(0)  # the new payment, on top

    def action_back(self) -> None:
        """Esc undoes one thing at a time: the box, a download, the filter, then goes back."""
        box = self.query_one("#payments-filter", Input)
        if box.display and box.has_focus:
            self._close_filter(clear=True)
            return
        if self.stop_loading():
            return
        if self.payment_filter or box.display:
            self._close_filter(clear=True)
            return
        self.dismiss(None)

    def action_filter(self) -> None:
        box = self.query_one("#payments-filter", Input)
        box.display = True
        # at once, not on the next idle: keys typed or pasted right after `/` belong in the box
        self.set_focus(box)

    @on(Input.Changed, "#payments-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        try:
            self.payment_filter = PaymentFilter.parse(event.value)
        except ValueError as exc:
            # no stale results under an error: a search still on its way is dropped
            self.payment_filter = PaymentFilter()
            self.filter_error = str(exc)
            self.found = PaymentList([])
            self.table.show(self.found, cursor=0)
            self._search_failed(str(exc))
            return
        self.filter_error = None
        if self.payment_filter:
            self.search(self.payment_filter.text)
        else:
            self.found = PaymentList([])
            self.table.show(self.cached, cursor=0)
            self._info()

    @on(Input.Submitted, "#payments-filter")
    def _filter_submitted(self) -> None:
        self._close_filter(clear=False)

    def _close_filter(self, *, clear: bool) -> None:
        box = self.query_one("#payments-filter", Input)
        if clear:
            box.value = ""
            self.payment_filter = PaymentFilter()
            self.found = PaymentList([])
            self.table.show(self.cached, cursor=0)
            self._info()
            box.display = False
        elif not self.payment_filter:
            box.display = False
        self.table.focus()

    def action_refresh(self) -> None:
        if self.fetching:  # a download is running (L): it would be cancelled
            self.notify("Still loading; r refreshes once it is done.", title="Payments")
            return
        if self.interrupted == "history":
            self.load_all()  # resumes where it stopped: the cache holds what came
            return
        self.load_first()

    def action_statement(self) -> None:
        from bunqtui.tui.screens.statement import StatementModal

        def done(path: Path | None) -> None:
            if path is not None:
                self.notify(f"Statement written to {path}", title="Statement")

        today = self.bunq.clock().date()
        modal = StatementModal(self.session, self.identity, self.account, Path.cwd(), today)
        self.app.push_screen(modal, done)

    def action_load_all(self) -> None:
        if not self.complete and not self.fetching:
            self.load_all()

    def action_export(self) -> None:
        formats = self.bunq.workspace.exporters()
        if not formats:
            self.notify("No exporter plugin is installed.", severity="warning")
            return

        def done(message: object) -> None:
            if isinstance(message, str):
                self.notify(message, title="Export")

        remembered = self._remembered()
        folder = remembered.export_folder() if remembered else None
        modal = ExportModal(
            formats, folder or Path.cwd(), len(self.rows), self.complete, run=self.export
        )
        self.app.push_screen(modal, done)

    def _remembered(self) -> Remembered | None:
        try:
            return Remembered.for_profile(self.bunq.workspace.cache_path(self.profile))
        except Exception:  # only a convenience: start in the current folder
            return None

    async def export(self, fmt: str, path: Path, load_all: bool) -> str:
        """Runs in the export dialog's worker, which shows a failure and stays open."""
        if load_all and not self.complete:
            await self._download_history()
        query = self.payment_filter.text if self.payment_filter else None

        def write() -> tuple[int, Path]:  # SQLite and the file: off the event loop
            # streamed from the cache; every match, not just the newest SEARCH_LIMIT
            return self.session.export_cached_payments(
                self.identity, self.account.id, fmt, path, search=query or None
            )

        written_count, written = await asyncio.to_thread(write)
        remembered = self._remembered()
        if remembered is not None:
            remembered.remember_export_folder(written.parent)
        total = len(self.cached)  # N of M: how much of the cached history the file holds
        more = "" if self.complete else " (older payments are not downloaded)"
        return f"{written_count:,} of {total:,} payments written to {written}{more}"
