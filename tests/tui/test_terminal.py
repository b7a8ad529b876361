"""`bunqtui --demo` in a real terminal (tmux): accounts with balances, to a payment and back,
quit, and the terminal and the disk left as they were."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux (.ci/run installs it)"),
]


class Terminal:
    def __init__(self, socket: str) -> None:
        self.base = ["tmux", "-L", socket]

    def start(self, command: str) -> None:
        # a sized window first, then the command in it, so it starts at 100×30 (a new tmux
        # server otherwise hands its first program 80×24 and resizes it later)
        size = ["-x", "100", "-y", "30"]
        subprocess.run(
            [*self.base, "-f", "/dev/null", "new-session", "-d", "-s", "t", *size, "sleep 600"],
            check=True,
        )
        subprocess.run([*self.base, "respawn-pane", "-k", "-t", "t", command], check=True)

    def keys(self, *keys: str) -> None:
        subprocess.run([*self.base, "send-keys", "-t", "t", *keys], check=True)

    def screen(self) -> str:
        done = subprocess.run(
            [*self.base, "capture-pane", "-t", "t", "-p"], capture_output=True, text=True
        )
        return done.stdout

    def wait_for(self, check: Callable[[str], bool], timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.screen()
            if check(text):
                return text
            time.sleep(0.1)
        raise AssertionError(f"the terminal never showed what was expected:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True)


def test_demo_in_tmux(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("bunqtui")
    status = tmp_path / "exit-status"
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    # pytest sets COLUMNS/LINES, which Textual would take over the terminal's own size
    env = "env -u BUNQTUI_HOME -u COLUMNS -u LINES TERM=xterm-256color"
    env += f" TMPDIR={shlex.quote(str(scratch))}"
    terminal = Terminal(f"bunqtui-test-{os.getpid()}")
    terminal.start(
        f"{env} {shlex.quote(str(exe))} --demo; echo $? > {shlex.quote(str(status))}; sleep 60"
    )
    try:
        accounts = terminal.wait_for(lambda s: "Main account" in s and "A. Visser (you)" in s)
        for balance in ("22,698.79 EUR", "7,299.70 EUR", "21,486.64 EUR", "181,007.68 EUR"):
            assert balance in accounts
        assert "232,492.81 EUR" in accounts
        terminal.keys("j", "j", "j", "Enter")
        terminal.wait_for(lambda s: "Balance after" in s and "Waste tax" in s)
        terminal.keys("Enter")
        terminal.wait_for(lambda s: "Payment id" in s and "Counterparty IBAN" in s)
        terminal.keys("r")
        terminal.wait_for(lambda s: "raw JSON" in s and '"monetary_account_id"' in s)
        terminal.keys("Escape")
        terminal.wait_for(lambda s: "Balance after" in s)
        terminal.keys("Escape")
        terminal.wait_for(lambda s: "Total" in s and "Identities" in s)
        terminal.keys("q")
        deadline = time.monotonic() + 20
        while not status.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert status.read_text().strip() == "0"
        after = terminal.screen()
        assert "Identities" not in after and "Traceback" not in after  # screen restored
        assert list(scratch.iterdir()) == []  # the demo's temporary home is gone
    finally:
        terminal.close()
