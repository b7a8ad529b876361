"""A statement export (``S`` on the payments screen): bunq's MT940, CSV or PDF of the account
over a date range, asked for, waited on and written to a file — all inside one dialog.

The dialog checks the form with core's own rules before anything is sent, runs the export in a
worker with bunq's status as progress, and shows the written path or the error where the user
is looking. The file is written by core: 0600, atomically; its content is never shown.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static

from bunqtui.core import ConfigError, Identity, MonetaryAccount, ProfileSession
from bunqtui.core import statements as core_statements
from bunqtui.tui.errors import describe
from bunqtui.tui.safe import safe_str, untrusted
from bunqtui.tui.screens.base import BunqModal

FORMATS = ("MT940", "CSV", "PDF")


def default_path(folder: Path, account_id: int, fmt: str, start: str, end: str) -> Path:
    suffix = core_statements.SUFFIXES[fmt]
    return folder / f"statement-{account_id}-{start}-{end}{suffix}"


class StatementModal(BunqModal[Path | None]):
    """The form, then progress, then the result; dismisses with the written path (or None)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Close", id="statement.cancel"),
    ]

    def __init__(
        self,
        session: ProfileSession,
        identity: Identity,
        account: MonetaryAccount,
        folder: Path,
        today: dt.date,
        *,
        poll_seconds: float | None = None,
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.session = session
        self.identity = identity
        self.account = account
        self.folder = folder
        self.today = today
        self.poll_seconds = poll_seconds  # None: core's pace (bunq's GET floor)
        self.written: Path | None = None
        self.running = False
        self.statuses: list[str] = []  # bunq's statuses as they came (progress)

    def _dates(self) -> tuple[str, str]:
        first = self.today.replace(day=1)
        start = (first - dt.timedelta(days=1)).replace(day=1)  # last month, whole
        return start.isoformat(), (first - dt.timedelta(days=1)).isoformat()

    def compose(self) -> ComposeResult:
        name = self.account.description or self.account.iban or f"account {self.account.id}"
        start, end = self._dates()
        with Vertical(classes="dialog wide-dialog"):
            yield Label(untrusted(f"Statement of {name}"), classes="dialog-title")
            with Horizontal(classes="statement-dates"):
                yield Label("From")
                yield Input(start, placeholder="YYYY-MM-DD", id="statement-from")
                yield Label("To")
                yield Input(end, placeholder="YYYY-MM-DD", id="statement-to")
            yield Label("Format")
            yield Select(
                [(f, f) for f in FORMATS], value="MT940", allow_blank=False, id="statement-format"
            )
            yield Label("File")
            path = default_path(self.folder, self.account.id, "MT940", start, end)
            yield Input(safe_str(path), id="statement-path")
            yield Static("", id="statement-progress", classes="hint")
            yield Static("", id="statement-error", classes="error-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Export", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#statement-from", Input).focus()

    @on(Select.Changed, "#statement-format")
    def _format_changed(self, event: Select.Changed) -> None:
        """The file name follows the format while it is still the suggested one."""
        box = self.query_one("#statement-path", Input)
        current = Path(box.value)
        if current.stem.startswith("statement-") and current.suffix in (
            core_statements.SUFFIXES.values()
        ):
            box.value = str(current.with_suffix(core_statements.SUFFIXES[str(event.value)]))

    def _error(self, text: str) -> None:
        self.query_one("#statement-error", Static).update(untrusted(text, one_line=False))

    def _progress(self, text: str) -> None:
        self.query_one("#statement-progress", Static).update(untrusted(text))

    def _form(self) -> tuple[str, dt.date, dt.date, Path] | None:
        """The form as core will get it, or None with the problem shown (nothing sent)."""
        fmt = str(self.query_one("#statement-format", Select).value)
        values = {}
        for field, label in (("from", "From"), ("to", "To")):
            text = self.query_one(f"#statement-{field}", Input).value.strip()
            try:
                values[field] = dt.date.fromisoformat(text)
            except ValueError:
                self._error(f"{label}: {text!r} is not a date (YYYY-MM-DD).")
                self.query_one(f"#statement-{field}", Input).focus()
                return None
        path_text = self.query_one("#statement-path", Input).value.strip()
        if not path_text:
            self._error("Give the file a name.")
            return None
        regional = "UK_US" if fmt == "CSV" else None
        try:
            core_statements.check_request(fmt, values["from"], values["to"], regional)
        except ConfigError as exc:
            self._error(exc.message + (f" — {exc.hint}" if exc.hint else ""))
            return None
        return fmt, values["from"], values["to"], Path(path_text).expanduser()

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _submit(self) -> None:
        if self.written is not None:
            self.dismiss(self.written)
            return
        if self.running:
            return
        form = self._form()
        if form is None:
            return
        self._error("")
        self.export(*form)

    @work(group="bunq-statement", exclusive=True, exit_on_error=False)
    async def export(self, fmt: str, start: dt.date, end: dt.date, path: Path) -> None:
        self.running = True
        self.query_one("#ok", Button).disabled = True
        self._progress("asking bunq for the statement…")

        def progress(status: str) -> None:
            self.statuses.append(status)
            self._progress(f"bunq: {status.lower() or 'unknown'}…")

        try:
            size = await core_statements.aexport_statement(
                self.session,
                self.identity,
                self.account.id,
                fmt,
                start,
                end,
                path,
                regional_format="UK_US" if fmt == "CSV" else None,
                progress=progress,
                poll_seconds=self.poll_seconds,
            )
        except Exception as exc:  # shown here, where the user looks; the form stays
            report = describe(exc)
            self._progress("")
            self._error(f"{report.title}: {report.text}")
            return
        finally:
            self.running = False
            self.query_one("#ok", Button).disabled = False
        self.written = path
        self._progress(f"Written {size:,} bytes to {path}")
        self.query_one("#ok", Button).label = "Done"
        self.query_one("#ok", Button).focus()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.workers.cancel_group(self, "bunq-statement")
        self.dismiss(self.written)
