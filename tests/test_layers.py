"""The layers of design.md, kept true: dependencies point down only, and no import cycles.

Walks the AST of every module (imports inside functions and under TYPE_CHECKING included)
rather than importing it, so a violation is caught even on a code path no other test runs.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
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
    "tui": {"cli"},  # what the demo shares with the UI is in bunqtui.core.demo
}
CONNECTOR_FORBIDDEN = {"tui", "cli", "core", "emulator"}

# TEMPORARY (issue 15): debts of bunqtui.tui that are being paid off in tui/ right now. Each
# entry excuses exactly one failure below and is reported (as a warning) while it lasts; an
# entry that no longer matches anything fails `test_known_tui_debts_are_still_owed`, so
# delete it as soon as it is paid. Delete this list (and its uses) once it is empty.
#   "A -> B": module A imports module B although FORBIDDEN says it must not.
#   "cycle: A, B": an import cycle among bunqtui.tui modules only, through both A and B.
KNOWN_TUI_DEBTS: list[str] = []


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
                if f"{module_name(path)} -> {module}" in KNOWN_TUI_DEBTS:
                    continue
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return bad


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_respects_layers(package: str) -> None:
    files = python_files(SRC / package)
    forbidden = FORBIDDEN[package]
    if package == "cli":
        files = [p for p in files if p.name != "launch.py"]
    assert violations(files, forbidden, allow_textual=package == "tui") == []


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


# --- the import graph ------------------------------------------------------------------------


def module_name(path: Path) -> str:
    """``src/bunqtui/core/session.py`` → ``bunqtui.core.session``; a package is its __init__."""
    base = SRC.parent if path.is_relative_to(SRC) else CONNECTORS
    parts = list(path.relative_to(base).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    where: str  # path:line of the import

    def __str__(self) -> str:
        return f"{self.source} -> {self.target}  ({self.where})"


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> Iterator[str]:
    """The module names one import statement names (before matching them to our modules)."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    if node.level:  # relative: resolved against the importing module's package
        package = module.split(".") if is_package else module.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, *([node.module] if node.module else [])])
    else:
        base = node.module or ""
    for alias in node.names:
        # `from a import b` imports the module a.b if there is one, else a name from a
        yield f"{base}.{alias.name}"
        yield base


def import_graph() -> dict[str, list[Edge]]:
    """Every module of src/ and plugins/ → the edges to the modules of ours it imports."""
    files = python_files(SRC) + python_files(CONNECTORS)
    modules = {module_name(p): p for p in files}
    graph: dict[str, list[Edge]] = {name: [] for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            found: set[str] = set()
            candidates = list(_targets(node, name, path.name == "__init__.py"))
            if isinstance(node, ast.ImportFrom):
                # each name: the submodule it names, or else the module it comes from
                pairs = zip(candidates[::2], candidates[1::2], strict=True)
                found |= {sub if sub in modules else base for sub, base in pairs}
            else:
                for target in candidates:  # `import a.b.c`: the deepest of ours
                    parts = target.split(".")
                    while parts and ".".join(parts) not in modules:
                        parts.pop()
                    found.add(".".join(parts))
            for target in sorted(found):
                if target in modules and target != name:
                    graph[name].append(Edge(name, target, where))
    return graph


def strongly_connected(graph: dict[str, list[Edge]]) -> list[list[str]]:
    """Tarjan's components of more than one module: each holds at least one cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for edge in graph[node]:
            if edge.target not in index:
                visit(edge.target)
                low[node] = min(low[node], low[edge.target])
            elif edge.target in on_stack:
                low[node] = min(low[node], index[edge.target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def one_cycle(graph: dict[str, list[Edge]], component: list[str]) -> list[Edge]:
    """A shortest cycle through the component's first module, edge by edge."""
    members = set(component)
    start = component[0]
    came: dict[str, Edge] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for edge in graph[node]:
                if edge.target == start:
                    path = [edge]
                    while path[0].source != start:
                        path.insert(0, came[path[0].source])
                    return path
                if edge.target in members and edge.target not in came:
                    came[edge.target] = edge
                    following.append(edge.target)
        frontier = following
    raise AssertionError(f"no cycle in {component}")  # Tarjan says there is one


def _known_cycle(component: list[str]) -> str | None:
    for debt in KNOWN_TUI_DEBTS:
        if debt.startswith("cycle: "):
            through = set(debt.removeprefix("cycle: ").split(", "))
            only_tui = all(m.startswith("bunqtui.tui.") for m in component)
            if only_tui and through <= set(component):
                return debt
    return None


def test_no_import_cycles() -> None:
    """No module imports itself back, eagerly, lazily or only for type checking: a cycle
    either breaks on import order or hides which layer a module belongs to."""
    graph = import_graph()
    report = []
    for component in strongly_connected(graph):
        if _known_cycle(component):
            continue
        cycle = one_cycle(graph, component)
        report.append(f"cycle among {', '.join(component)}:\n    " + "\n    ".join(map(str, cycle)))
    assert not report, "import cycles:\n" + "\n".join(report)


def test_the_import_graph_sees_every_kind_of_import() -> None:
    """The walker itself: lazy, TYPE_CHECKING-only and relative imports are edges too."""
    graph = import_graph()
    targets = {m: {e.target for e in edges} for m, edges in graph.items()}
    assert "bunqtui.core.session" in targets["bunqtui.core.workspace"]
    assert "bunqtui.emulator.call" in targets["bunqtui.emulator.router"]  # relative
    assert "bunqtui.api.oauth" in targets["bunqtui.core.session"]  # TYPE_CHECKING and lazy
    assert "bunqtui.emulator.server" in targets["bunqtui.cli.demo"]
    cyclic = {"a": [Edge("a", "b", "x:1")], "b": [Edge("b", "a", "y:2")], "c": []}
    assert strongly_connected(cyclic) == [["a", "b"]]
    assert [e.target for e in one_cycle(cyclic, ["a", "b"])] == ["b", "a"]


def _owed() -> dict[str, bool]:
    """Each known TUI debt → whether it is still owed."""
    graph = import_graph()
    cycles = [_known_cycle(c) for c in strongly_connected(graph)]
    edges = {f"{e.source} -> {e.target}" for edges in graph.values() for e in edges}
    return {debt: debt in edges or debt in cycles for debt in KNOWN_TUI_DEBTS}


def test_known_tui_debts_are_still_owed() -> None:
    """KNOWN_TUI_DEBTS shrinks: a paid debt must leave the list (and it is reported)."""
    owed = _owed()
    for debt in (d for d, still in owed.items() if still):
        warnings.warn(f"KNOWN_TUI_DEBTS (issue 15), still owed: {debt}", stacklevel=1)
    assert [d for d, still in owed.items() if not still] == []
