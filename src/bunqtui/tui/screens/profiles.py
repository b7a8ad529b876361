"""The profiles modal: every profile with its connector and environment; Enter switches mode."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Label, Static

from bunqtui.core import ProfileInfo
from bunqtui.tui.safe import untrusted
from bunqtui.tui.screens.base import BunqModal, environment_label
from bunqtui.tui.widgets.footer import BunqFooter
from bunqtui.tui.widgets.lists import VimDataTable


class ProfilesTable(VimDataTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Switch", id="profiles.switch"),
    ]


class ProfilesScreen(BunqModal[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="profiles.close"),
        Binding("n", "new", "New profile", id="profiles.new"),
        Binding("d", "make_default", "Make default", id="profiles.default"),
        Binding("c", "connect", "Connect user", id="profiles.connect"),
    ]

    def __init__(self, profiles: list[ProfileInfo], current: str | None) -> None:
        super().__init__(classes="dialog-screen")
        self.profiles = profiles
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide-dialog"):
            yield Label("Profiles", classes="dialog-title")
            yield Static(
                "Enter switches to a profile (API key ↔ PSD2) in place; its screens stay "
                "as you left them.",
                classes="hint",
            )
            yield ProfilesTable(id="profiles-table")
        yield BunqFooter()

    def on_mount(self) -> None:
        titles = {c.name: c.title for c in self.bunq.workspace.connectors()}
        table = self.query_one(ProfilesTable)
        table.add_column("", key="mark", width=2)
        table.add_column("Profile", key="name", width=16)
        table.add_column("Connector", key="connector", width=16)
        table.add_column("Environment", key="environment", width=18)
        table.add_column("", key="default", width=8)
        for info in self.profiles:
            table.add_row(
                # names, connectors and URLs from config.toml, titles from plugins
                Text("●", style="green") if info.name == self.current else "",
                untrusted(info.name),
                untrusted(titles.get(info.connector, f"{info.connector} (plugin missing)")),
                untrusted(environment_label(info.environment, info.base_url)),
                "default" if info.is_default else "",
                key=info.name,
            )
        names = [p.name for p in self.profiles]
        if self.current in names:
            table.move_cursor(row=names.index(self.current))
        table.focus()

    def _selected(self) -> ProfileInfo | None:
        table = self.query_one(ProfilesTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((p for p in self.profiles if p.name == key), None)

    @on(DataTable.RowSelected, "#profiles-table")
    def _switch(self, event: DataTable.RowSelected) -> None:
        name = event.row_key.value
        if name is None:
            return
        self.dismiss(None)
        if name != self.current:
            self.bunq.switch_profile(name)
            self.bunq.notify(f"Switched to profile {name}.", title="Profiles")

    def action_close(self) -> None:
        self.dismiss(None)

    def action_new(self) -> None:
        self.dismiss(None)
        self.bunq.action_new_profile()

    def action_make_default(self) -> None:
        info = self._selected()
        if info is None:
            return
        try:
            self.bunq.workspace.set_default_profile(info.name)
        except Exception as exc:  # e.g. config.toml broken meanwhile: say so, change nothing
            self.bunq.report_error(exc)
            return
        self.profiles = self.bunq.workspace.profiles()
        table = self.query_one(ProfilesTable)
        for profile in self.profiles:
            table.update_cell(profile.name, "default", "default" if profile.is_default else "")
        self.notify(f"{info.name} opens first from now on.", title="Profiles")

    def action_connect(self) -> None:
        info = self._selected()
        if info is None:
            return
        self.dismiss(None)
        self.bunq.action_connect_user(info.name)
