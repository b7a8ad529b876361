"""The send / request / bunq.me form, the confirmation before anything is sent, the QR link.

Validated before sent: each field is checked by core's parsers and its error shows under it;
nothing is asked of bunq until every field is valid. Shown before sent:
:class:`MoneyConfirmModal` shows exactly the plan's lines (as untrusted text), its default is
Cancel (Enter on the focused button cancels) and only the deliberate ``y`` sends — and only
once the dialog has been on screen for ``ARM_SECONDS``: a ``y`` typed ahead while the plan was
being made, or hit in the instant the dialog appears, has not read it. Never twice: ``y`` is
disabled from the moment the one send starts; a lost answer shows the look-up's result ("it
went through (payment id …)" or "it did not go through"), and "Not sent" is said only of an
error raised before or by the request itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Static

from bunqtui.api.errors import BunqError
from bunqtui.core.errors import CoreError
from bunqtui.core.money import (
    BunqMeTab,
    Confirmation,
    MoneyDesk,
    MoneyInputError,
    Outcome,
    parse_amount,
    parse_description,
    parse_payee,
)
from bunqtui.tui.formatting import money
from bunqtui.tui.safe import untrusted
from bunqtui.tui.screens.base import BunqModal
from bunqtui.tui.screens.money_desk import MoneyTarget, run_desk
from bunqtui.tui.widgets.qr import QRCode

LINES_UNSCROLLED = 12  # more lines than this (a batch) scroll inside the confirmation
TITLES = {"pay": "Send money", "request": "Request money", "tab": "bunq.me link"}
# (field id, label, placeholder) per form; "to" takes an IBAN, e-mail or phone number
FIELDS = {
    "pay": [
        ("to", "To (IBAN, e-mail or phone)", "NL91ABNA0417164300"),
        ("name", "Name (needed for an IBAN)", ""),
        ("amount", "Amount", "12.50"),
        ("description", "Description", ""),
    ],
    "request": [
        ("to", "Ask (IBAN, e-mail or phone)", "sugardaddy@bunq.com"),
        ("name", "Name (needed for an IBAN)", ""),
        ("amount", "Amount", "12.50"),
        ("description", "Description", ""),
    ],
    "tab": [
        ("amount", "Amount", "10.00"),
        ("description", "Description", ""),
    ],
}


def account_line(target: MoneyTarget) -> str:
    account = target.account
    name = account.description or account.display_name or f"account {account.id}"
    return f"{name} ({account.iban})" if account.iban else name


class NoFocusButton(Button):
    """A button that Tab never lands on: Enter can never press it by accident."""

    can_focus = False


class MoneyFormModal(BunqModal[bool]):
    """Dismisses True when something was done (money may have moved), else False."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="money.form-cancel"),
        Binding("ctrl+s", "submit", "Check and review", id="money.form-submit"),
    ]

    def __init__(self, kind: str, target: MoneyTarget) -> None:
        super().__init__(classes="dialog-screen")
        self.kind = kind
        self.target = target
        self.busy = False  # a plan is being made: one at a time

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide-dialog money-form"):
            yield Label(TITLES[self.kind], classes="dialog-title")
            where = "From" if self.kind == "pay" else "To"
            yield Static(untrusted(f"{where}: {account_line(self.target)}"), id="money-account")
            for field_id, label, placeholder in FIELDS[self.kind]:
                yield Label(label)
                yield Input(placeholder=placeholder, id=f"money-{field_id}")
                error = Static("", id=f"money-{field_id}-error", classes="error-text")
                error.display = False
                yield error
            yield Static("", id="money-error", classes="error-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Review (ctrl+s)", variant="primary", id="review")
                yield Button("Cancel (esc)", id="cancel")

    def _value(self, field_id: str) -> str:
        return self.query_one(f"#money-{field_id}", Input).value

    def _error(self, field_id: str, message: str | None) -> None:
        box = self.query_one(f"#money-{field_id}-error", Static)
        box.update(untrusted(message or ""))  # may quote what was typed or pasted
        box.display = bool(message)

    def field_errors(self) -> dict[str, str]:
        """Each field's problem (core's validation), shown under the field."""
        errors: dict[str, str] = {}
        checks: dict[str, Callable[[], object]] = {
            "amount": lambda: parse_amount(self._value("amount")),
            "description": lambda: parse_description(self._value("description")),
        }
        if self.kind != "tab":
            checks["to"] = lambda: parse_payee(self._value("to"), self._value("name") or None)
        for field_id, check in checks.items():
            try:
                check()
            except MoneyInputError as exc:
                errors[field_id] = str(exc)
        if self.kind != "tab" and not self._value("to").strip():
            errors["to"] = "who? an IBAN, an e-mail address or a phone number"
        for field_id, _label, _placeholder in FIELDS[self.kind]:
            self._error(field_id, errors.get(field_id))
        return errors

    @on(Input.Submitted)
    @on(Button.Pressed, "#review")
    def action_submit(self) -> None:
        if self.busy or self.field_errors():
            return  # nothing is sent: the errors are shown next to their fields
        self.query_one("#money-error", Static).update("")
        self.busy = True
        self.plan()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(False)

    @work(group="bunq-money-plan", exclusive=True, exit_on_error=False)
    async def plan(self) -> None:
        target = self.target
        identity, account_id = target.identity, target.account.id
        amount = parse_amount(self._value("amount"))
        description = parse_description(self._value("description"))
        workspace = self.bunq.workspace
        try:
            if self.kind == "tab":
                tab = await run_desk(
                    workspace,
                    target.profile,
                    lambda desk: desk.create_tab(identity, account_id, amount, description),
                )
                self.dismiss(False)  # a link moves no money until someone pays it
                self.app.push_screen(BunqMeModal(tab))
                return
            payee = parse_payee(self._value("to"), self._value("name") or None)
            if self.kind == "pay":
                payment = await run_desk(
                    workspace,
                    target.profile,
                    lambda desk: desk.plan_payment(
                        identity, account_id, payee, amount, description
                    ),
                )
                confirmation = payment.confirmation

                def send(desk: MoneyDesk) -> Outcome:
                    return desk.pay(payment)

            else:
                request = await run_desk(
                    workspace,
                    target.profile,
                    lambda desk: desk.plan_request(
                        identity, account_id, payee, amount, description
                    ),
                )
                confirmation = request.confirmation

                def send(desk: MoneyDesk) -> Outcome:
                    return desk.request(request)

        except MoneyInputError as exc:  # e.g. an IBAN with no name, above the daily limit
            self.query_one("#money-error", Static).update(untrusted(str(exc), one_line=False))
            return
        finally:
            self.busy = False
        self.app.push_screen(MoneyConfirmModal(confirmation, send, target.profile), self._confirmed)

    def _confirmed(self, outcome: Outcome | None) -> None:
        if outcome is not None:  # sent (or looked up): the form's work is done
            self.dismiss(True)


