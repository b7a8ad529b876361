"""The one-line bar on top of each screen: where you are and whether bunq can be reached."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

from bunqtui.tui.errors import OFFLINE, RATE_LIMITED
from bunqtui.tui.safe import untrusted

_CONNECTION = {
    OFFLINE: ("● offline", "bold red"),
    RATE_LIMITED: ("● rate-limited", "bold yellow"),
}


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar {
        dock: top;
        height: 1;
        background: $panel;
        color: $text;
        padding: 0 1;
    }
    """

    def __init__(self, where: str = "", **kwargs: Any) -> None:  # Static's id, classes, …
        super().__init__("", **kwargs)
        self.where = where
        self.fresh = ""  # "updated 14:02": when bunq last answered this screen

    def on_mount(self) -> None:
        self.watch(self.app, "connection", self._show)

    def set_where(self, where: str) -> None:
        self.where = where
        self._show(getattr(self.app, "connection", ""))

    def set_fresh(self, fresh: str) -> None:
        """When the screen's data last came from bunq (a refresh says here when it finished)."""
        self.fresh = fresh
        self._show(getattr(self.app, "connection", ""))

    def _show(self, connection: str) -> None:
        # where: profile names and hosts from config.toml, connector titles from plugins
        text = Text.assemble(("bunqtui", "bold"), "  ", untrusted(self.where))
        if self.fresh:
            text.append(f"  ·  {self.fresh}", "dim")
        label = _CONNECTION.get(connection)
        if label:
            text.append("   ")
            text.append(*label)
        self.update(text)
