"""Setup recovers when bunq forgot the saved installation (sandbox reset, emulator restart).

Before the fix a rerun said "reusing the saved installation" and every later request failed
with an unverifiable 401, with no way back short of deleting the profile.
"""

from __future__ import annotations

from typing import Any

import pytest

from bunqtui.api.errors import SignatureError
from bunqtui.core import Workspace
from bunqtui.emulator.server import EmulatorServer
from bunqtui.plugins import SetupStep


def forget_installations(server: EmulatorServer) -> None:
    """What an emulator restarted without --state knows of our login: nothing."""
    world = server.world
    with world.lock:
        world.installations.clear()
        world.installations_by_id.clear()
        world.sessions.clear()
        world.devices.clear()
        world.credentials.clear()  # PSD2 provider registrations go with them
        world.used_common_names.clear()


async def _setup(ws: Workspace, name: str, connector: str, server: EmulatorServer, **opts: Any):
    details: dict[str, str] = {}

    def on_step(step: SetupStep) -> None:
        details[step.key] = step.detail or ""

    await ws.setup_profile(name, connector, base_url=server.base_url, options=opts, on_step=on_step)
    return details


async def test_api_key_setup_again_makes_a_new_installation(
    emulator: EmulatorServer, bunqtui_home: Any
) -> None:
    ws = Workspace.load()
    await _setup(ws, "me", "api-key", emulator, api_key=emulator.demo_api_key)
    # a rerun while bunq knows the installation reuses it
    again = await _setup(ws, "me", "api-key", emulator, api_key=emulator.demo_api_key)
    assert again["context"] == "reusing the saved installation"
    old = ws.secrets.read("me")["context"]["installation_token"]

    forget_installations(emulator)
    async with Workspace.load().open("me") as stale:
        with pytest.raises(SignatureError):  # what the user saw: every request refused
            await stale.accounts((await stale.identities())[0])

    details = await _setup(ws, "me", "api-key", emulator, api_key=emulator.demo_api_key)
    assert "no longer knew the saved installation" in details["context"]
    assert ws.secrets.read("me")["context"]["installation_token"] != old
    async with Workspace.load().open("me") as fresh:
        assert await fresh.accounts((await fresh.identities())[0])


async def test_psd2_setup_again_registers_the_saved_certificate_anew(
    emulator: EmulatorServer, bunqtui_home: Any
) -> None:
    ws = Workspace.load()
    await _setup(ws, "tpp", "psd2", emulator, generate_sandbox_certificate=True)
    cert = ws.secrets.read("tpp")["psd2_certificate"]["certificate"]
    old = ws.secrets.read("tpp")["context"]["installation_token"]
    again = await _setup(ws, "tpp", "psd2", emulator)
    assert again["credential"] == "reusing the saved installation"

    forget_installations(emulator)
    details = await _setup(ws, "tpp", "psd2", emulator)
    assert "no longer knew the saved installation" in details["certificate"]
    doc = ws.secrets.read("tpp")
    assert doc["context"]["installation_token"] != old
    assert doc["psd2_certificate"]["certificate"] == cert  # the same provider, not a new one
    async with Workspace.load().open("tpp") as fresh:
        assert await fresh.identities() == []
        await fresh.begin_connect()  # the new installation's session works


async def test_cli_error_names_the_setup_command_that_repairs_it(
    emulator: EmulatorServer, bunqtui_home: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    from bunqtui.cli.main import main

    ws = Workspace.load()
    await _setup(ws, "me", "api-key", emulator, api_key=emulator.demo_api_key)
    forget_installations(emulator)
    # main() runs its own event loop: off this test's loop
    code = await asyncio.to_thread(main, ["accounts", "--profile", "me"])
    err = capsys.readouterr().err
    assert code == 1
    assert "`bunqtui setup api-key --profile me`" in err
    # and that command repairs it
    assert await asyncio.to_thread(main, ["setup", "api-key", "--profile", "me"]) == 0
    assert await asyncio.to_thread(main, ["accounts", "--profile", "me"]) == 0
