"""Accounts: the identities on the left, the selected identity's accounts on the right.

Loading is three workers, each cancelling its predecessor: identities, then the accounts of
the highlighted identity, then one page of payments per account for its balance sparkline.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Label, OptionList, Sparkline, Static
from textual.widgets.option_list import Option

from bunqtui.core import Identity, MonetaryAccount, ProfileSession
from bunqtui.core.freshness import freshness
from bunqtui.core.money import SUGAR_DADDY_CAP
from bunqtui.core.overview import Overview, month_flows
from bunqtui.tui.formatting import (
    account_kind,
    identity_label,
    money,
    signed_money,
    sparkline,
    totals,
)
from bunqtui.tui.safe import untrusted
from bunqtui.tui.screens.activity import AccountActivity, description_cell
from bunqtui.tui.screens.base import BunqScreen, environment_label
from bunqtui.tui.screens.dialogs import ConfirmModal, InputModal, check_amount
from bunqtui.tui.screens.money_flow import MONEY_BINDINGS, MoneyActions, MoneyTarget
from bunqtui.tui.widgets.footer import BunqFooter
from bunqtui.tui.widgets.lists import VimDataTable, VimOptionList
from bunqtui.tui.widgets.status import StatusBar

SPARK_PAGE = 200  # payments per account for its sparkline: one full page, which the cache keeps
SPARK_WIDTH = 6


def flow_line(label: str, overview: Overview | None, *, uncached: int = 0) -> Text:
    """``label  in +1,234.00  out -567.00  net +667.00 EUR`` per currency; ``None`` is "no
    payments cached", an empty overview "none this month"; what the cache does not cover is
    said after it (payments since a day only, ``uncached`` accounts left out)."""
    line = Text.assemble(untrusted(label, "bold"), "  ")  # an account's name: bunq's text
    if overview is None:
        line.append("no payments cached", "dim")
        return line
    if not overview.count and overview.partial_since is None:
        line.append("no payments this month", "dim")
    for currency, flows in sorted(overview.by_currency.items()):
        line.append_text(Text.assemble("in ", signed_money(flows.money_in)))
        line.append_text(Text.assemble("  out ", signed_money(flows.money_out)))
        line.append_text(Text.assemble("  net ", signed_money(flows.net, currency), "   "))
    line.rstrip()
    gaps = []
    if overview.partial_since is not None:
        gaps.append(f"cached since {overview.partial_since.astimezone():%d %b %H:%M} only")
    if uncached:
        gaps.append(f"{uncached} account{'s' if uncached > 1 else ''} not cached")
    if gaps:
        line.append(f"  ({'; '.join(gaps)})", "dim")
    return line


def month_net(overview: Overview) -> Text:
    """One account's net this month, per currency ("" when nothing is cached); ``≈`` in front
    when the cache does not reach back to the month's start."""
    nets = [signed_money(f.net, c) for c, f in sorted(overview.by_currency.items())]
    net = Text(" ").join(nets)
    if overview.partial_since is not None and nets:
        net = Text.assemble(("≈ ", "dim"), net)
    net.justify = "right"  # lines up with the balances
    return net


class AccountsTable(VimDataTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Payments", id="accounts.open"),
    ]


