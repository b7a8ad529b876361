"""Helpers shared by the tests in cli/ (importable by name: not fixtures)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
