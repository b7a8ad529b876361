"""Helpers for the TUI tests (fixtures are in conftest.py)."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from textual.pilot import Pilot


async def until(pilot: Pilot, condition: Callable[[], object], timeout: float = 15.0) -> None:
    """Let the app run until ``condition()`` is true (workers talk to the emulator meanwhile)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {condition}")
        await pilot.pause(0.05)


async def settled(pilot: Pilot) -> None:
    """Until no worker runs (so an injected fault meets the request the test means)."""
    await until(pilot, lambda: not [w for w in pilot.app.workers if w.is_running])


def listening(url: str) -> bool:
    """Something accepts connections on the host and port of ``url`` (the login's listener)."""
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 80), timeout=0.2):
            return True
    except OSError:
        return False
