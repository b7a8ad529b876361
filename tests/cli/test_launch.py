"""`bunqtui` (no command) launching the UI: a broken config is a clear error, not a traceback,
and the file is left as it was."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bunqtui.cli.main import main
from bunqtui.tui.terminal_guard import _saved_terminal


def test_a_broken_config_stops_the_launch_with_the_file_and_line(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = home / "config.toml"
    broken = '[profiles.main]\nconnector = "api-key"\nenvironment = \n'
    config.write_text(broken)
    assert main([]) == 2
    err = capsys.readouterr().err
    assert "config.toml" in err and "line" in err and "Traceback" not in err
    assert config.read_text() == broken


def test_an_unknown_connector_names_the_key(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (home / "config.toml").write_text('[profiles.main]\nconnector = "no-such"\n')
    assert main(["--profile", "main"]) == 2
    err = capsys.readouterr().err
    assert "no-such" in err and "Traceback" not in err


@pytest.mark.parametrize("stdin", ["devnull", "closed"])
@pytest.mark.parametrize("argv", [[], ["--demo"]], ids=["ui", "demo"])
def test_without_a_terminal_the_ui_says_so_and_starts_nothing(
    home: Path, argv: list[str], stdin: str
) -> None:
    """`bunqtui < /dev/null`, `bunqtui <&-`, or from a script: a clear line and exit 2, not a
    traceback from the terminal settings (termios.error is not an OSError), from a stdin that
    is None, or a UI drawing into a pipe."""
    cmd = [sys.executable, "-m", "bunqtui", *argv]
    env = {**os.environ, "BUNQTUI_HOME": str(home)}
    if stdin == "closed":  # the shell's `<&-`: descriptor 0 is not open at all
        cmd = ["sh", "-c", 'exec "$@" <&-', "sh", *cmd]
    done = subprocess.run(
        cmd,
        stdin=subprocess.DEVNULL if stdin == "devnull" else None,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2
    assert "needs a terminal" in done.stderr and "Traceback" not in done.stderr
    assert "Starting the bunq emulator" not in done.stderr
    assert done.stdout == ""


def test_restoring_the_terminal_is_a_no_op_without_a_tty(tmp_path: Path) -> None:
    with (tmp_path / "not-a-tty").open("w+") as f, contextlib.redirect_stdout(f):
        saved, sys.__stdin__ = sys.__stdin__, f  # type: ignore[misc]
        try:
            restore = _saved_terminal()
        finally:
            sys.__stdin__ = saved  # type: ignore[misc]
    restore()  # nothing to restore, nothing raised
