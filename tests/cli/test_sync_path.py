"""One-shot reads run on the synchronous driver: `accounts`, `user`, `users` and `payments
--limit` start no event loop and load neither asyncio nor anyio's machinery (only the lazy
`anyio` package shell that httpcore imports with any httpx.Client), nor the other command
modules. Each check runs a fresh interpreter, as the installed `bunqtui` command does.

Their output and exit codes are held by the other tests in tests/cli, which now run through
this path.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import Result

from bunqtui.cli.main import ONE_SHOT, build_parser, command_word

PROBE = """\
import atexit, json, sys
atexit.register(lambda: sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n"))
from bunqtui.cli.main import main
sys.exit(main(sys.argv[1:]))
"""

# module (and its submodules) → why a one-shot read must not load it
NEVER = {
    "asyncio": "the event loop",
    "_asyncio": "the event loop",
    "anyio": "anyio's machinery",
    "concurrent.futures": "asyncio's executor",
    "bunqtui.api.client": "the asynchronous driver",
    "bunqtui.api.transport": "the asynchronous driver",
    "bunqtui.core.session": "the asynchronous session",
    "bunqtui.cli.connect_cmd": "another command's module",
    "bunqtui.cli.setup_cmd": "another command's module",
}
# httpcore imports `anyio` with any httpx.Client; anyio 4 makes that a lazy name table that
# loads none of anyio (and no asyncio) until an attribute is used
LAZY_SHELL = {"anyio", "anyio._lazyimport"}


def probe(tmp_path: Path, home: Path, *argv: str) -> tuple[Result, set[str]]:
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


def forbidden(modules: set[str]) -> dict[str, str]:
    return {
        m: why
        for m in modules - LAZY_SHELL
        for name, why in NEVER.items()
        if m == name or m.startswith(name + ".")
    }


def test_one_shot_reads_start_no_event_loop(
    tmp_path: Path, home: Path, cli: Callable[..., Result], emulator: Any
) -> None:
    setup = cli(
        "setup", "api-key", "--profile", "me", "--base-url", emulator.base_url,
        "--api-key", emulator.demo_api_key,
    )  # fmt: skip
    assert setup.code == 0, setup.err
    in_process = cli("accounts", "--json")
    assert in_process.code == 0, in_process.err
    account = in_process.json()[0]["id"]
    commands = [
        ("accounts", "--json"),
        ("accounts",),
        ("user", "--json"),
        ("users", "--json"),
        ("payments", "--account", str(account), "--limit", "3", "--format", "json"),
    ]
    for argv in commands:
        result, modules = probe(tmp_path, home, *argv)
        assert result.code == 0, (argv, result.err)
        assert forbidden(modules) == {}, argv
        assert {"bunqtui.core.oneshot", "bunqtui.api.sync_client"} <= modules
        # the same output as the same command run in this process
        assert result.out == cli(*argv).out, argv


def test_a_failing_one_shot_read_keeps_its_message_and_exit_code(
    tmp_path: Path, home: Path, cli: Callable[..., Result]
) -> None:
    result, modules = probe(tmp_path, home, "accounts", "--json")
    assert result.code == 2 and "there are no profiles yet" in result.err
    assert "Traceback" not in result.err
    assert forbidden(modules) == {}


def test_the_full_sync_still_runs_on_the_event_loop(
    tmp_path: Path, home: Path, cli: Callable[..., Result], emulator: Any
) -> None:
    setup = cli(
        "setup", "api-key", "--profile", "me", "--base-url", emulator.base_url,
        "--api-key", emulator.demo_api_key,
    )  # fmt: skip
    assert setup.code == 0, setup.err
    account = cli("accounts", "--json").json()[0]["id"]
    result, modules = probe(
        tmp_path, home, "payments", "--account", str(account), "--all", "--format", "json"
    )
    assert result.code == 0, result.err
    assert "asyncio" in modules and "bunqtui.core.session" in modules


@pytest.mark.parametrize(
    ("argv", "fast"),
    [
        (["accounts", "--json"], True),
        (["payments", "--account", "1", "--limit", "2"], True),
        (["--profile", "accounts", "users"], True),
        (["--profile", "users", "profiles"], False),
        (["--prof", "payments", "profiles"], False),
        (["--pro=users", "profiles"], False),
        (["--demo", "--profile", "x"], False),
        (["--demo"], False),
        ([], False),
        (["profiles", "accounts"], False),
        (["--", "accounts"], False),
    ],
)
def test_the_command_word_is_the_one_argparse_finds(argv: list[str], fast: bool) -> None:
    """The fast path picks its parser from this word, so it must be the full parser's choice
    (else `--profile accounts profiles` would run the wrong parser); anything it cannot name
    goes to the full parser."""
    found = command_word(argv)
    assert (found in ONE_SHOT) == fast
    if fast:
        assert build_parser().parse_args(argv).command == found


def test_the_one_shot_table_names_the_module_that_registers_each_command() -> None:
    def commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        return dict(sub.choices)

    full = commands(build_parser())
    for name, module in ONE_SHOT.items():
        alone = commands(build_parser([module]))
        assert alone[name].format_help() == full[name].format_help()
