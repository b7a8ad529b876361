"""The setup wizard: connector, environment, the connector's own fields, then a live step list.

The fields come from the connector (``SetupField``), so a third-party connector gets its form
for free. Setup runs in a worker; each step shows waiting / running / done / failed with bunq's
own message, Esc cancels it, and the profile is written only when every step succeeded.
A mistake in a field is said under that field; a failed setup's message is said once, in a
scrolled box. A field whose ``excludes`` names a ticked checkbox hides (a generated certificate
needs no certificate files). Esc on the first-run wizard asks before it quits the app.
Dismisses with the new ``ProfileInfo``, or None.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from bunqtui.core import ConnectorInfo, ProfileInfo, SetupField, SetupStep, Workspace
from bunqtui.core.workspace import DEFAULT_REDIRECT_URI, profile_name_problem
from bunqtui.tui.errors import describe
from bunqtui.tui.safe import untrusted
from bunqtui.tui.screens.base import BunqScreen
from bunqtui.tui.screens.dialogs import ConfirmModal
from bunqtui.tui.widgets.footer import BunqFooter
from bunqtui.tui.widgets.lists import TickBox
from bunqtui.tui.widgets.status import StatusBar

ENVIRONMENTS = [  # short: the select is a third of the width
    ("Sandbox", "sandbox"),
    ("Production", "production"),
    ("Local emulator", "emulator"),
    ("Custom URL", "custom"),
]
EMULATOR_URL = "http://127.0.0.1:8765/v1"  # `bunqtui emulator`'s default
STEP_MARKS = {
    "waiting": ("○", "dim"),
    "running": ("◐", "yellow"),
    "done": ("●", "green"),
    "skipped": ("–", "dim"),
    "failed": ("✗", "bold red"),
    "cancelled": ("✗", "yellow"),
}


def step_line(step: SetupStep) -> Text:
    mark, style = STEP_MARKS.get(step.status, ("?", ""))
    line = Text.assemble((f" {mark} ", style), untrusted(step.label))
    if step.status == "failed":  # bunq's message is in the error box above, said once
        line.append(" — failed (the message is above)", "red")
    elif step.detail:
        line.append_text(untrusted(f" — {step.detail}", "dim"))
    return line


class SetupScreen(BunqScreen[ProfileInfo | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="setup.cancel"),
        Binding("ctrl+s", "run", "Run setup", id="setup.run"),
    ]

    def __init__(
        self,
        workspace: Workspace,
        *,
        first_run: bool = False,
        emulator_url: str | None = None,
        again: ProfileInfo | None = None,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.again = again  # a profile to set up again: the form starts filled in
        self.first_run = first_run
        self.emulator_url = emulator_url or EMULATOR_URL
        self.connectors: list[ConnectorInfo] = workspace.connectors()
        self.steps: list[SetupStep] = []
        self.running = False
        self._fields_for: str | None = None

    # --- the form ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with VerticalScroll(id="setup-body"):
            yield Label(
                untrusted(f"Set up profile {self.again.name} again")
                if self.again
                else "Welcome to bunqtui — set up a profile"
                if self.first_run
                else "New profile",
                classes="pane-title",
            )
            if self.again:
                yield Static(
                    "Fields left empty keep what is saved (the API key, the certificate).",
                    id="setup-again-hint",
                    classes="hint",
                )
            with Horizontal(classes="setup-row"):
                with Vertical(classes="setup-cell"):
                    yield Label("Connector")
                    yield Select(  # connector titles come from plugins
                        [(untrusted(c.title), c.name) for c in self.connectors],
                        value=self.connectors[0].name if self.connectors else Select.BLANK,
                        allow_blank=not self.connectors,
                        id="setup-connector",
                    )
                with Vertical(classes="setup-cell"):
                    yield Label("Environment")
                    yield Select(
                        ENVIRONMENTS, value="sandbox", allow_blank=False, id="setup-environment"
                    )
                with Vertical(classes="setup-cell"):
                    yield Label("Profile name")
                    yield Input(self._suggest_name(), id="setup-name")
                    yield Static("", id="setup-name-error", classes="field-error")
            yield Static("", id="setup-connector-help", classes="hint")
            with Vertical(id="setup-base-url-row"):
                yield Label("Base URL (the API's address, ending in /v1)")
                yield Input(placeholder="https://…/v1", id="setup-base-url")
                yield Static("", id="setup-base-url-error", classes="field-error")
            yield Vertical(id="setup-fields")
            yield Label("OAuth redirect URI for QR login (empty: as before, or the default)")
            yield Input(placeholder=DEFAULT_REDIRECT_URI, id="setup-redirect-uri")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Run setup (ctrl+s)", variant="primary", id="setup-run")
                yield Button("Cancel (esc)", id="setup-cancel")
            with VerticalScroll(id="setup-error-box"):  # the whole message, once
                yield Static("", id="setup-error", classes="error-text")
            yield Static("", id="setup-steps")
        yield BunqFooter()

    def _suggest_name(self) -> str:
        return self._suggest_name_for(self.connectors[0].name if self.connectors else "main")

    async def on_mount(self) -> None:
        self.query_one(StatusBar).set_where("setup")
        self._show_base_url(False)
        if not self.connectors:
            self._error("No connector plugin is loaded; see `bunqtui plugins`.")
            return
        first = self.connectors[0]
        if self.again is not None:
            first = next((c for c in self.connectors if c.name == self.again.connector), first)
        await self._show_fields(first)
        if self.again is not None:
            self._prefill(self.again, first)
            self.query_one("#setup-run").focus()
            return
        self.query_one("#setup-connector").focus()

    def _prefill(self, info: ProfileInfo, connector: ConnectorInfo) -> None:
        self.query_one("#setup-connector", Select).value = connector.name
        self.query_one("#setup-name", Input).value = info.name
        box = self.query_one("#setup-base-url", Input)
        environment = info.environment
        if info.base_url:
            environment = "emulator" if info.base_url == self.emulator_url else "custom"
            box.value = info.base_url
            self._show_base_url(True)
        self.query_one("#setup-environment", Select).value = environment

    def connector(self) -> ConnectorInfo | None:
        value = self.query_one("#setup-connector", Select).value
        return next((c for c in self.connectors if c.name == value), None)

    @on(Select.Changed, "#setup-connector")
    async def _connector_changed(self) -> None:
        connector = self.connector()
        if connector is not None:
            await self._show_fields(connector)
            name = self.query_one("#setup-name", Input)
            if self.again is not None and name.value == self.again.name:
                return  # the profile being set up again keeps its name
            if name.value in {c.name for c in self.connectors} or re.match(r".+-\d+$", name.value):
                name.value = self._suggest_name_for(connector.name)

    def _suggest_name_for(self, base: str) -> str:
        taken = {p.name for p in self.workspace.profiles()}
        name, n = base, 2
        while name in taken:
            name, n = f"{base}-{n}", n + 1
        return name

    @on(Select.Changed, "#setup-environment")
    def _environment_changed(self, event: Select.Changed) -> None:
        box = self.query_one("#setup-base-url", Input)
        self._show_base_url(event.value in ("emulator", "custom"))
        if event.value == "emulator" and not box.value:
            box.value = self.emulator_url
        elif event.value == "custom" and box.value == self.emulator_url:
            box.value = ""

    def _show_base_url(self, shown: bool) -> None:
        self.query_one("#setup-base-url-row").display = shown

    async def _show_fields(self, connector: ConnectorInfo) -> None:
        if self._fields_for == connector.name:
            return
        self._fields_for = connector.name
        self.query_one("#setup-connector-help", Static).update(untrusted(connector.description))
        holder = self.query_one("#setup-fields", Vertical)
        await holder.remove_children()
        widgets: list[Widget] = []
        for field in connector.fields:
            widgets.extend(self._field_widgets(field))
        await holder.mount_all(widgets)
        self._hide_excluded()
        self.steps = []
        self.query_one("#setup-steps", Static).update("")
        self._error("")

    def _field_widgets(self, field: SetupField) -> list[Widget]:
        wid = f"field-{field.name}"
        hint = f" ({field.help})" if field.help else ""
        # a connector plugin's words: shown as written, never as markup
        if field.kind == "bool":
            return [TickBox(untrusted(f"{field.label}{hint}"), value=bool(field.default), id=wid)]
        label = Label(untrusted(f"{field.label}{' *' if field.required else ''}{hint}"))
        if field.kind == "choice":
            options = [(untrusted(c), c) for c in field.choices]
            default = field.default if field.default in field.choices else Select.BLANK
            control: Widget = Select(options, value=default, id=wid)
        else:
            control = Input(
                str(field.default or ""),
                password=field.kind == "secret",
                placeholder="path to a PEM file" if field.kind == "path" else "",
                id=wid,
            )
        # label, control and its error move together (hidden while an excluding box is ticked)
        return [Vertical(label, control, id=f"{wid}-row", classes="setup-field")]

    def _excluded(self, field: SetupField) -> bool:
        """A ticked checkbox this field cannot go with ("Generate a sandbox certificate")."""
        for other in field.excludes:
            boxes = self.query(f"#field-{other}")
            if boxes and isinstance(boxes.first(), Checkbox) and boxes.first(Checkbox).value:
                return True
        return False

    def _hide_excluded(self) -> None:
        connector = self.connector()
        for field in connector.fields if connector else ():
            rows = self.query(f"#field-{field.name}-row")
            if rows:
                rows.first().display = not self._excluded(field)

    @on(Checkbox.Changed, "#setup-fields Checkbox")
    def _box_ticked(self) -> None:
        self._hide_excluded()

    def options(self, connector: ConnectorInfo) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for field in connector.fields:
            if self._excluded(field):
                continue  # hidden: what the user cannot see is not sent
            widget = self.query_one(f"#field-{field.name}")
            if isinstance(widget, Checkbox):
                if widget.value:
                    values[field.name] = True
            elif isinstance(widget, Select):
                if widget.value is not Select.BLANK:
                    values[field.name] = widget.value
            elif isinstance(widget, Input) and widget.value.strip():
                values[field.name] = widget.value.strip()
        return values

    def _error(self, text: str) -> None:
        # bunq's error text, or a connector's: as written, never as markup
        self.query_one("#setup-error", Static).update(untrusted(text, one_line=False))
        self.query_one("#setup-error-box").display = bool(text)
        for box in self.query(".field-error"):
            box.display = False  # a new attempt: the old field errors go

    def _field_error(self, field_id: str, text: str) -> None:
        """A mistake in one field, said right under it; the field gets the focus."""
        self._error("")
        box = self.query_one(f"#{field_id}-error", Static)
        box.update(untrusted(text, one_line=False))
        box.display = True
        self.query_one(f"#{field_id}").focus()

    # --- running ----------------------------------------------------------------------------

    @on(Button.Pressed, "#setup-run")
    def action_run(self) -> None:
        if self.running:
            return
        connector = self.connector()
        if connector is None:
            return
        name = self.query_one("#setup-name", Input).value.strip()
        problem = profile_name_problem(name)
        if problem is not None:
            self._field_error("setup-name", problem)
            return
        environment = str(self.query_one("#setup-environment", Select).value)
        base_url: str | None = None
        if environment in ("emulator", "custom"):
            base_url = self.query_one("#setup-base-url", Input).value.strip()
            if not base_url.startswith(("http://", "https://")):
                self._field_error("setup-base-url", "Starts with http:// or https://.")
                return
            environment = "sandbox"
        options = self.options(connector)
        redirect_uri = self.query_one("#setup-redirect-uri", Input).value.strip() or None
        try:
            plan = self.workspace.setup_steps(connector.name, options)
        except Exception as exc:  # a usage mistake the connector reports (both key and user…)
            self._error(describe(exc).text)
            return
        self.steps = plan
        self._error("")
        self._show_steps()
        self.run_setup(name, connector.name, environment, base_url, options, redirect_uri)

    @work(group="bunq-setup", exclusive=True, exit_on_error=False)
    async def run_setup(
        self,
        name: str,
        connector: str,
        environment: str,
        base_url: str | None,
        options: dict[str, Any],
        redirect_uri: str | None = None,
    ) -> None:
        self.running = True
        self._lock_form(True)
        try:
            info = await self.workspace.setup_profile(
                name,
                connector,
                environment=environment,
                base_url=base_url,
                redirect_uri=redirect_uri,
                options=options,
                on_step=self._step,
            )
        except Exception as exc:
            report = describe(exc)
            if all(step.status == "waiting" for step in self.steps):
                self.steps = []  # refused before any step ran: a form mistake
                self._show_steps()
                self._error(report.text)
            else:  # the failed step's line points here rather than repeat the message
                self._error(f"Setup failed: {report.text}")
            return
        finally:
            self.running = False
            self._lock_form(False)
        self.finish(info)

    def _lock_form(self, locked: bool) -> None:
        for widget in self.query("#setup-body Input, #setup-body Select, #setup-body Checkbox"):
            widget.disabled = locked
        self.query_one("#setup-run", Button).disabled = locked

    def _step(self, step: SetupStep) -> None:
        for i, known in enumerate(self.steps):
            if known.key == step.key:
                self.steps[i] = step
                break
        else:
            self.steps.append(step)
        self._show_steps()

    def _show_steps(self) -> None:
        if not self.steps:
            self.query_one("#setup-steps", Static).update("")
            return
        lines = Text("Steps\n", style="bold")
        for step in self.steps:
            lines.append_text(step_line(step))
            lines.append("\n")
        self.query_one("#setup-steps", Static).update(lines)

    @on(Button.Pressed, "#setup-cancel")
    def action_cancel(self) -> None:
        if self.running:
            self.workers.cancel_group(self, "bunq-setup")
            for step in self.steps:
                if step.status in ("waiting", "running"):
                    step.status = "cancelled"
            self._show_steps()
            self._error("Setup cancelled; the profile was not written.")
            return
        if self.first_run:  # no profile yet: leaving the wizard quits bunqtui

            def answered(yes: bool | None) -> None:
                if yes:
                    self.dismiss(None)

            self.app.push_screen(ConfirmModal("Quit bunqtui? No profile is set up yet."), answered)
            return
        self.dismiss(None)
