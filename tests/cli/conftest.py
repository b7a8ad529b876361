"""Helpers for the headless commands, run end to end against the emulator fixture.

Every test gets its own BUNQTUI_HOME (the ``bunqtui_home`` fixture); client-side pacing is off
because the emulator fixture has no rate limits.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from bunqtui.cli.main import main


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


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


class Control:
    """The emulator's /_emulator control API, synchronously."""

    def __init__(self, root_url: str) -> None:
        self.root = root_url.rstrip("/") + "/_emulator"

    def post(self, path: str, body: dict[str, Any]) -> Any:
        response = httpx.post(self.root + path, json=body, timeout=10)
        response.raise_for_status()
        return response.json()

    def new_user(self, accounts: int = 2, payments: int = 5) -> dict[str, Any]:
        return self.post("/users", {"kind": "person", "accounts": accounts, "payments": payments})

    def approve(self, authorize_url: str, api_key: str) -> str:
        body = {"authorize_url": authorize_url, "api_key": api_key}
        return self.post("/oauth/approve", body)["redirect_url"]

    def stats(self) -> dict[str, Any]:
        return httpx.get(self.root + "/stats", timeout=10).json()


@pytest.fixture
def control(emulator: Any) -> Control:
    return Control(emulator.root_url)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redirect_uri() -> str:
    return f"http://127.0.0.1:{free_port()}/callback"


def spawn(home: Path, *argv: str, stdin: int | None = subprocess.DEVNULL) -> subprocess.Popen:
    """`bunqtui ARGS...` in a child process (for commands that wait, like connect)."""
    env = {**os.environ, "BUNQTUI_HOME": str(home), "BUNQTUI_RATE_LIMIT": "off"}
    env.pop("BUNQTUI_API_KEY", None)
    return subprocess.Popen(
        [sys.executable, "-u", "-m", "bunqtui", *argv],
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def read_authorize_url(proc: subprocess.Popen, base: str) -> str:
    """Read the child's stderr until it prints the authorize URL."""
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if line.startswith(base):
            return line.strip()
    raise AssertionError("connect printed no authorize URL:\n" + "".join(seen))
