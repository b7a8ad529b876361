"""``bunqtui --demo``: the bundled emulator, a throw-away home and two ready profiles.

The emulator runs in-process on a free loopback port with its seed data. A temporary
``BUNQTUI_HOME`` gets an API-key profile (the seeded demo user, Anna Visser, with an OAuth
client so she can connect others) and a PSD2 profile (a generated sandbox certificate) to which
Anna is already connected. Nothing is written outside that home; it is removed on exit.

Rate limits are off on both sides here: the demo sets up three sessions within a second, and
bunq allows one ``session-server`` call per 30 s. Everything else is the real protocol.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from bunqtui.config.paths import HOME_ENV
from bunqtui.core import Workspace
from bunqtui.core.demo import DemoInfo, approve_as
from bunqtui.core.environment import RATE_LIMIT_ENV
from bunqtui.emulator.config import EmulatorConfig
from bunqtui.emulator.server import EmulatorServer

API_KEY_PROFILE = "demo"
PSD2_PROFILE = "demo-psd2"

# DemoInfo and approve_as live in bunqtui.core.demo (the TUI uses them too); re-exported here
# until every importer names core.demo.
__all__ = ["DemoInfo", "approve_as", "demo_world", "free_loopback_port", "prepare"]


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def prepare(workspace: Workspace, server: EmulatorServer, redirect_uri: str) -> None:
    """Set up both profiles (concurrently) and connect the demo user to the PSD2 one."""
    base_url = server.base_url
    await asyncio.gather(
        workspace.setup_profile(
            API_KEY_PROFILE,
            "api-key",
            options={"api_key": server.demo_api_key, "register_oauth": True},
            base_url=base_url,
            redirect_uri=redirect_uri,
        ),
        workspace.setup_profile(
            PSD2_PROFILE,
            "psd2",
            options={"generate_sandbox_certificate": True},
            base_url=base_url,
            redirect_uri=redirect_uri,
        ),
    )
    workspace.set_default_profile(API_KEY_PROFILE)
    async with workspace.open(PSD2_PROFILE) as session:
        request = await session.begin_connect()
        async with httpx.AsyncClient(timeout=10) as http:
            redirect_url = await approve_as(
                http, server.root_url, request.authorize_url, server.demo_api_key
            )
        await session.complete_connect(request, redirect_url)


@contextmanager
def demo_world() -> Iterator[tuple[Workspace, DemoInfo]]:
    """A running emulator and a prepared workspace in a temporary home, gone afterwards."""
    home = Path(tempfile.mkdtemp(prefix="bunqtui-demo-"))  # 0700
    saved = {name: os.environ.get(name) for name in (HOME_ENV, RATE_LIMIT_ENV)}
    os.environ[HOME_ENV] = str(home)
    os.environ[RATE_LIMIT_ENV] = "off"
    # the history ends now: the demo's "this month", balances and chart look like today's bank
    now = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=5)
    server = EmulatorServer(config=EmulatorConfig(rate_limit=False, history_end=now))
    try:
        server.start()
        workspace = Workspace.load(home)
        redirect_uri = f"http://127.0.0.1:{free_loopback_port()}/callback"
        asyncio.run(prepare(workspace, server, redirect_uri))
        user = server.world.users[server.demo_user_id]
        info = DemoInfo(server.root_url, server.base_url, user.display_name)
        yield Workspace.load(home), info
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
