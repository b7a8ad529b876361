"""The type checker's configuration: CI runs ``mypy`` with no arguments, so what it checks and
how strictly is pyproject.toml's ``[tool.mypy]``. These keep that from quietly shrinking."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
MYPY = PYPROJECT["tool"]["mypy"]
# what --strict turns on that matters per module
STRICT_FLAGS = (
    "disallow_untyped_defs",
    "disallow_incomplete_defs",
    "disallow_untyped_calls",
    "disallow_untyped_decorators",
    "disallow_any_generics",
    "disallow_subclassing_any",
    "check_untyped_defs",
    "warn_return_any",
    "no_implicit_reexport",
)


def _strict_patterns() -> set[str]:
    found: set[str] = set()
    for override in MYPY.get("overrides", []):
        if all(override.get(flag) is True for flag in STRICT_FLAGS):
            modules = override["module"]
            found.update([modules] if isinstance(modules, str) else modules)
    return found


def test_mypy_checks_src_and_plugins() -> None:
    assert set(MYPY["files"]) >= {"src", "plugins"}


def test_the_layers_below_the_ui_and_every_connector_package_are_strict() -> None:
    expected = {f"bunqtui.{layer}.*" for layer in ("api", "store", "core", "plugins")}
    # every package under plugins/, so a new one cannot join unchecked
    expected |= {f"{p.parent.name}.*" for p in (ROOT / "plugins").glob("*/__init__.py")}
    assert len(expected) > 4
    assert expected <= _strict_patterns()


def test_missing_imports_are_ignored_per_module_only() -> None:
    assert "ignore_missing_imports" not in MYPY
    for override in MYPY.get("overrides", []):
        if override.get("ignore_missing_imports"):
            modules = override["module"]
            for module in [modules] if isinstance(modules, str) else modules:
                assert not module.startswith("bunqtui"), module


def test_mypy_is_pinned_and_run_in_ci() -> None:
    pins = [d for d in PYPROJECT["project"]["optional-dependencies"]["test"] if "mypy" in d]
    assert len(pins) == 1 and re.fullmatch(r"mypy==\d+\.\d+\.\d+", pins[0]), pins
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^\.venv/bin/mypy\b", ci, re.MULTILINE)


def test_every_remaining_type_ignore_names_its_error_code() -> None:
    bare = []
    for base in ("src", "plugins"):
        for path in (ROOT / base).rglob("*.py"):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if re.search(r"#\s*type:\s*ignore(?!\[)", line):
                    bare.append(f"{path.relative_to(ROOT)}:{number}")
    assert bare == []
