"""The layers of design.md, kept true: dependencies point down only.

Walks the AST of every module (imports inside functions included) rather than importing it,
so a violation is caught even on a code path no other test runs.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "bunqtui"
CONNECTORS = ROOT / "plugins"

# package → bunqtui packages it must never import (directly or lazily)
FORBIDDEN: dict[str, set[str]] = {
    "api": {"tui", "cli", "core", "config", "store", "plugins", "emulator"},
    "emulator": {"tui", "cli", "core", "config", "store", "plugins", "api"},
    "config": {"tui", "cli", "core", "plugins", "emulator"},
    "store": {"tui", "cli", "core", "plugins", "emulator"},
    "plugins": {"tui", "cli", "core", "emulator"},
    "core": {"tui", "cli"},
    "cli": {"tui"},  # only through the lazy launcher, checked separately below
}
CONNECTOR_FORBIDDEN = {"tui", "cli", "core", "emulator"}


def imported_modules(path: Path) -> list[tuple[str, int, bool]]:
    """(module, line, at_module_level) for every import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    top_level = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno, id(node) in top_level) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno, id(node) in top_level))
    return found


def python_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*.py") if "__pycache__" not in p.parts)


def violations(files: list[Path], forbidden: set[str], *, allow_textual: bool) -> list[str]:
    bad = []
    for path in files:
        for module, line, _ in imported_modules(path):
            parts = module.split(".")
            if parts[0] == "textual" and not allow_textual:
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
            if parts[0] == "bunqtui" and len(parts) > 1 and parts[1] in forbidden:
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return bad


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_respects_layers(package: str) -> None:
    files = python_files(SRC / package)
    forbidden = FORBIDDEN[package]
    if package == "cli":
        files = [p for p in files if p.name != "launch.py"]
    assert violations(files, forbidden, allow_textual=False) == []


def test_connectors_respect_layers() -> None:
    assert violations(python_files(CONNECTORS), CONNECTOR_FORBIDDEN, allow_textual=False) == []


def test_cli_launcher_imports_the_ui_lazily() -> None:
    """`bunqtui --help` and headless commands must not pay for importing Textual."""
    launcher = SRC / "cli" / "launch.py"
    eager = [
        (m, line)
        for m, line, top in imported_modules(launcher)
        if top and (m.startswith("textual") or m.startswith("bunqtui.tui"))
    ]
    assert eager == []


def test_only_tui_imports_textual_at_all() -> None:
    others = [p for p in python_files(SRC) if "tui" not in p.relative_to(SRC).parts[:1]]
    others = [p for p in others if p.name != "launch.py"] + python_files(CONNECTORS)
    assert violations(others, set(), allow_textual=False) == []


def test_the_tui_never_speaks_http_itself() -> None:
    """The TUI goes through bunqtui.core; of the layers below it only reads error types."""
    allowed_below = {"bunqtui.api.errors", "bunqtui.store.secrets"}
    bad = []
    for path in python_files(SRC / "tui"):
        for module, line, _ in imported_modules(path):
            parts = module.split(".")
            below = parts[0] == "bunqtui" and len(parts) > 1 and parts[1] in ("api", "store")
            if parts[0] in ("httpx", "httpcore", "uvicorn", "starlette") or (
                below and module not in allowed_below
            ):
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
            if module.startswith("bunqtui.emulator"):
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert bad == []
