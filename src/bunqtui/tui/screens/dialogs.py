"""Small modal dialogs that return a typed result through ``dismiss``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from bunqtui.tui.errors import ErrorReport, describe
from bunqtui.tui.safe import safe_str, untrusted
from bunqtui.tui.screens.base import BunqModal
from bunqtui.tui.widgets.lists import TickBox


class ErrorModal(BunqModal[str | None]):
    """An error the user must act on (bad API key, not logged in, unverifiable answer).

    Dismisses with ``SETUP_AGAIN`` when the user chose to set the profile up again."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="dialog.close"),
        Binding("s", "setup_again", "Set up again", id="dialog.setup_again"),
    ]

    def __init__(self, report: ErrorReport) -> None:
        super().__init__(classes="dialog-screen")
        self.report = report

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog error-dialog"):
            # bunq's error text and file names: shown as they are, never as markup
            yield Label(untrusted(self.report.title), classes="dialog-title")
            with VerticalScroll(classes="error-scroll"):  # the whole message, once
                yield Static(untrusted(self.report.message, one_line=False), id="error-message")
                if self.report.hint:
                    yield Static(
                        untrusted(self.report.hint, one_line=False), id="error-hint", classes="hint"
                    )
            with Horizontal(classes="dialog-buttons"):
                if self.report.setup_again:
                    yield Button("Set up again (s)", variant="primary", id="setup-again")
                yield Button("Close (esc)", variant="default", id="ok")

    def on_mount(self) -> None:
        self.query_one("#setup-again" if self.report.setup_again else "#ok", Button).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # not offered: not in the footer either
        return not (action == "setup_again" and not self.report.setup_again)

    @on(Button.Pressed, "#ok")
    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#setup-again")
    def action_setup_again(self) -> None:
        self.dismiss(SETUP_AGAIN)


SETUP_AGAIN = "setup-again"


class ConfirmModal(BunqModal[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="dialog.yes"),
        Binding("n,escape", "answer(False)", "No", id="dialog.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__(classes="dialog-screen")
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(untrusted(self.question, one_line=False))  # names someone else chose
            with Horizontal(classes="dialog-buttons"):
                yield Button("Yes (y)", variant="error", id="yes")
                yield Button("No (n)", id="no")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class InputModal(BunqModal[str | None]):
    """One line of input: a pasted URL, an amount… ``check`` returns an error text or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        # priority: the field's own Enter (hidden) would otherwise keep it out of the footer
        Binding("enter", "submit", "OK", id="dialog.ok", priority=True),
    ]

    def __init__(
        self,
        title: str,
        prompt: str,
        *,
        value: str = "",
        placeholder: str = "",
        password: bool = False,
        check: object = None,
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.prompt = prompt
        self.value = value
        self.placeholder = placeholder
        self.password = password
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(untrusted(self.title_text), classes="dialog-title")
            yield Static(untrusted(self.prompt, one_line=False))
            yield Input(
                self.value,
                placeholder=safe_str(self.placeholder),  # may hold a configured URL
                password=self.password,
                id="dialog-input",
            )
            yield Static("", id="dialog-error", classes="error-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    def action_submit(self) -> None:
        """Enter: on a focused button, that button (Cancel stays Cancel); else OK."""
        if isinstance(self.focused, Button):
            self.focused.press()
        else:
            self._submit()

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _submit(self) -> None:
        value = self.query_one("#dialog-input", Input).value.strip()
        problem = self.check(value) if callable(self.check) else None
        if problem:
            self.query_one("#dialog-error", Static).update(untrusted(problem))
            return
        self.dismiss(value or None)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def check_amount(limit: Decimal) -> object:
    def check(value: str) -> str | None:
        try:
            amount = Decimal(value.replace(",", "."))
        except InvalidOperation:
            return "Write an amount such as 100 or 25.50."
        if not amount.is_finite() or amount <= 0 or amount > limit:
            return f"Between 0.01 and {limit:,.2f}."
        if amount != amount.quantize(Decimal("0.01")):
            return "At most two decimals."
        return None

    return check


ExportRun = Callable[[str, Path, bool], Awaitable[str]]


def export_problem(exc: BaseException, path: Path) -> str:
    """Why an export failed, naming the file the user chose: an OSError's own file name may
    be the temporary file the export writes first, which the user never chose."""
    if isinstance(exc, OSError):
        return f"Could not write {path}: {exc.strerror or type(exc).__name__}."
    return describe(exc).text


class ExportModal(BunqModal[tuple[str, Path, bool] | str | None]):
    """Choose exporter, file or folder, and whether to fetch the older pages first.

    With ``run``, the export runs here: the dialog stays open until it is written (and says
    why not, so the path can be fixed), then dismisses with ``run``'s message ("N of M
    written …"). Without, it dismisses with the choice."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
    ]

    def __init__(
        self,
        formats: list[str],
        folder: Path,
        shown: int,
        complete: bool,
        run: ExportRun | None = None,
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.formats = formats
        self.folder = folder
        self.shown = shown
        self.complete = complete
        self.runner = run

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Export payments", classes="dialog-title")
            yield Static(
                untrusted(
                    f"{self.shown:,} payments shown (the filter applies)."
                    + ("" if self.complete else " Older ones are not loaded yet.")
                )
            )
            yield Label("Format")
            yield Select(  # exporter names come from plugins
                [(untrusted(f), f) for f in self.formats],
                # CSV first when installed: plugins (beancount…) sort before it by name
                value="csv" if "csv" in self.formats else self.formats[0],
                allow_blank=False,
                id="export-format",
            )
            yield Label("File or folder (a folder gets a dated file name)")
            yield Input(safe_str(str(self.folder)), id="export-path")
            yield TickBox(
                "Load all older payments first",
                value=False,
                id="export-all",
                disabled=self.complete,
            )
            yield Static("", id="export-error", classes="error-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Export", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def action_submit(self) -> None:
        fmt = self.query_one("#export-format", Select).value
        path = self.query_one("#export-path", Input).value.strip()
        if not path:
            self.query_one("#export-path", Input).focus()
            return
        load_all = self.query_one("#export-all", Checkbox).value
        choice = (str(fmt), Path(path).expanduser(), load_all)
        if self.runner is None:
            self.dismiss(choice)
            return
        self._busy(True)
        self._export(*choice)

    def _busy(self, running: bool) -> None:
        self.query_one("#ok", Button).disabled = running
        self.query_one("#export-error", Static).update("Exporting…" if running else "")

    @work(group="bunq-export", exclusive=True, exit_on_error=False)
    async def _export(self, fmt: str, path: Path, load_all: bool) -> None:
        assert self.runner is not None
        try:
            message = await self.runner(fmt, path, load_all)
        except Exception as exc:  # said here, so the path or format can be changed
            self._busy(False)
            self.query_one("#export-error", Static).update(
                untrusted(export_problem(exc, path), one_line=False)
            )
            self.query_one("#export-path", Input).focus()
            return
        self.dismiss(message)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.workers.cancel_group(self, "bunq-export")
        self.dismiss(None)
