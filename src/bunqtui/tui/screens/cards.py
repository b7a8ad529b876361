"""Cards (``c`` on the accounts screen): status, type, masked number, expiry, limits and the
account each pays from; freeze, unfreeze, or report one lost or stolen.

Every change is asked first in a dialog whose default is Cancel (Enter there sends nothing;
``y`` is the deliberate key). Lost and stolen cannot be undone, so a second dialog names the
card again before anything is sent — the same questions the CLI asks, from ``core.cards``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Static

from bunqtui.core import ConfigError, Identity, MonetaryAccount, ProfileSession
from bunqtui.core import cards as core_cards
from bunqtui.core.cards import Card
from bunqtui.tui.formatting import money
from bunqtui.tui.safe import untrusted
from bunqtui.tui.screens.base import BunqModal, BunqScreen
from bunqtui.tui.widgets.footer import BunqFooter
from bunqtui.tui.widgets.lists import VimDataTable
from bunqtui.tui.widgets.status import StatusBar


class CardConfirmModal(BunqModal[bool]):
    """A yes/no whose default is No: Cancel has the focus, only ``y`` (or a click) confirms."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Confirm", id="card-dialog.confirm"),
        Binding("n,escape", "answer(False)", "Cancel", id="card-dialog.cancel"),
    ]

    def __init__(self, title: str, question: str, confirm: str) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.question = question
        self.confirm = confirm

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(untrusted(self.title_text), classes="dialog-title")
            # the card's printed line is the user's text, the rest bunq's: never markup
            yield Static(untrusted(self.question, one_line=False), id="card-question")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel (esc)", id="cancel")
                yield Button(untrusted(f"{self.confirm} (y)"), variant="error", id="confirm")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()  # Enter right away sends nothing

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


def _limit(card: Card, which: str) -> str:
    amount = getattr(card, which)  # an Amount: a Decimal and its currency
    return money(amount.value, amount.currency) if amount else "—"


class CardsTable(VimDataTable):
    pass


class CardsScreen(BunqScreen[None]):
    DEFAULT_CSS = """
    CardsScreen #cards { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="cards.back"),
        Binding("f", "change('freeze')", "Freeze", id="cards.freeze"),
        Binding("u", "change('unfreeze')", "Unfreeze", id="cards.unfreeze"),
        Binding("l", "change('lost')", "Report lost", id="cards.lost"),
        Binding("s", "change('stolen')", "Report stolen", id="cards.stolen"),
        Binding("r", "refresh", "Refresh", id="cards.refresh"),
    ]

    def __init__(
        self,
        profile: str,
        session: ProfileSession,
        identity: Identity,
        accounts: list[MonetaryAccount],
    ) -> None:
        super().__init__()
        self.profile = profile
        self.session = session
        self.identity = identity
        self.accounts = accounts
        self.cards: list[Card] = []
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        yield Label(untrusted(f"{self.identity.label} — cards"), classes="pane-title")
        yield CardsTable(id="cards")
        yield Static("", id="cards-info", classes="hint")
        yield BunqFooter()

    def on_mount(self) -> None:
        self.query_one(StatusBar).set_where(f"{self.profile}  ·  cards")
        table = self.query_one(CardsTable)
        table.cursor_type = "row"
        for key, title, width in (
            ("status", "Status", 7),
            ("type", "Type", 18),
            ("number", "Number", 9),
            ("line", "Name on card", 16),
            ("expiry", "Expires", 7),
            ("limit", "Limit", 12),
            ("atm", "ATM limit", 12),
            ("account", "Account", 14),
        ):
            table.add_column(title, key=key, width=width)
        table.flexible = ("line", 12)  # the printed line takes what the others leave
        table.focus()
        self._info("loading…")
        self.load()

    def _account_name(self, card: Card) -> str:
        account = next((a for a in self.accounts if a.id == card.monetary_account_id), None)
        if account is not None:
            return account.description or account.iban or f"account {account.id}"
        label = card.label_monetary_account
        iban = getattr(label, "iban", None) if label is not None else None
        return iban or (str(card.monetary_account_id) if card.monetary_account_id else "—")

    def _info(self, text: str) -> None:
        self.query_one("#cards-info", Static).update(untrusted(text))

    @work(group="bunq-cards", exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        try:
            cards = await core_cards.alist_cards(self.session, self.identity)
        except Exception:
            self._info("could not load the cards: r retries")
            raise
        self.show(cards)

    def show(self, cards: list[Card]) -> None:
        table = self.query_one(CardsTable)
        selected = self.selected_card()
        self.cards, self.loaded = cards, True
        table.clear()
        for card in cards:
            status = (card.status or "?").capitalize()
            style = "green" if card.status == "ACTIVE" else "yellow" if not card.is_final else "red"
            table.add_row(
                untrusted("Frozen" if card.status == "DEACTIVATED" else status, style),
                untrusted((card.product_type or card.type or "").replace("_", " ").lower()),
                untrusted(card.masked_number),
                untrusted(card.second_line or card.name_on_card or "—"),
                untrusted(card.expiry_date.strftime("%m/%Y") if card.expiry_date else "—"),
                untrusted(_limit(card, "card_limit"), justify="right"),
                untrusted(_limit(card, "card_limit_atm"), justify="right"),
                untrusted(self._account_name(card)),
                key=str(card.id),
            )
        if selected is not None and str(selected.id) in table.rows:
            table.move_cursor(row=table.get_row_index(str(selected.id)))
        table.fit_flexible_column()
        count = len(cards)
        self._info(
            f"{count} card{'s' * (count != 1)}  ·  f freeze, u unfreeze, l lost, s stolen"
            if cards
            else "No cards."
        )
        self.refresh_bindings()

    def selected_card(self) -> Card | None:
        table = self.query_one(CardsTable)
        if not self.cards or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((c for c in self.cards if str(c.id) == key), None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "change":
            return bool(self.cards)
        return True

    def action_back(self) -> None:
        self.dismiss(None)

    def action_refresh(self) -> None:
        self._info("loading…")
        self.load()

    def action_change(self, action: str) -> None:
        card = self.selected_card()
        if card is None:
            return
        try:
            core_cards.plan(card, action)  # an impossible change asks nothing
        except ConfigError as exc:
            self.notify(exc.message, title="Cards", severity="warning")
            return
        label = core_cards.card_label(card)
        verb = {"freeze": "Freeze", "unfreeze": "Unfreeze"}.get(action, f"Report {action}")

        def second(yes: bool | None) -> None:
            if yes:
                self.change(card, action)

        def first(yes: bool | None) -> None:
            if not yes:
                return
            if not core_cards.needs_second_confirmation(action):
                self.change(card, action)
                return
            self._ask(
                "This cannot be undone",
                f"Really block {label} for good as {action.upper()}? You will need a new card.",
                f"Block as {action}",
                second,
            )

        self._ask(f"{verb} card", core_cards.describe(card, action), verb, first)

    def _ask(
        self, title: str, question: str, confirm: str, then: Callable[[bool | None], None]
    ) -> None:
        self.app.push_screen(CardConfirmModal(title, question, confirm), then)

    @work(group="bunq-card-change", exclusive=True, exit_on_error=False)
    async def change(self, card: Card, action: str) -> None:
        changed = await core_cards.achange_card(self.session, self.identity, card, action)
        self.notify(
            f"{core_cards.card_label(changed)} is now {(changed.status or '').lower()}.",
            title="Cards",
        )
        self.show([changed if c.id == changed.id else c for c in self.cards])
