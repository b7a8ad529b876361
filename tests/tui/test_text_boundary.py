"""A guard on the TUI's source: text built from values never reaches a widget as markup.

Textual reads a ``str`` given to ``Static``, ``Label``, ``update``, an ``Option`` or a
``Checkbox``/``Button`` label as markup. An f-string (or a ``+`` of strings) there is how
outside text slips in, so each must go through ``bunqtui.tui.safe.untrusted`` (or another
call that builds ``Text``). Toasts need no such care: ``BunqApp.notify`` makes every message
plain and printable; tables neither: ``RowsTable`` and ``VimDataTable`` do it for str cells.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TUI = Path(__file__).resolve().parents[2] / "src" / "bunqtui" / "tui"
MARKUP_TAKERS = {"Static", "Label", "Option", "Checkbox", "Button", "update"}


def _built_text(node: ast.expr) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add)
    )


def _offences(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in MARKUP_TAKERS and _built_text(node.args[0]):
            found.append(f"{path.relative_to(TUI)}:{node.lineno} {name}(<built str>)")
    return found


@pytest.mark.parametrize("path", sorted(TUI.rglob("*.py")), ids=lambda p: p.name)
def test_no_built_string_reaches_a_markup_widget(path: Path) -> None:
    assert _offences(path) == []


def test_the_guard_sees_an_offence(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text('Label(f"{account.description}")\nstatic.update("a" + name)\nLabel("ok")\n')
    found = []
    for node in ast.walk(ast.parse(probe.read_text())):
        if isinstance(node, ast.Call) and node.args and _built_text(node.args[0]):
            found.append(node.lineno)
    assert found == [1, 2]
