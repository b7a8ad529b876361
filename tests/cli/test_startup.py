"""What the headless path loads at start-up: `bunqtui --help` and a headless command import no
UI, no command-line client of httpx, no certificate code, no OAuth listener, and (with the
plugin index of an earlier run) neither scan the entry points nor load other connectors.

Imports are per process, so each check runs a fresh interpreter from a script, as the installed
`bunqtui` command does, and reads the modules it ended with. The AST rules of the layers are in
tests/test_layers.py; these check what actually gets imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import Result

import bunqtui

PROBE = """\
import atexit, json, sys
atexit.register(lambda: sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n"))
from bunqtui.cli.main import main
sys.exit(main(sys.argv[1:]))
"""

# module → why a headless start must not import it
NEVER = {
    "textual": "the terminal UI",
    "bunqtui.tui": "the terminal UI",
    "rich": "httpx's command-line client (and Textual)",
    "click": "httpx's command-line client",
    "pygments": "httpx's command-line client",
    "httpx._main": "httpx's command-line client",
    "cryptography.x509": "only a PSD2 certificate is made with it",
    "starlette": "the OAuth callback listener",
    "uvicorn": "the OAuth callback listener",
    "qrcode": "only connect prints a QR code",
    "webbrowser": "only connect opens a browser",
    "bunqtui.emulator": "the emulator",
}


def run_probe(tmp_path: Path, home: Path, *argv: str) -> tuple[Result, set[str]]:
    script_dir = tmp_path / "probe"
    script_dir.mkdir(exist_ok=True)
    script = script_dir / "bunqtui_probe.py"
    script.write_text(PROBE)
    env = {**os.environ, "BUNQTUI_HOME": str(home), "BUNQTUI_RATE_LIMIT": "off"}
    for name in ("BUNQTUI_API_KEY", "BUNQTUI_DISABLE_PLUGINS", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    proc = subprocess.run(
        [sys.executable, str(script), *argv], capture_output=True, text=True, env=env, timeout=60
    )
    err, _, listed = proc.stderr.rpartition("\nMODULES ")
    return Result(proc.returncode, proc.stdout, err), set(json.loads(listed))


def loaded(modules: set[str], name: str) -> bool:
    return any(m == name or m.startswith(name + ".") for m in modules)


def test_help_imports_nothing_heavy(tmp_path: Path, home: Path) -> None:
    result, modules = run_probe(tmp_path, home, "--help")
    assert result.code == 0 and "accounts" in result.out
    assert {m: why for m, why in NEVER.items() if loaded(modules, m)} == {}
    assert "importlib.metadata" not in modules  # neither a plugin scan nor a version lookup


def test_a_headless_command_loads_only_what_it_needs(
    tmp_path: Path, home: Path, cli: Callable[..., Result], emulator: Any
) -> None:
    setup = cli(
        "setup", "api-key", "--profile", "me", "--base-url", emulator.base_url,
        "--api-key", emulator.demo_api_key,
    )  # fmt: skip
    assert setup.code == 0, setup.err
    first, _ = run_probe(tmp_path, home, "accounts", "--json")  # writes the plugin index
    assert first.code == 0, first.err
    again, modules = run_probe(tmp_path, home, "accounts", "--json")
    assert again.code == 0, again.err
    assert json.loads(again.out) == json.loads(first.out) and json.loads(again.out)
    assert {m: why for m, why in NEVER.items() if loaded(modules, m)} == {}
    assert "importlib.metadata" not in modules  # the connector came from the plugin index
    assert "bunqtui_apikey" in modules and "bunqtui_psd2" not in modules


def test_the_version_is_the_installed_one() -> None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        installed = version("bunqtui")
    except PackageNotFoundError:  # pragma: no cover - a source tree without an install
        pytest.skip("bunqtui is not installed")
    assert bunqtui.__version__ == installed
