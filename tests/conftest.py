"""Shared fixtures: a fresh local bunq emulator over loopback, and a private BUNQTUI_HOME."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bunqtui.emulator.config import EmulatorConfig
from bunqtui.emulator.server import EmulatorServer


def _server(rate_limit: bool) -> EmulatorServer:
    config = EmulatorConfig(seed=1, rate_limit=rate_limit, sugar_daddy_delay=0.0)
    return EmulatorServer(config=config)


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    """A running emulator with rate limits off (Sugar Daddy answers at once)."""
    with _server(rate_limit=False) as server:
        yield server


@pytest.fixture
def emulator_rate_limited() -> Iterator[EmulatorServer]:
    """A running emulator enforcing bunq's rate limits."""
    with _server(rate_limit=True) as server:
        yield server


@pytest.fixture
def bunqtui_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private BUNQTUI_HOME for this test."""
    home = tmp_path / "bunqtui-home"
    home.mkdir()
    monkeypatch.setenv("BUNQTUI_HOME", str(home))
    return home
