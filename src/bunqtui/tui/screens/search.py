"""Search every cached payment of the profile, across identities and accounts (``/`` on accounts).

The query language is core.query's (words, amounts, comparisons, ranges, dates); SQLite does
the work off the UI thread. Enter opens a match; nothing here asks bunq.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from bunqtui.core import Identity, MonetaryAccount, Payment, ProfileSession
from bunqtui.core.query import PaymentFilter
from bunqtui.tui.hints import SEARCH_PLACEHOLDER
from bunqtui.tui.payment_rows import PaymentList, payment_row
from bunqtui.tui.safe import untrusted
from bunqtui.tui.screens.base import BunqScreen
from bunqtui.tui.widgets.footer import BunqFooter
from bunqtui.tui.widgets.inputs import QueryInput
from bunqtui.tui.widgets.rows_table import Column, RowsTable
from bunqtui.tui.widgets.status import StatusBar

SEARCH_LIMIT = 2000
# on a narrow terminal the account goes first, then the date, as on the payments screen
# (RowsTable's drop=…): the description and the amount always stay
COLUMNS = [
    Column("date", "Date", 16, drop=2),
    Column("account", "Account", 18, least=10, drop=1),
    Column("counterparty", "Counterparty", 18, least=10, drop=3),
    Column("description", "Description", 16),
    Column("amount", "Amount", 14, "right"),
]


class Matches(PaymentList):
    """Search results as rows, with the account each one is on."""

    def __init__(self, payments: list[Payment], accounts: dict[int, str]) -> None:
        super().__init__(payments)
        self.accounts = accounts

    def row(self, index: int) -> tuple[str | Text, ...]:
        payment = self.payments[index]
        date, party, description, amount, _ = payment_row(payment)
        account = untrusted(self.accounts.get(payment.monetary_account_id or 0, "—"))
        return (date, account, party, description, amount)


class SearchTable(RowsTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Details", id="search.open"),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(COLUMNS, flexible="description", least=10, **kwargs)


class SearchScreen(BunqScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="search.back"),
        Binding("slash", "edit", "Edit query", key_display="/", id="search.edit"),
    ]

    def __init__(self, profile: str, session: ProfileSession, identities: list[Identity]) -> None:
        super().__init__()
        self.profile = profile
        self.session = session
        self.identities = identities
        self.accounts: dict[int, MonetaryAccount] = {}
        self.labels: dict[int, str] = {}
        self.cached_count = 0
        for identity in identities:
            for account in session.cached_accounts(identity) or []:
                self.accounts[account.id] = account
                name = account.description or account.iban or str(account.id)
                one = len(identities) == 1
                self.labels[account.id] = name if one else f"{identity.label}: {name}"
                self.cached_count += session.cached_payment_count(identity, account.id)
        self.matches = Matches([], self.labels)
        self.query_text = ""

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Vertical(id="search-pane"):
            yield Label("Search the cached payments", classes="pane-title")
            yield QueryInput(
                submit_to="#search-results",
                placeholder=SEARCH_PLACEHOLDER,
                id="search-input",
            )
            yield SearchTable(id="search-results")
            yield Static("", id="search-info")
        yield BunqFooter()

    def on_mount(self) -> None:
        self.query_one(StatusBar).set_where(f"{self.profile}  ·  search")
        self.set_focus(self.query_one("#search-input"))
        self._info()

    def _info(self, problem: str | None = None) -> None:
        info = self.query_one("#search-info", Static)
        if problem:
            info.update(untrusted(f"Query: {problem}", "red"))
            return
        scope = (
            f"{self.cached_count:,} cached payments ({len(self.accounts)} accounts; "
            "L on an account caches its whole history)"
        )
        if not self.query_text:
            info.update(untrusted(f"Searches {scope}."))
            return
        count = len(self.matches)
        if not count:  # said in words, not as "0 matches"
            info.update(
                untrusted(f"No cached payment matches {self.query_text!r}; searched {scope}.")
            )
            return
        limited = ", the newest" if count >= SEARCH_LIMIT else ""
        info.update(untrusted(f"{count:,} match{'es' * (count != 1)}{limited} in {scope}"))

    @on(Input.Changed, "#search-input")
    def _changed(self, event: Input.Changed) -> None:
        try:
            query = PaymentFilter.parse(event.value)
        except ValueError as exc:
            # no stale results under an error: a search still on its way is dropped
            self.query_text = ""
            self.matches = Matches([], self.labels)
            self.query_one(SearchTable).show(self.matches, cursor=0)
            self._info(str(exc))
            return
        self.query_text = query.text
        if query:
            self.search(query.text)
        else:
            self.matches = Matches([], self.labels)
            self.query_one(SearchTable).show(self.matches, cursor=0)
            self._info()

    @on(Input.Submitted, "#search-input")
    def _submitted(self) -> None:
        self.query_one(SearchTable).focus()

    @work(thread=True, group="search", exclusive=True, exit_on_error=False)
    def search(self, text: str) -> None:
        try:
            found = self.session.search_payments(text, limit=SEARCH_LIMIT)
        except ValueError as exc:
            self.app.call_from_thread(self._info, str(exc))
            return
        self.app.call_from_thread(self._show, text, found)

    def _show(self, text: str, found: list[Payment]) -> None:
        if text != self.query_text:
            return  # typed on meanwhile
        self.matches = Matches(found, self.labels)
        self.query_one(SearchTable).show(self.matches, cursor=0)
        self._info()

    @on(RowsTable.Selected, "#search-results")
    def _open(self, event: RowsTable.Selected) -> None:
        from bunqtui.tui.screens.detail import PaymentDetailScreen

        payment = self.matches.payment(event.index)
        account = self.accounts.get(payment.monetary_account_id or 0)
        if account is not None:
            self.app.push_screen(PaymentDetailScreen(payment, account))

    def action_edit(self) -> None:
        self.query_one("#search-input").focus()

    def action_back(self) -> None:
        self.dismiss(None)
