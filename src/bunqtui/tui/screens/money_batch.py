"""Paying a batch from the TUI: rows typed into the form, or a CSV file named in it.

The same rules as a single payment, through the same code: core's ``parse_batch`` checks every
row (a bad row's line is named, nothing is sent), ``plan_batch`` makes the lines shown in the
same :class:`~bunqtui.tui.screens.money_forms.MoneyConfirmModal` (default Cancel, ``y`` sends
once; every entry and the total as untrusted text), ``pay_batch`` sends it once and looks a
lost answer up. A file's text is never put into a widget: it is parsed, and only the
confirmation shows what it holds.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static, TextArea

from bunqtui.core.money import MoneyDesk, MoneyInputError, Outcome
from bunqtui.core.money_batch import load_batch_file, parse_batch, pay_batch, plan_batch
from bunqtui.tui.safe import untrusted
from bunqtui.tui.screens.base import BunqModal
from bunqtui.tui.screens.money_desk import MoneyTarget, run_desk
from bunqtui.tui.screens.money_forms import MoneyConfirmModal, account_line

HEADER = "to,name,amount,description"


class BatchFormModal(BunqModal[bool]):
    """Dismisses True when the batch was sent (money may have moved), else False."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # the same ids as the send form: one key to review and one to leave every money form
        Binding("escape", "cancel", "Cancel", id="money.form-cancel"),
        Binding("ctrl+s", "submit", "Check and review", id="money.form-submit"),
    ]

    def __init__(self, target: MoneyTarget) -> None:
        super().__init__(classes="dialog-screen")
        self.target = target
        self.busy = False  # a plan is being made: one at a time

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide-dialog money-form batch-form"):
            yield Label("Pay a batch: all are paid, or none", classes="dialog-title")
            yield Static(untrusted(f"From: {account_line(self.target)}"), id="money-account")
            yield Label("CSV file (header to,name,amount,description)")
            yield Input(placeholder="~/payments.csv", id="batch-file")
            yield Label("…or one payment a line, under the header")
            yield TextArea(f"{HEADER}\n", id="batch-rows", soft_wrap=False)
            yield Static("", id="batch-error", classes="error-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Review (ctrl+s)", variant="primary", id="review")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        rows = self.query_one("#batch-rows", TextArea)
        rows.styles.height = 8
        rows.move_cursor(rows.document.end)

    def _show_error(self, message: str) -> None:
        # quotes what was typed or what the file holds: shown literally
        self.query_one("#batch-error", Static).update(untrusted(message, one_line=False))

    @on(Input.Submitted)
    @on(Button.Pressed, "#review")
    def action_submit(self) -> None:
        if self.busy:
            return
        self.busy = True
        self._show_error("")
        self.plan()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(False)

    @work(group="bunq-money-plan", exclusive=True, exit_on_error=False)
    async def plan(self) -> None:
        target = self.target
        identity, account_id = target.identity, target.account.id
        path = self.query_one("#batch-file", Input).value.strip()
        typed = self.query_one("#batch-rows", TextArea).text
        try:
            if path and any(line.strip() for line in typed.splitlines()[1:]):
                # which one would be paid is not for the form to guess
                raise MoneyInputError(
                    "a CSV file and typed rows were both given",
                    "clear the file name or the rows under the header",
                )
            text = (
                await asyncio.to_thread(load_batch_file, Path(path).expanduser()) if path else typed
            )
            entries = parse_batch(text)  # every row checked before bunq is asked anything
            batch = await run_desk(
                self.bunq.workspace,
                target.profile,
                lambda desk: plan_batch(desk, identity, account_id, entries),
            )
        except MoneyInputError as exc:
            message = exc.message + (f"\n{exc.hint}" if exc.hint else "")
            self._show_error(message)
            return
        finally:
            self.busy = False

        def send(desk: MoneyDesk) -> Outcome:
            return pay_batch(desk, batch)

        self.app.push_screen(
            MoneyConfirmModal(batch.confirmation, send, target.profile), self._confirmed
        )

    def _confirmed(self, outcome: Outcome | None) -> None:
        if outcome is not None:  # sent (or looked up): the form's work is done
            self.dismiss(True)
