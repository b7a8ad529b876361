"""`bunqtui --demo` in a real terminal (tmux): accounts with balances, to a payment and back,
quit, and the terminal and the disk left as they were."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
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

    def start(self, command: str, size: tuple[int, int] = (100, 30)) -> None:
        # a sized window first, then the command in it, so it starts at that size (a new tmux
        # server otherwise hands its first program 80×24 and resizes it later)
        size_args = ["-x", str(size[0]), "-y", str(size[1])]
        subprocess.run(
            [
                *self.base,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                "t",
                *size_args,
                "sleep 600",
            ],
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


def _demo_command(tmp_path: Path, after: str) -> tuple[str, Path, Path]:
    """The demo in the pane (its pid in a file), then ``after`` once it has ended."""
    exe = Path(sys.executable).with_name("bunqtui")
    status, pid = tmp_path / "exit-status", tmp_path / "pid"
    env = "env -u BUNQTUI_HOME -u COLUMNS -u LINES TERM=xterm-256color"
    run = f"echo $$ > {shlex.quote(str(pid))}; exec {env} {shlex.quote(str(exe))} --demo"
    command = f"sh -c {shlex.quote(run)}; echo $? > {shlex.quote(str(status))}; {after}; sleep 60"
    return command, status, pid


def _wait_file(path: Path, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return path.read_text().strip()
        time.sleep(0.1)
    raise AssertionError(f"{path.name} never appeared")


@pytest.mark.parametrize("signame", ["TERM", "HUP"])
def test_signals_give_the_terminal_back(tmp_path: Path, signame: str) -> None:
    stty = tmp_path / "stty"
    command, status, pid = _demo_command(tmp_path, f"stty -a > {shlex.quote(str(stty))}")
    terminal = Terminal(f"bunqtui-sig-{os.getpid()}-{signame}")
    terminal.start(command)
    try:
        terminal.wait_for(lambda s: "Main account" in s)
        os.kill(int(_wait_file(pid)), getattr(signal, f"SIG{signame}"))
        assert int(_wait_file(status)) == 128 + getattr(signal, f"SIG{signame}")
        modes = _wait_file(stty).split()
        assert "echo" in modes and "icanon" in modes  # not left raw with echo off
        assert "Identities" not in terminal.screen()  # the alternate screen is gone
    finally:
        terminal.close()


def _leads_footer(screen: str) -> bool:
    """The bottom line starts with `? Help` and holds `q Quit`."""
    last = screen.rstrip("\n").splitlines()[-1] if screen.strip() else ""
    return last.lstrip().startswith("? Help") and "q Quit" in last


def test_keys_in_a_real_terminal_at_80x24(tmp_path: Path) -> None:
    """`?` and `q` lead both footers; a filter sent in one burst is applied whole; one `G`
    reaches the oldest of the demo's 2,400 payments from a cold cache."""
    command, status, _pid = _demo_command(tmp_path, "true")
    terminal = Terminal(f"bunqtui-keys-{os.getpid()}")
    terminal.start(command, size=(80, 24))
    try:
        terminal.wait_for(lambda s: "Main account" in s and "Total" in s and _leads_footer(s))
        terminal.keys("Enter")  # Main account: bunq lists it first
        terminal.wait_for(lambda s: "Balance after" in s and "payments" in s and _leads_footer(s))
        terminal.keys("/coffee")  # one send-keys: the whole word in one burst
        filtered = terminal.wait_for(lambda s: "match 'coffee'" in s)
        assert "match 'ffee'" not in filtered
        terminal.keys("Escape")  # the box: cleared and closed
        terminal.wait_for(lambda s: "match 'coffee'" not in s and "older ones as you" in s)
        terminal.keys("G")
        oldest = terminal.wait_for(lambda s: "2,400 payments" in s and "full history" in s, 60)
        assert "interrupted" not in oldest and "loading" not in oldest
        terminal.keys("q")
        assert _wait_file(status) == "0"
    finally:
        terminal.close()
