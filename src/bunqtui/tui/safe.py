"""The TUI's side of the trust boundary: text from bunq, other people or disk reaches Textual here.

A payment's description, a counterparty's or connected user's name, an account name a co-owner
chose, bunq's error text, a profile name or URL from config.toml: none of it is ours. Given to
Textual as a ``str`` it is parsed as markup (``[/x]`` crashes the app, ``[link=…]`` hides a
hyperlink, ``[@click=…]`` runs an action) and its control characters go to the terminal (an
ESC sequence clears the screen or sets the window title). ``untrusted`` makes it a
``rich.text.Text`` with every control written out (``bunqtui.untrusted.printable``); Rich's
``Text`` alone keeps ESC. Where Textual only takes markup (a command palette's help line),
``markup_text`` escapes it.
"""

from __future__ import annotations

from rich.console import JustifyMethod
from rich.style import StyleType
from rich.text import Text

from bunqtui.untrusted import json_text, printable

__all__ = ["json_text", "markup_text", "safe_str", "untrusted"]


def untrusted(
    text: object,
    style: StyleType = "",
    *,
    one_line: bool = True,
    justify: JustifyMethod | None = None,
) -> Text:
    """``text`` (anything; None reads as empty) as plain, printable ``Text``: never markup.

    ``one_line`` for cells, titles and status lines (line breaks and tabs become spaces);
    ``False`` for a detail view's long text, which keeps its newlines.
    """
    return Text(printable(text, one_line=one_line), style=style, justify=justify, end="")


def safe_str(text: object, *, one_line: bool = True) -> str:
    """``text`` made printable, for a widget that takes plain (not markup) strings only."""
    return printable(text, one_line=one_line)


def markup_text(text: object) -> str:
    """``text`` for a place that parses markup (the command palette's help): escaped."""
    from textual.markup import escape  # here: the pure formatting helpers import this module

    return escape(printable(text))
