"""Issue 11's freeze in a real terminal (tmux): bunqtui against this test's emulator, a request
stuck (no answer, or bunq's rate limit), then ctrl+c and q — the process ends by the deadline
and the terminal has its echo back. In a real process the exit also waits for worker threads
(asyncio.run joins the default executor), which a Pilot test does not show."""

from __future__ import annotations

import os
import shlex
import sqlite3
import sys
import time
from pathlib import Path

import httpx
import pytest
from demo_home import DemoHome
from test_terminal import Terminal, _wait_file

pytestmark = [pytest.mark.slow]

EXIT_DEADLINE = 10.0  # s after q: a liveness bound, not a benchmark


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param({"latency_ms": 5_000}, id="no-answer"),
        pytest.param({"http_429": 50}, id="rate-limited"),
        pytest.param({}, id="cache-locked"),
    ],
)
def test_quit_with_a_request_stuck_gives_the_terminal_back(
    private_demo_home: DemoHome, tmp_path: Path, fault: dict[str, int]
) -> None:
    """The request waits on bunq (a fault), or its answer on the cache (another process's
    write transaction, held until the app has ended)."""
    home = private_demo_home
    other = sqlite3.connect(home.workspace.cache_path("demo"), timeout=0, isolation_level=None)
    try:
        _stuck_then_quit(home, tmp_path, fault, other)
    finally:
        other.close()  # the other process's transaction ends


def _stuck_then_quit(
    home: DemoHome, tmp_path: Path, fault: dict[str, int], other: sqlite3.Connection
) -> None:
    exe = Path(sys.executable).with_name("bunqtui")
    status, stty = tmp_path / "exit-status", tmp_path / "stty"
    env = (
        "env -u COLUMNS -u LINES TERM=xterm-256color BUNQTUI_RATE_LIMIT=off "
        f"BUNQTUI_HOME={shlex.quote(str(home.home))}"
    )
    command = (
        f"{env} {shlex.quote(str(exe))}; echo $? > {shlex.quote(str(status))}; "
        f"stty -a > {shlex.quote(str(stty))}; sleep 60"
    )
    terminal = Terminal(f"bunqtui-freeze-{os.getpid()}-{next(iter(fault), 'cache')}")
    terminal.start(command, size=(100, 30))
    try:
        terminal.wait_for(lambda s: "Main account" in s and "EUR" in s)
        time.sleep(1.0)  # the start-up's requests are done (sparklines, activity)
        control = f"{home.server.root_url}/_emulator/faults"
        if fault:
            httpx.post(control, json=fault).raise_for_status()
        else:
            other.execute("BEGIN IMMEDIATE")
        terminal.keys("r")  # the accounts again: the request is stuck
        time.sleep(0.5)
        terminal.keys("?")  # still drawing and answering keys
        terminal.wait_for(lambda s: "Keys on this screen" in s, timeout=EXIT_DEADLINE)
        terminal.keys("Escape")
        # (Esc and ctrl+c sent as one burst would read as alt+ctrl+c: wait for help to close)
        terminal.wait_for(lambda s: "Keys on this screen" not in s, timeout=EXIT_DEADLINE)
        terminal.keys("C-c")
        terminal.wait_for(lambda s: "to quit" in s, timeout=EXIT_DEADLINE)
        terminal.keys("q")
        assert _wait_file(status, timeout=EXIT_DEADLINE) == "0"
        modes = _wait_file(stty).split()
        assert "echo" in modes and "icanon" in modes  # not left raw with echo off
        assert "Traceback" not in terminal.screen()
    finally:
        terminal.close()
