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
from dataclasses import dataclass
from pathlib import Path

import httpx

from bunqtui.config.paths import HOME_ENV
from bunqtui.core import Workspace
from bunqtui.core.workspace import RATE_LIMIT_ENV
from bunqtui.emulator.config import EmulatorConfig
from bunqtui.emulator.server import EmulatorServer

API_KEY_PROFILE = "demo"
PSD2_PROFILE = "demo-psd2"


@dataclass(frozen=True)
class DemoInfo:
    """What the UI needs to know about the demo (it never talks to the emulator itself)."""

    root_url: str
    base_url: str
    user_name: str

    async def approve(self, authorize_url: str) -> tuple[str, bool]:
        """Stand in for scanning the QR code with the bunq app.

        A new sandbox person is created, approves the request on the emulator, and its
        browser follows the redirect to our loopback listener. Returns the redirect URL and
        whether a listener took it.
        """
        async with httpx.AsyncClient(timeout=10) as http:
            made = await http.post(
                f"{self.root_url}/_emulator/users",
                json={"kind": "person", "accounts": 2, "payments": 150},
            )
            made.raise_for_status()
            redirect_url = await approve_as(
                http, self.root_url, authorize_url, made.json()["api_key"]
            )
            try:  # what the browser would do next
                await http.get(redirect_url)
            except httpx.HTTPError:
                return redirect_url, False  # nobody listening: the caller can paste it
            return redirect_url, True


async def approve_as(
    http: httpx.AsyncClient, root_url: str, authorize_url: str, api_key: str
) -> str:
    """The emulator's user with ``api_key`` grants the request; bunq's redirect URL back."""
    answer = await http.post(
        f"{root_url}/_emulator/oauth/approve",
        json={"authorize_url": authorize_url, "api_key": api_key},
    )
    answer.raise_for_status()
    return str(answer.json()["redirect_url"])


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def prepare(workspace: Workspace, server: EmulatorServer, redirect_uri: str) -> None:
    """Set up both profiles (concurrently) and connect the demo user to the PSD2 one."""
    common = {"base_url": server.base_url, "redirect_uri": redirect_uri}
    await asyncio.gather(
        workspace.setup_profile(
            API_KEY_PROFILE,
            "api-key",
            options={"api_key": server.demo_api_key, "register_oauth": True},
            **common,
        ),
        workspace.setup_profile(
            PSD2_PROFILE, "psd2", options={"generate_sandbox_certificate": True}, **common
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
    server = EmulatorServer(config=EmulatorConfig(rate_limit=False))
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
