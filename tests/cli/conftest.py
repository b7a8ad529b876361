"""Helpers for the headless commands, run end to end against the emulator fixture.

Every test gets its own BUNQTUI_HOME (the ``bunqtui_home`` fixture); client-side pacing is off
because the emulator fixture has no rate limits.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import Control, Result, free_port

from bunqtui.cli.main import main


@pytest.fixture
def home(bunqtui_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BUNQTUI_RATE_LIMIT", "off")
    monkeypatch.delenv("BUNQTUI_API_KEY", raising=False)
    monkeypatch.delenv("BUNQTUI_DISABLE_PLUGINS", raising=False)
    return bunqtui_home


@pytest.fixture
def cli(home: Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run `bunqtui ARGS...` in this process; (exit code, stdout, stderr)."""

    def run(*argv: str) -> Result:
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def control(emulator: Any) -> Control:
    return Control(emulator.root_url)


@pytest.fixture
def redirect_uri() -> str:
    return f"http://127.0.0.1:{free_port()}/callback"
