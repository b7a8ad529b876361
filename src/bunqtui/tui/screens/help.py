"""Help (``?``): the keys of the screen you came from, the global ones, and how to remap them."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Label, Static

from bunqtui.core import query
from bunqtui.tui.safe import untrusted
from bunqtui.tui.screens.base import BunqScreen
from bunqtui.tui.widgets.footer import BunqFooter
from bunqtui.tui.widgets.lists import VimScroll
from bunqtui.tui.widgets.status import StatusBar


def keys_table(screen: Screen[Any]) -> Table:
    """The actions on ``screen`` (its focused widget included): keys, what they do, binding id.

    Only bindings that are ours (they have an id) or shown in the footer; plain cursor
    movement is described once, below the table.
    """
    table = Table(box=None, padding=(0, 2), show_header=True, header_style="bold")
    table.add_column("Key", no_wrap=True)
    table.add_column("Does")
    table.add_column("Binding id", style="dim", no_wrap=True)
    rows: dict[tuple[str, str], tuple[list[str], str]] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.description or not (binding.id or binding.show):
            continue
        keys, binding_id = rows.setdefault((binding.action, binding.description), ([], ""))
        display = screen.app.get_key_display(binding)
        if display not in keys:
            keys.append(display)
        if binding.id and not binding_id:
            rows[binding.action, binding.description] = (keys, binding.id)
    for (_, description), (keys, binding_id) in sorted(
        rows.items(), key=lambda item: item[0][1].casefold()
    ):
        # a rich Table reads str cells as markup; keys may come from config.toml
        table.add_row(untrusted(", ".join(keys)), untrusted(description), untrusted(binding_id))
    return table


NAVIGATION = """\
↑ ↓ or j k     move          Enter   open            Esc   back
PgUp PgDn      page          g G     first, last     Tab   next pane
Ctrl+P         command palette: every action, by name"""


def filter_help() -> str:
    doc = query.__doc__ or ""
    return doc.split("Syntax (all terms must match):", 1)[-1].strip().replace("``", "")


class HelpScreen(BunqScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", "Close help", id="help.close"),
    ]

    def __init__(self, under: Screen[Any]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with VimScroll(id="help-body"):
            yield Label("Keys on this screen", classes="pane-title")
            yield Static(keys_table(self.under), id="help-keys")
            yield Label("Moving around", classes="pane-title")
            yield Static(Text(NAVIGATION), id="help-navigation")
            yield Label("Filtering payments ( / )", classes="pane-title")
            yield Static(Text(filter_help()), id="help-filter")
            yield Label("Remapping keys and the theme", classes="pane-title")
            yield Static(
                Text(
                    "In config.toml, map a binding id to the keys you want:\n\n"
                    "  [ui]\n"
                    '  theme = "gruvbox"\n'
                    "  [ui.keys]\n"
                    '  "app.quit" = "ctrl+q"\n'
                    '  "nav.down" = "j,ctrl+n"\n\n'
                    "config.toml lives in $BUNQTUI_HOME, or else in the platform's config "
                    "folder (~/.config/bunqtui on Linux)."
                ),
                id="help-remap",
            )
        yield BunqFooter()

    def on_mount(self) -> None:
        self.query_one(StatusBar).set_where("help")
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
