"""Demo homes for the TUI tests: what a prepared home holds, and how one is prepared (the
fixtures that use them are in conftest.py; tests import these by name)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import pytest

from bunqtui.cli.demo import DemoInfo, free_loopback_port, prepare
from bunqtui.core import Workspace
from bunqtui.emulator.server import EmulatorServer


@dataclass
class DemoHome:
    workspace: Workspace
    demo: DemoInfo
    server: EmulatorServer
    home: Path


def prepare_demo_home(server: EmulatorServer, home: Path) -> DemoInfo:
    """API-key profile `demo` (default) and PSD2 profile `demo-psd2` with Anna connected."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("BUNQTUI_RATE_LIMIT", "off")
        env.setenv("BUNQTUI_HOME", str(home))
        redirect_uri = f"http://127.0.0.1:{free_loopback_port()}/callback"
        asyncio.run(prepare(Workspace.load(home), server, redirect_uri))
    user = server.world.users[server.demo_user_id]
    return DemoInfo(server.root_url, server.base_url, user.display_name)
