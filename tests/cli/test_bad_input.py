"""Out-of-range input and a closed pipe: a clear message (or a quiet exit), never a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import Control, Result

HUGE = str(2**70)
EXIT_BROKEN_PIPE = 128 + signal.SIGPIPE  # what a shell reports for a tool a closed pipe stopped


@pytest.fixture
def account(cli: Callable[..., Result], emulator: Any, control: Control) -> int:
    user = control.new_user(accounts=1, payments=3)
    made = cli("setup", "api-key", "--profile", "me", "--base-url", emulator.base_url,
               "--api-key", user["api_key"])  # fmt: skip
    assert made.code == 0, made.err
    (found,) = cli("accounts", "--json").json()
    return int(found["id"])


@pytest.mark.parametrize(
    "query", [">99999999999999999999999", "<=-99999999999999999999999", "1..99999999999999999999"]
)
def test_a_search_amount_too_large_is_a_usage_error(
    cli: Callable[..., Result], account: int, query: str
) -> None:
    result = cli("payments", "--account", str(account), "--search", query)
    assert result.code == 2, result.err
    assert "amounts go up to" in result.err and "Traceback" not in result.err


@pytest.mark.parametrize(
    "argv",
    [
        ["payments", "--account", HUGE],
        ["payments", "--account", "0"],
        ["payments", "--account", "-5"],
        ["payments", "--account", "12abc"],
        ["payments", "--account", "ACCOUNT", "--user", HUGE],
        ["payments", "--account", "ACCOUNT", "--limit", HUGE],
        ["payments", "--account", "ACCOUNT", "--limit", "0"],
        ["accounts", "--user", HUGE],
        ["user", "--user", HUGE],
        ["disconnect", "--user", HUGE],
        ["connect", "--timeout", "nan"],
    ],
    ids=" ".join,
)
def test_an_id_or_count_out_of_range_is_a_usage_error(
    cli: Callable[..., Result], account: int, argv: list[str]
) -> None:
    result = cli(*(str(account) if a == "ACCOUNT" else a for a in argv))
    assert result.code == 2, (argv, result.err)
    assert "Traceback" not in result.err
    assert result.err.strip().splitlines()[-1].startswith(("bunqtui", "usage")), result.err


def test_a_closed_pipe_ends_the_output_quietly(
    cli: Callable[..., Result], emulator: Any, control: Control, home: Path
) -> None:
    """`bunqtui payments … | head -1`: the reader goes away after one line, the output goes on
    well past a pipe's buffer; bunqtui stops without a traceback or an "Exception ignored"."""
    user = control.new_user(accounts=1, payments=1000)
    made = cli("setup", "api-key", "--profile", "me", "--base-url", emulator.base_url,
               "--api-key", user["api_key"])  # fmt: skip
    assert made.code == 0, made.err
    (found,) = cli("accounts", "--json").json()
    env = {**os.environ, "BUNQTUI_HOME": str(home), "BUNQTUI_RATE_LIMIT": "off"}
    account = ["payments", "--account", str(found["id"])]
    # each past a pipe's 64 kB: straight from bunq, and from the cache after a sync
    runs = [[*account, "--limit", "1000"], [*account, "--all", "--format", "csv"],
            [*account, "--limit", "1000", "--format", "json"]]  # fmt: skip
    for argv in runs:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bunqtui", *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()  # what `head -1` does after its line
        err = proc.stderr.read().decode()
        code = proc.wait(timeout=30)
        assert first.strip(), err
        assert "Traceback" not in err and "Exception ignored" not in err and "Broken" not in err
        # JSON goes out in one write, which the kernel cuts short without an error when the
        # reader leaves (the rest is lost either way)
        assert code == EXIT_BROKEN_PIPE or (code == 0 and "json" in argv), (argv, code, err)
