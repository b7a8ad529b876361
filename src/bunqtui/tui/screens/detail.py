"""One payment: every field bunq sent, readable, with a toggle to the raw JSON."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any, ClassVar

from rich.syntax import Syntax
from rich.table import Table
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Label, Static

from bunqtui.core import MonetaryAccount, Payment
from bunqtui.tui.formatting import counterparty, local_time, money, signed_money
from bunqtui.tui.safe import json_text, untrusted
from bunqtui.tui.screens.base import BunqScreen
from bunqtui.tui.widgets.footer import BunqFooter
from bunqtui.tui.widgets.lists import VimScroll
from bunqtui.tui.widgets.status import StatusBar

if TYPE_CHECKING:
    from bunqtui.core import Identity, ProfileSession
    from bunqtui.core.notes import NoteText


def _label(value: Any) -> str:
    if not isinstance(value, dict):
        return str(value)
    name = value.get("display_name") or value.get("name") or ""
    iban = value.get("iban") or ""
    return " · ".join(str(part) for part in (name, iban) if part) or json_text(value, indent=None)


_BUNQ_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?")


def _empty(value: Any) -> bool:
    """Nothing to show: None, "", {} or [] (bunq sends many such fields)."""
    return value is None or value == "" or value == {} or value == []


def _plain(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str) and _BUNQ_TIME.fullmatch(value):  # UTC, shown as the list does
        return local_time(dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC))
    if isinstance(value, dict) and set(value) >= {"value", "currency"}:
        return f"{value['value']} {value['currency']}"
    if isinstance(value, dict) and ("iban" in value or "display_name" in value):
        return _label(value)
    if isinstance(value, dict | list):
        return json_text(value, indent=None)
    return str(value)


def field_table(payment: Payment) -> Table:
    """The readable view: the important fields first, then every other field bunq sent.

    A rich Table reads a str cell as markup, so every value (all of it bunq's) goes in as
    ``untrusted`` Text; the description keeps its line breaks.
    """
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    table.add_row("Amount", signed_money(payment.amount.value, payment.amount.currency))
    table.add_row("Counterparty", untrusted(counterparty(payment)))
    if payment.counterparty_alias and payment.counterparty_alias.iban:
        table.add_row("Counterparty IBAN", untrusted(payment.counterparty_alias.iban))
    table.add_row("Description", untrusted(payment.description or "—", one_line=False))
    table.add_row("Created", local_time(payment.created))
    after = payment.balance_after
    table.add_row("Balance after", untrusted(money(after.value, after.currency) if after else "—"))
    table.add_row(
        "Type", untrusted(" / ".join(t for t in (payment.type, payment.sub_type) if t) or "—")
    )
    table.add_row("Payment id", untrusted(payment.id))
    shown = {"amount", "counterparty_alias", "description", "created", "balance_after_mutation"}
    shown |= {"type", "sub_type", "id"}
    for key, value in payment.raw.items():
        if key not in shown and not _empty(value):  # ~20 rows of "—" said nothing
            label = untrusted(str(key).replace("_", " ").capitalize(), "bold")
            table.add_row(label, untrusted(_plain(value), one_line=False))
    return table


def raw_json(payment: Payment) -> Syntax:
    """bunq's JSON as sent (valid JSON; control and bidi characters as \\uXXXX escapes)."""
    text = json_text(payment.raw)
    return Syntax(text, "json", theme="ansi_dark", word_wrap=True, background_color="default")


class PaymentDetailScreen(BunqScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,backspace", "back", "Back", id="detail.back"),
        # one key, labelled with what it shows next (only one of the two is active)
        Binding("r", "show_raw(True)", "Raw JSON", id="detail.raw"),
        Binding("r", "show_raw(False)", "Details", id="detail.fields"),
        Binding("n", "note(False)", "Add note", id="detail.note-add"),
        Binding("N", "note(True)", "Edit note", id="detail.note-edit"),
    ]

    def __init__(
        self,
        payment: Payment,
        account: MonetaryAccount,
        session: ProfileSession | None = None,
        identity: Identity | None = None,
    ) -> None:
        super().__init__()
        self.payment = payment
        self.account = account
        self.show_raw = False
        self.session = session  # with it, the payment's notes (shown, added, edited)
        self.identity = identity
        self.notes: list[NoteText] | None = None

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        yield Label(untrusted(self._title()), id="detail-title", classes="pane-title")
        with VimScroll(id="detail-body"):
            yield Static(field_table(self.payment), id="detail-fields")
            yield Static("", id="detail-notes")
            yield Static(raw_json(self.payment), id="detail-raw")
        yield BunqFooter()

    def _title(self) -> str:
        where = self.account.description or self.account.iban or f"account {self.account.id}"
        view = "raw JSON" if self.show_raw else "details"
        return f"Payment {self.payment.id} on {where} — {view}"

    def on_mount(self) -> None:
        self.query_one(StatusBar).set_where("payment")
        self.query_one("#detail-raw").display = False
        self.query_one("#detail-body").focus()
        self.query_one("#detail-notes").display = self.session is not None
        if self.session is not None:
            self.load_notes()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "show_raw":
            return parameters[0] != self.show_raw
        if action == "note":
            return self.session is not None and (not parameters[0] or bool(self.notes))
        return True

    def action_show_raw(self, raw: bool) -> None:
        self.show_raw = raw
        self.query_one("#detail-raw").display = raw
        self.query_one("#detail-fields").display = not raw
        self.query_one("#detail-notes").display = not raw and self.session is not None
        self.query_one("#detail-title", Label).update(untrusted(self._title()))
        self.refresh_bindings()

    def action_toggle_raw(self) -> None:
        self.action_show_raw(not self.show_raw)

    def action_back(self) -> None:
        self.dismiss(None)

    # --- notes (see screens/notes.py) -------------------------------------------------------

    @work(group="bunq-notes", exclusive=True, exit_on_error=False)
    async def load_notes(self) -> None:
        from bunqtui.core import notes as core_notes
        from bunqtui.tui.screens.notes import notes_view

        assert self.session is not None and self.identity is not None
        box = self.query_one("#detail-notes", Static)
        box.update(notes_view(self.notes))
        try:
            found = await core_notes.alist_notes(
                self.session, self.identity, self.account.id, self.payment.id
            )
        except Exception as exc:
            box.update(notes_view(None, str(exc)))
            raise
        self.notes = sorted(found, key=lambda n: n.id, reverse=True)  # newest first
        box.update(notes_view(self.notes))
        self.refresh_bindings()

    def action_note(self, edit: bool) -> None:
        from bunqtui.tui.screens.notes import note_dialog

        existing = self.notes[0] if edit and self.notes else None

        def entered(text: str | None) -> None:
            if text:
                self.save_note(text, existing.id if existing is not None else None)

        self.app.push_screen(note_dialog(existing), entered)

    @work(group="bunq-note-save", exit_on_error=False)
    async def save_note(self, text: str, note_id: int | None) -> None:
        from bunqtui.core import notes as core_notes

        assert self.session is not None and self.identity is not None
        where = (self.session, self.identity, self.account.id, self.payment.id)
        if note_id is None:
            await core_notes.aadd_note(*where, text)
        else:
            await core_notes.aedit_note(*where, note_id, text)
        self.notify("Note saved.", title="Payment")
        self.load_notes()
