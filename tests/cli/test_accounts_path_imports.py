"""What `bunqtui accounts --json` loads, pinned so a new module-level import cannot creep back
onto the one-shot path the official-SDK comparison measures (docs/benchmarks.md).

A fresh interpreter runs the command twice, as the installed `bunqtui` does: the first run may
scan the plugins (and writes the index), the second must take the index's fast path. Neither
may load what listing accounts does not use: platformdirs when BUNQTUI_HOME names the home, the
TOML writer, the event loop or the asynchronous session.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cli_helpers import Result

PROBE = """\
import atexit, json, sys
atexit.register(lambda: sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n"))
from bunqtui.cli.main import main
sys.exit(main(sys.argv[1:]))
"""

# module (or package) → why `accounts` must not import it
NEVER = {
    "platformdirs": "BUNQTUI_HOME names every directory",
    "tomli_w": "the config is only read",
    "asyncio": "the event loop",
    "bunqtui.core.session": "the asynchronous session",
}
# only a full plugin scan needs these; the second run reads the index
SCAN_ONLY = {
    "importlib.metadata": "the entry-point scan",
    "bunqtui_accounting": "an exporter plugin",
    "bunqtui.plugins.exporters": "the built-in exporters",
}


def _loaded(modules: set[str], names: dict[str, str]) -> dict[str, str]:
    return {
        m: why
        for m in modules
        for name, why in names.items()
        if m == name or m.startswith(name + ".")
    }


def _probe(tmp_path: Path, home: Path, *argv: str) -> tuple[Result, set[str]]:
    script = tmp_path / "probe" / "bunqtui_probe.py"
    script.parent.mkdir(exist_ok=True)
    script.write_text(PROBE)
    env = {**os.environ, "BUNQTUI_HOME": str(home), "BUNQTUI_RATE_LIMIT": "off"}
    for name in ("BUNQTUI_API_KEY", "BUNQTUI_DISABLE_PLUGINS"):
        env.pop(name, None)
    proc = subprocess.run(
        [sys.executable, str(script), *argv], capture_output=True, text=True, env=env, timeout=60
    )
    err, _, listed = proc.stderr.rpartition("\nMODULES ")
    return Result(proc.returncode, proc.stdout, err), set(json.loads(listed))


def test_accounts_loads_only_what_listing_accounts_needs(
    tmp_path: Path, home: Path, cli: Callable[..., Result], emulator: Any
) -> None:
    setup = cli(
        "setup", "api-key", "--profile", "me", "--base-url", emulator.base_url,
        "--api-key", emulator.demo_api_key,
    )  # fmt: skip
    assert setup.code == 0, setup.err
    expected = cli("accounts", "--json")
    assert expected.code == 0 and expected.json(), expected.err

    first, first_modules = _probe(tmp_path, home, "accounts", "--json")
    second, second_modules = _probe(tmp_path, home, "accounts", "--json")

    for result in (first, second):
        assert result.code == 0, result.err
        assert result.out == expected.out
    assert _loaded(first_modules, NEVER) == {}
    assert _loaded(second_modules, NEVER) == {}
    assert _loaded(second_modules, SCAN_ONLY) == {}
    # the path still verifies bunq's signature and writes the cache
    assert {"bunqtui.api.crypto", "bunqtui.store.cache", "sqlite3"} <= second_modules