class MoneyConfirmModal(BunqModal[Outcome | None]):
    """Exactly the plan's lines; Cancel is the default, ``y`` sends once.

    Dismisses with the :class:`Outcome` once sent (also when it was looked up or failed:
    then ``went_through`` is None/False), or None when cancelled: nothing was sent."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "confirm", "Confirm", id="money.confirm"),
        Binding("escape,n", "close", "Cancel", id="money.cancel"),
    ]
    # how long the dialog is shown before ``y`` counts: a key pressed sooner was typed ahead
    ARM_SECONDS = 0.5

    def __init__(
        self, confirmation: Confirmation, send: Callable[[MoneyDesk], Outcome], profile: str
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.confirmation = confirmation
        self.send = send
        self.profile = profile
        self.sending = False
        self.sends = 0  # how often the send started (never more than once)
        self.outcome: Outcome | None = None
        self.armed = False  # ``y`` counts only once the dialog has been seen

    def compose(self) -> ComposeResult:
        c = self.confirmation
        width = max((len(k) for k, _ in c.lines), default=0)
        with Vertical(classes="dialog wide-dialog money-confirm"):
            yield Label(untrusted(c.title), classes="dialog-title")
            lines = Text("\n").join(
                Text.assemble((f"{label.rjust(width)}  ", "bold"), untrusted(value))
                for label, value in c.lines
            )
            if len(c.lines) > LINES_UNSCROLLED:  # a long batch: every entry, scrolled
                with VerticalScroll(classes="error-scroll", id="money-lines-scroll"):
                    yield Static(lines, id="money-lines")
            else:
                yield Static(lines, id="money-lines")
            if c.warnings:
                yield Static(
                    Text("\n").join(untrusted(f"warning: {w}", "bold yellow") for w in c.warnings),
                    id="money-warnings",
                )
            yield Static(untrusted(f"{c.question}  y sends it · Esc or Enter cancels"), id="ask")
            yield Static("", id="money-outcome")
            with Horizontal(classes="dialog-buttons"):
                yield NoFocusButton("Confirm (y)", variant="error", id="confirm")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()  # the default: Enter cancels
        self.set_timer(self.ARM_SECONDS, self._arm)

    def _arm(self) -> None:
        self.armed = True
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "confirm":
            return self.armed and not self.sending and self.outcome is None
        if action == "close":
            return not self.sending  # the one send's answer must be seen
        return True

    @on(Button.Pressed, "#confirm")
    def action_confirm(self) -> None:
        if not self.armed or self.sending or self.outcome is not None or self.sends:
            return
        self.sending = True
        self.sends += 1
        self.query_one("#confirm", Button).disabled = True
        self.query_one("#cancel", Button).disabled = True
        self.query_one("#money-outcome", Static).update(untrusted("Sending… (once)"))
        self.refresh_bindings()
        self.do_send()

    @on(Button.Pressed, "#cancel")
    def action_close(self) -> None:
        if not self.sending:
            self.dismiss(self.outcome)

    @work(group="bunq-money-send", exit_on_error=False)
    async def do_send(self) -> None:
        from bunqtui.tui.errors import describe

        try:
            outcome = await run_desk(self.bunq.workspace, self.profile, self.send)
        except (BunqError, CoreError) as exc:
            # core answers every failure after the request left (a look-up, or "paid" with a
            # note): what reaches here came before or from the request, e.g. too little balance
            outcome = Outcome(False, f"Not sent: {describe(exc).text}")
        except Exception as exc:  # unforeseen: whether it left is not known
            outcome = Outcome(
                None,
                f"Something went wrong ({describe(exc).text}); it may or may not have been "
                "sent. Check the account's payments before trying again.",
            )
        self.sending = False
        self.outcome = outcome
        style = "bold green" if outcome.went_through else "bold red"
        self.query_one("#money-outcome", Static).update(
            untrusted(outcome.message, style, one_line=False)
        )
        self.query_one("#ask", Static).update("Esc or Enter closes.")
        self.query_one("#confirm", Button).display = False  # sent once: nothing to confirm now
        cancel = self.query_one("#cancel", Button)
        cancel.label = "Close"
        cancel.disabled = False
        cancel.focus()
        self.refresh_bindings()


class BunqMeModal(BunqModal[None]):
    """A bunq.me link: its QR code to scan and its URL to share."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="bunqme.close"),
    ]

    def __init__(self, tab: BunqMeTab) -> None:
        super().__init__(classes="dialog-screen")
        self.tab = tab

    def compose(self) -> ComposeResult:
        tab = self.tab
        url = tab.share_url or ""
        amount = tab.amount
        with Vertical(classes="dialog wide-dialog bunqme-dialog"):
            yield Label("bunq.me link", classes="dialog-title")
            yield Static(
                untrusted(
                    f"{money(amount.value, amount.currency) if amount else 'any amount'}"
                    f" · {tab.description or ''} · {(tab.status or '').lower()}"
                ),
                id="bunqme-what",
            )
            if url:
                yield QRCode(url, id="bunqme-qr")
            yield Static(untrusted(url or "bunq gave no share URL"), id="bunqme-url")
            yield Static("Anyone can pay it by scanning the code or opening the link. Esc closes.")

    def action_close(self) -> None:
        self.dismiss(None)
