"""bunqtui.api stands alone: no Textual, no other bunqtui package (design.md layers)."""

from __future__ import annotations

import ast
from pathlib import Path

API = Path(__file__).resolve().parents[2] / "src" / "bunqtui" / "api"
FORBIDDEN_BUNQTUI = {"tui", "cli", "core", "emulator", "config", "store", "plugins"}


def _imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):  # includes imports inside functions
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            found.append(("<relative>." + (node.module or ""), node.lineno))
    return found


def test_api_modules_exist() -> None:
    names = {p.stem for p in API.glob("*.py")}
    assert {"client", "crypto", "errors", "models", "oauth", "ratelimit", "context"} <= names


def test_api_imports_no_textual_and_no_upper_layer() -> None:
    bad = []
    for path in sorted(API.rglob("*.py")):
        for module, line in _imports(path):
            parts = module.split(".")
            if parts[0] == "textual":
                bad.append(f"{path.name}:{line} imports {module}")
            if parts[0] == "bunqtui" and len(parts) > 1 and parts[1] in FORBIDDEN_BUNQTUI:
                bad.append(f"{path.name}:{line} imports {module}")
            if parts[0] == "<relative>":
                # relative imports could climb out of the package unnoticed; use absolute ones
                bad.append(f"{path.name}:{line} uses a relative import")
    assert bad == []


def test_walker_catches_a_lazy_textual_import(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text("def f():\n    from textual.app import App\n    import bunqtui.tui\n")
    assert [m for m, _ in _imports(sample)] == ["textual.app", "bunqtui.tui"]
