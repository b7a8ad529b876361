"""README's key table is the user's map of the TUI: every key a footer can show is in it, and
every key it names is bound somewhere (a key removed from the code cannot linger there)."""

from __future__ import annotations

import re
from pathlib import Path

from bunqtui.tui import keys

README = Path(__file__).parents[1] / "README.md"
# keys the table writes as words or symbols
NAMED = {
    "escape": "Esc",
    "enter": "Enter",
    "backspace": "Backspace",
    "question_mark": "?",
    "slash": "/",
}
BUILT_IN = {"ctrl+p"}  # Textual's command palette, bound by Textual itself


def _table() -> list[list[str]]:
    text = README.read_text(encoding="utf-8")
    start = text.index("| key | where | does |")
    lines = text[start:].split("\n\n", 1)[0].splitlines()[2:]  # after the header and rule
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


def _names(key: str, display: str | None) -> set[str]:
    return {key, NAMED.get(key, key), *([display] if display else [])}


def test_every_shown_binding_is_in_the_readme_table() -> None:
    table = _table()  # a key may be named in any column ("`f`/`u` freeze/unfreeze")
    listed = {token for row in table for cell in row for token in re.findall(r"`([^`]+)`", cell)}
    words = " ".join(row[0] for row in table)
    missing = [
        (binding_id, binding.key)
        for binding_id, binding in keys.bindings()
        if binding.show
        for key in binding.key.split(",")
        if not (_names(key, binding.key_display) & listed) and NAMED.get(key, "\0") not in words
    ]
    assert missing == []


def test_every_key_the_table_names_is_bound() -> None:
    bound: set[str] = set(BUILT_IN)
    for _, binding in keys.bindings():
        for key in binding.key.split(","):
            bound |= _names(key, binding.key_display)
    listed = {token for row in _table() for token in re.findall(r"`([^`]+)`", row[0])}
    assert listed, "the key table was not found"
    assert sorted(listed - bound) == []
