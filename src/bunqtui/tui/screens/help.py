"""Help (``?``): the keys of the screen you came from, the global ones, and how to remap them."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Label, Static

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
    table.add_column("Id", style="dim", no_wrap=True)
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
Ctrl+P         find any action by name"""

# (what to type, what it finds): every example is checked against the filter by a test
FILTER_EXAMPLES = [
    ("coffee", "coffee in the name, description or IBAN (any case)"),
    ('"albert heijn"', "those words together"),
    ("12.50", "exactly 12.50, in or out"),
    (">100", "money in over 100"),
    ("<-50", "money out over 50"),
    ("10..20", "between 10 and 20, in or out"),
    ("2026-01-31", "on that day"),
    ("2026-01-01..2026-01-31", "on those days"),
    ("since:2026-01-01", "on or after that day"),
    ("until:2026-03-31", "on or before that day"),
]


def filter_help() -> Text:
    """What to type after / (on the payments screen) or in search, for people, not code."""
    width = max(len(example) for example, _ in FILTER_EXAMPLES) + 3
    text = Text("Type words, amounts or dates; a payment must match all of them.\n\n")
    for example, finds in FILTER_EXAMPLES:
        text.append(f"  {example:<{width}}", "bold")
        text.append(f"{finds}\n")
    text.append("\nDays are in your local time. For example: coffee >-10 since:2026-01-01")
    return text


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
            yield Label("Finding payments ( / )", classes="pane-title")
            yield Static(filter_help(), id="help-filter")
            yield Label("Your own keys and colours", classes="pane-title")
            yield Static(
                Text(
                    "Each key above has an id (right column). To use other keys, or another "
                    "colour theme, add them to config.toml:\n\n"
                    "  [ui]\n"
                    '  theme = "gruvbox"\n'
                    "  [ui.keys]\n"
                    '  "app.quit" = "ctrl+q"\n'
                    '  "nav.down" = "j,ctrl+n"\n\n'
                    "config.toml is in the folder named by BUNQTUI_HOME if you set it, "
                    "otherwise in ~/.config/bunqtui on Linux. Restart bunqtui to use it."
                ),
                id="help-remap",
            )
        yield BunqFooter()

    def on_mount(self) -> None:
        self.query_one(StatusBar).set_where("help")
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