class AccountsScreen(MoneyActions, BunqScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "refresh", "Refresh", id="accounts.refresh"),
        Binding("slash", "search", "Search", key_display="/", id="accounts.search"),
        Binding("n", "connect", "Connect user", id="accounts.connect"),
        Binding("x", "disconnect", "Disconnect", id="accounts.disconnect"),
        Binding("t", "top_up", "Top up", id="accounts.top-up"),
        *MONEY_BINDINGS,
        Binding("c", "cards", "Cards", id="accounts.cards"),
        Binding("a", "activity", "Activity", id="accounts.activity"),
    ]

    def __init__(self, profile: str) -> None:
        super().__init__()
        self.profile = profile
        self.session: ProfileSession | None = None
        self.identities: list[Identity] = []
        self.identity: Identity | None = None
        self.accounts: list[MonetaryAccount] = []
        self._select_key: str | None = None
        self._focused_once = False
        self._trends: dict[int, Text] = {}  # account id → its balance sparkline
        self._checking = False  # the list shown is the cache's; bunq has not answered yet
        self._live: str | None = None  # the identity whose list bunq gave in this session
        self.activity: AccountActivity | None = None  # events: "N new" per account

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Horizontal(id="accounts-main"):
            with Vertical(id="identities-pane"):
                yield Label("Identities", classes="pane-title")
                yield VimOptionList(id="identities")
            with Vertical(id="accounts-pane"):
                yield Label("Accounts", id="accounts-title", classes="pane-title")
                yield AccountsTable(id="accounts")
                yield Static("", id="accounts-empty", classes="empty")
                yield Static("", id="totals")
                yield Static("", id="month")  # this month's money in, out and net
                yield Sparkline([], id="balance-chart")  # the selected account's balance
        yield BunqFooter()

    def on_mount(self) -> None:
        table = self.query_one(AccountsTable)
        # fixed widths; the description takes what is left, so rows never scroll sideways
        table.add_column("Type", key="type", width=8)
        table.add_column("Description", key="description", width=12)
        table.add_column("IBAN", key="iban", width=18)
        table.add_column(Text("Balance", justify="right"), key="balance", width=15)
        table.add_column("Status", key="status", width=7)
        table.add_column("Trend", key="trend", width=SPARK_WIDTH)
        table.add_column(Text("This month", justify="right"), key="month", width=14)
        table.flexible = ("description", 10)
        # a narrow terminal keeps the description and the balance
        table.drop_order = ["iban", "status", "trend", "type", "month"]
        self.query_one("#accounts-empty").display = False
        self.set_interval(30, self._title)  # "updated just now" ages into "updated 14:02"
        # the month's lines hold money in/out coloured by the theme: redraw them when it changes
        self.watch(self.app, "theme", lambda _: self._show_overview(), init=False)
        self.reload()

    def reload(self) -> None:
        """(Re)open the profile's session and load everything."""
        info = self.bunq.profile_info(self.profile)
        where = self.profile
        if info is not None:
            title = next(
                (c.title for c in self.bunq.workspace.connectors() if c.name == info.connector),
                info.connector,
            )
            place = environment_label(info.environment, info.base_url)
            where = f"{info.name}  ·  {title}  ·  {place}"
        self.query_one(StatusBar).set_where(where)
        self._loaded_for = self._loading_for = None  # load again, with this session
        try:
            self.session = self.bunq.session(self.profile)
            self.activity = AccountActivity(self.session)
        except Exception as exc:  # an unknown or broken profile: say so, keep the app
            self.session = None
            self.bunq.report_error(exc)
            return
        self.load_identities()

    # --- loading ----------------------------------------------------------------------------

    @work(group="bunq-identities", exclusive=True, exit_on_error=False)
    async def load_identities(self) -> None:
        assert self.session is not None
        self.identities = await self.session.identities()
        options = self.query_one("#identities", OptionList)
        options.clear_options()
        options.add_options(Option(untrusted(identity_label(i)), id=i.key) for i in self.identities)
        self.refresh_bindings()
        if not self.identities:
            self.identity = None
            self._show_accounts([])
            self._empty(
                "No connected users yet. Press n to connect one by QR login."
                if self.session.can_connect()
                else "This profile has no identities."
            )
            return
        keys = [i.key for i in self.identities]
        wanted = self._select_key if self._select_key in keys else None
        if wanted is None and self.identity is not None and self.identity.key in keys:
            wanted = self.identity.key
        index = keys.index(wanted) if wanted else 0
        self._select_key = None
        options.highlighted = index
        # highlighting posts OptionHighlighted, which loads the accounts; make sure it does
        # when the same index was already highlighted before the list was rebuilt
        self._select_identity(self.identities[index])

    def _select_identity(self, identity: Identity) -> None:
        # highlighting the list and the reload both land here: load each identity once, so a
        # second load never cancels a first whose answer (or error) is already on its way
        if self.identity == identity and identity.key in (self._loaded_for, self._loading_for):
            return
        self.identity = identity
        self.refresh_bindings()
        self._loading_for = identity.key
        self.load_accounts(identity)

    _loaded_for: str | None = None  # the identity whose accounts are shown
    _loading_for: str | None = None  # the identity whose accounts are being fetched

    def _showing(self, identity: Identity) -> bool:
        """Still the selected identity (by key: its label may have been learnt meanwhile)?"""
        return self.identity is not None and self.identity.key == identity.key

    @on(OptionList.OptionHighlighted, "#identities")
    def _identity_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        identity = next((i for i in self.identities if i.key == event.option.id), None)
        if identity is not None:
            self._select_identity(identity)

    @on(OptionList.OptionSelected, "#identities")
    def _identity_chosen(self) -> None:
        self.query_one(AccountsTable).focus()

    @work(group="bunq-accounts", exclusive=True, exit_on_error=False)
    async def load_accounts(self, identity: Identity) -> None:
        assert self.session is not None
        cached = self.session.cached_accounts(identity)
        if cached is not None:  # the last known list at once, then one request to check it
            self._show_accounts(cached, checking=True)
            self._first_accounts_shown()
            self.load_sparklines(identity, cached)
        else:
            self.query_one("#accounts-title", Label).update(
                untrusted(f"{identity.label} — loading…")
            )
        try:
            accounts = await self.session.accounts(identity)
        except Exception:
            self._loading_for = None
            if self._showing(identity):  # say what the list is, then report the error
                self._checking = False
                label = self.query_one("#accounts-title", Label)
                label.update(
                    untrusted(
                        f"{identity.label} — {self._freshness(identity, live=False)}, "
                        "could not check: r retries"
                        if cached is not None
                        else f"{identity.label} — could not load: r retries"
                    )
                )
            raise
        if not self._showing(identity):
            return  # the user moved on meanwhile
        self._loaded_for, self._loading_for = identity.key, None
        self._live = identity.key
        self._show_accounts(accounts)
        finished = self.bunq.clock().astimezone()  # a refresh says when it finished
        self.query_one(StatusBar).set_fresh(f"updated {finished:%H:%M}")
        self._first_accounts_shown()
        self.check_activity(identity)
        if accounts != cached:
            self.load_sparklines(identity, accounts)
        if identity.kind == "self" and identity.label.startswith("user "):
            await self._learn_own_name(identity)

    async def _learn_own_name(self, identity: Identity) -> None:
        assert self.session is not None
        user = await self.session.user(identity)
        if user.display_name:
            named = Identity(identity.key, user.display_name, identity.kind, identity.local_id)
            self.identities = [named if i.key == identity.key else i for i in self.identities]
            self.identity = named
            options = self.query_one("#identities", OptionList)
            options.replace_option_prompt(identity.key, untrusted(identity_label(named)))
            self._title()

    @work(group="bunq-sparklines", exclusive=True, exit_on_error=False)
    async def load_sparklines(self, identity: Identity, accounts: list[MonetaryAccount]) -> None:
        """A balance line per account: from the cache, else one page (which joins the cache)."""
        assert self.session is not None
        table = self.query_one(AccountsTable)
        for account in accounts:
            # core decides whether the cache is behind the balance and what to fetch
            balances = await self.session.recent_balances(identity, account, SPARK_PAGE)
            if not self._showing(identity):
                return
            trend = self._trends[account.id] = Text(sparkline(balances, SPARK_WIDTH), style="cyan")
            if str(account.id) in table.rows:
                table.update_cell(str(account.id), "trend", trend)
        self._show_overview()  # the pages just fetched joined the cache

    # --- showing ----------------------------------------------------------------------------

    def _empty(self, message: str) -> None:
        empty = self.query_one("#accounts-empty", Static)
        empty.update(untrusted(message))
        empty.display = bool(message)
        self.query_one(AccountsTable).display = not message

    def _freshness(self, identity: Identity, *, live: bool) -> str:
        if self.session is None:
            return ""
        fetched = self.session.cached_accounts_fetched_at(identity)
        return freshness(fetched, self.bunq.clock(), live=live)

    def _title(self) -> None:
        label = self.query_one("#accounts-title", Label)
        identity = self.identity
        if identity is None:
            label.update("Accounts")
            return
        if identity.key == self._loading_for and not self._checking:
            return  # "loading…" stays until the list comes
        count = len(self.accounts)
        live = self._live == identity.key and not self._checking
        note = self._freshness(identity, live=live) + (" · checking…" if self._checking else "")
        label.update(
            untrusted(f"{identity.label} — {count} account{'s' * (count != 1)}  ·  {note}")
        )

    def _first_accounts_shown(self) -> None:
        if self.accounts and not isinstance(self.focused, AccountsTable) and not self._focused_once:
            self._focused_once = True
            self.query_one(AccountsTable).focus()
        if self.accounts:
            self.bunq.accounts_shown()

    def _show_accounts(self, accounts: list[MonetaryAccount], *, checking: bool = False) -> None:
        table = self.query_one(AccountsTable)
        selected = self.selected_account()
        self.accounts = accounts
        new = self._unseen()
        table.clear()
        for account in accounts:
            balance = account.balance
            table.add_row(
                untrusted(account_kind(account.kind)),
                description_cell(account.description or "—", new.get(account.id, 0)),
                untrusted(account.iban or "—"),
                untrusted(
                    money(balance.value, balance.currency) if balance else "—", justify="right"
                ),
                untrusted((account.status or "").capitalize()),
                self._trends.get(account.id, ""),  # kept across reloads of the list
                "",  # this month's net: _show_overview fills it in from the cache
                key=str(account.id),
            )
        if selected is not None and str(selected.id) in table.rows:
            table.move_cursor(row=table.get_row_index(str(selected.id)))
        table.fit_flexible_column()
        sums = totals(accounts)
        self.query_one("#totals", Static).update(
            Text.assemble(
                ("Total  ", "bold"),
                untrusted(
                    "   ".join(money(value, currency) for currency, value in sorted(sums.items()))
                ),
            )
            if sums
            else ""
        )
        self._checking = checking
        self._title()
        self._show_overview()
        if self.identity is not None:
            self._empty("" if accounts else "No accounts.")
        self.refresh_bindings()

    def month_overview(self) -> dict[int, Overview | None]:
        """This month's money in, out and net per account, from the cache (no request); None
        where nothing is cached (bunqtui.core.overview)."""
        if self.session is None or self.identity is None:
            return {}
        return month_flows(
            self.session, self.identity, [a.id for a in self.accounts], self.bunq.clock()
        )

    def _show_overview(self) -> None:
        month = self.query_one("#month", Static)
        chart = self.query_one("#balance-chart", Sparkline)
        per_account = self.month_overview()
        table = self.query_one(AccountsTable)
        for account_id, overview in per_account.items():  # every account's net, in its row
            if str(account_id) in table.rows:
                cell = month_net(overview) if overview is not None else Text("")
                table.update_cell(str(account_id), "month", cell)
        if not per_account:
            month.update("")
            chart.data = []
            return
        cached = [overview for overview in per_account.values() if overview is not None]
        total: Overview | None = Overview() if cached else None
        for overview in cached:
            assert total is not None
            total.merge(overview)
        uncached = len(per_account) - len(cached)
        lines = [flow_line("This month, all", total, uncached=uncached)]
        selected = self.selected_account()
        if selected is not None:
            name = selected.description or selected.iban or f"account {selected.id}"
            lines.append(flow_line(name, per_account.get(selected.id)))
            assert self.session is not None and self.identity is not None
            balances = self.session.cached_balances(self.identity, selected.id, SPARK_PAGE)
            # a picture of the balance only: floats are fine here, never for the amounts
            chart.data = [float(v) for v in balances]
        month.update(Text("\n").join(lines))

    @on(DataTable.RowHighlighted, "#accounts")
    def _account_highlighted(self) -> None:
        self._show_overview()

    def selected_account(self) -> MonetaryAccount | None:
        table = self.query_one(AccountsTable)
        if not self.accounts or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((a for a in self.accounts if str(a.id) == key), None)

    # --- actions ----------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#accounts")
    def _open(self, event: DataTable.RowSelected) -> None:
        from bunqtui.tui.screens.payments import PaymentsScreen

        account = next((a for a in self.accounts if str(a.id) == event.row_key.value), None)
        if account is not None and self.identity is not None and self.session is not None:
            session, identity = self.session, self.identity
            if self.activity is not None and self._unseen().get(account.id):
                self.activity.seen(identity, account.id)  # looked at: the count goes
                self._show_unseen()
            self._push(lambda: PaymentsScreen(self.profile, session, identity, account))

    def _push(self, make: Callable[[], Screen[None]]) -> None:
        """Open a screen that reads the cache as it is made; a failing read is reported."""
        try:
            screen = make()
        except Exception as exc:  # e.g. the cache file unreadable: say so, stay here
            self.bunq.report_error(exc)
            return
        self.app.push_screen(screen)

    def money_target(self) -> MoneyTarget | None:
        account = self.selected_account()
        if account is None or self.identity is None or self.session is None:
            return None
        return MoneyTarget(self.profile, self.session, self.identity, account)

    def money_moved(self) -> None:
        """core put the new balances in the cache: show them (no request)."""
        if self.session is not None and self.identity is not None:
            cached = self.session.cached_accounts(self.identity)
            if cached is not None:
                self._show_accounts(cached)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        money = self.money_allowed(action)
        if money is not None:
            return money
        session = self.session
        if action == "connect":
            return session is not None and session.can_connect()
        if action == "disconnect":
            return self.identity is not None and self.identity.kind == "connected"
        if action == "search":
            return session is not None and bool(self.identities)
        if action in ("cards", "activity"):
            return session is not None and self.identity is not None
        if action == "top_up":
            return session is not None and session.is_sandbox() and bool(self.accounts)
        return True

    # --- activity and cards (screens/activity.py, screens/cards.py) --------------------------

    def _unseen(self) -> dict[int, int]:
        if self.activity is None or self.identity is None:
            return {}
        return self.activity.unseen(self.identity)

    def _show_unseen(self) -> None:
        table = self.query_one(AccountsTable)
        new = self._unseen()
        for account in self.accounts:
            if str(account.id) in table.rows:
                cell = description_cell(account.description or "—", new.get(account.id, 0))
                table.update_cell(str(account.id), "description", cell)

    @work(group="bunq-events", exclusive=True, exit_on_error=False)
    async def check_activity(self, identity: Identity) -> None:
        """One GET for "N new" per account. Best effort: the accounts load reports errors."""
        if self.activity is None:
            return
        try:
            await self.activity.check(identity)
        except Exception:  # a count that cannot be had is simply not shown
            return
        if self._showing(identity):
            self._show_unseen()

    def action_cards(self) -> None:
        from bunqtui.tui.screens.cards import CardsScreen

        if self.session is not None and self.identity is not None:
            session, identity, accounts = self.session, self.identity, list(self.accounts)
            self._push(lambda: CardsScreen(self.profile, session, identity, accounts))

    def action_activity(self) -> None:
        from bunqtui.tui.screens.activity import ActivityScreen

        if self.session is None or self.identity is None or self.activity is None:
            return
        identity = self.identity
        feed = self.activity.feed(identity)
        screen = ActivityScreen(
            self.profile, self.session, identity, feed, list(self.accounts), self._show_unseen
        )
        self.app.push_screen(screen, lambda _: self._show_unseen())

    def action_search(self) -> None:
        from bunqtui.tui.screens.search import SearchScreen

        if self.session is not None:
            session = self.session
            self._push(lambda: SearchScreen(self.profile, session, self.identities))

    def action_refresh(self) -> None:
        self._loaded_for = self._loading_for = None
        self.load_identities()

    def action_connect(self) -> None:
        from bunqtui.tui.screens.login import LoginScreen

        if self.session is None or not self.session.can_connect():
            return

        def done(identity: Identity | None) -> None:
            if identity is not None:
                self._select_key = identity.key
                self.notify(f"Connected {identity.label}.", title="QR login")
                self.load_identities()

        self.app.push_screen(LoginScreen(self.session, demo=self.bunq.demo), done)

    def action_disconnect(self) -> None:
        identity = self.identity
        if identity is None or identity.kind != "connected" or identity.local_id is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.disconnect(identity)

        self.app.push_screen(
            ConfirmModal(
                f"Disconnect {identity.label}? bunqtui deletes its session and token; "
                "the user can connect again by QR login."
            ),
            answered,
        )

    @work(group="bunq-disconnect", exit_on_error=False)
    async def disconnect(self, identity: Identity) -> None:
        assert self.session is not None and identity.local_id is not None
        await self.session.disconnect(identity.local_id)
        self.notify(f"Disconnected {identity.label}.")
        self.identity = None
        self.load_identities()

    def action_top_up(self) -> None:
        account = self.selected_account()
        if account is None or self.identity is None:
            return
        identity = self.identity

        def entered(value: str | None) -> None:
            if value:
                self.top_up(identity, account, Decimal(value.replace(",", ".")))

        self.app.push_screen(
            InputModal(
                "Top up from Sugar Daddy",
                f"Request money for {account.description or account.iban} (sandbox, "
                f"at most {SUGAR_DADDY_CAP:,.0f} EUR).",
                value="100",
                check=check_amount(SUGAR_DADDY_CAP),
            ),
            entered,
        )

    @work(group="bunq-top-up", exit_on_error=False)
    async def top_up(self, identity: Identity, account: MonetaryAccount, amount: Decimal) -> None:
        assert self.session is not None

        def asked() -> None:
            self.notify(f"Asked Sugar Daddy for {money(amount, 'EUR')}…", title="Top up")

        # core asks, then watches the balance until the money arrives (or gives up)
        watch = await self.session.top_up_and_watch(identity, account, amount, asked=asked)
        now = watch.account
        if watch.arrived is None or now is None or now.balance is None:
            self.notify("The money has not arrived yet; press r to refresh later.", title="Top up")
            return
        if self._showing(identity):
            self._show_accounts(watch.accounts)
            self.load_sparklines(identity, watch.accounts)
        self.notify(
            f"{money(watch.arrived, now.balance.currency)} arrived on "
            f"{now.description or now.iban}.",
            title="Top up",
        )
