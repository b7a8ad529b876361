"""A stored login is bound to the base URL it was made for.

Set up against emulator A (the profile's own login and a connected user), then point
config.toml at emulator B: every command for the own user or the connected user exits 2 with
a line naming A and the command that sets the profile up again, and B sees no request at all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import Control, Result

from bunqtui.core import Workspace
from bunqtui.emulator.config import EmulatorConfig
from bunqtui.emulator.server import EmulatorServer


@pytest.fixture
def emulator_b() -> Iterator[EmulatorServer]:
    """A second emulator on another loopback port: the host config.toml is switched to."""
    with EmulatorServer(config=EmulatorConfig(seed=2, rate_limit=False)) as server:
        yield server


async def connect_user(emulator: Any, control: Control, api_key: str) -> int:
    """Connect ``api_key``'s user to profile "me" by OAuth (the pasted-redirect path)."""
    async with Workspace.load().open("me") as session:
        request = await session.begin_connect()
        redirect = control.approve(request.authorize_url, api_key)
        identity = await session.complete_connect(request, redirect)
    assert identity.local_id is not None
    return identity.local_id


def point_config_at(home: Path, old: str, new: str) -> None:
    config = home / "config.toml"
    text = config.read_text()
    assert old in text
    config.write_text(text.replace(old, new))


def test_stored_logins_are_never_sent_to_another_base_url(
    cli: Callable[..., Result],
    emulator: Any,
    emulator_b: EmulatorServer,
    control: Control,
    home: Path,
) -> None:
    setup = cli("setup", "api-key", "--profile", "me", "--base-url", emulator.base_url,
                "--api-key", emulator.demo_api_key, "--register-oauth",
                "--redirect-uri", "https://example.com/callback")  # fmt: skip
    assert setup.code == 0, setup.err
    end_user = control.new_user(accounts=1, payments=3)
    local_id = asyncio.run(connect_user(emulator, control, end_user["api_key"]))
    account = cli("accounts", "--user", str(local_id), "--json").json()[0]["id"]
    assert cli("payments", "--user", str(local_id), "--account", str(account), "--all").code == 0

    point_config_at(home, emulator.base_url, emulator_b.base_url)
    b = Control(emulator_b.root_url)
    assert b.stats()["total"] == 0

    user = str(local_id)
    commands = [
        ("user", "--user", user),
        ("accounts", "--user", user),
        ("payments", "--user", user, "--account", str(account)),
        ("payments", "--user", user, "--account", str(account), "--all"),
        ("user",),
        ("accounts",),
        ("payments", "--account", str(account)),
        ("payments", "--account", str(account), "--all"),
        ("connect", "--no-browser", "--timeout", "1"),
    ]
    for argv in commands:
        result = cli(*argv)
        assert b.stats()["total"] == 0, argv  # not one request reached B
        assert result.code == 2, (argv, result.out, result.err)
        assert "Traceback" not in result.err
        assert emulator.base_url in result.err, (argv, result.err)  # where it was set up
        if "--user" in argv:
            assert f"bunqtui disconnect --profile me --user {user}" in result.err
        else:
            assert (
                f"bunqtui setup api-key --profile me --base-url {emulator_b.base_url}" in result.err
            ), result.err

    # disconnect still works locally, and does not send the session token to B either
    gone = cli("disconnect", "--user", user)
    assert gone.code == 0, gone.err
    assert b.stats()["total"] == 0
    assert cli("users", "--json").json() == []

    # setting the profile up again for B (the hint's command) works
    again = cli("setup", "api-key", "--profile", "me", "--base-url", emulator_b.base_url,
                "--api-key", emulator_b.demo_api_key)  # fmt: skip
    assert again.code == 0, again.err
    assert cli("user", "--json").json()["id"] == emulator_b.demo_user_id
