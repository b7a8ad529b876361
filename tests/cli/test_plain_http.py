"""Plain HTTP to a host that is not this machine is refused before the first request: in
`setup`, in every command that reads such a base URL from config.toml, and where the TUI opens
a profile. Exit 2 with a line that says why.

Connection attempts are recorded at the socket (``socket.socket.connect``/``connect_ex``,
``socket.create_connection``, ``socket.getaddrinfo``): an attempt to any address but loopback
is recorded and refused there, so nothing leaves this machine even if the refusal were broken.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from cli_helpers import Result

from bunqtui.core.errors import ConfigError
from bunqtui.core.workspace import Workspace

API_KEY = "sandbox_" + "0123456789abcdef" * 4


def test_the_recorder_catches_an_attempt(attempts: list[tuple[str, Any]]) -> None:
    with pytest.raises(httpx.ConnectError):
        httpx.get("http://10.1.2.3:8080/v1/installation", timeout=2)
    assert attempts and attempts[0][1][0] == "10.1.2.3"


@pytest.mark.parametrize(
    "base_url",
    ["http://10.1.2.3:8080/v1", "http://bunq.example/v1", "http://127.0.0.1.evil.example/v1"],
)
def test_setup_refuses_plain_http_to_a_remote_host_before_any_connection(
    cli: Callable[..., Result], home: Path, attempts: list[tuple[str, Any]], base_url: str
) -> None:
    result = cli(
        "setup", "api-key", "--profile", "far", "--base-url", base_url, "--api-key", API_KEY
    )
    assert result.code == 2
    assert "plain http://" in result.err and "unencrypted" in result.err
    assert "https://" in result.err  # what to do instead
    assert "Traceback" not in result.err and API_KEY not in result.err + result.out
    assert attempts == []
    assert not (home / "config.toml").exists()  # nothing saved for that URL


def _far_profile(home: Path) -> None:
    (home / "config.toml").write_text(
        'default_profile = "far"\n'
        "[profiles.far]\n"
        'connector = "api-key"\n'
        'environment = "custom"\n'
        'base_url = "http://10.1.2.3:8080/v1"\n'
    )


@pytest.mark.parametrize(
    "argv",
    [
        ("accounts",),
        ("user",),
        ("payments", "--account", "1"),
        ("payments", "--account", "1", "--all"),
    ],
)
def test_commands_refuse_a_config_that_points_at_plain_http_remote(
    cli: Callable[..., Result], home: Path, attempts: list[tuple[str, Any]], argv: tuple[str, ...]
) -> None:
    _far_profile(home)
    result = cli(*argv)
    assert result.code == 2, result.err
    assert "plain http://" in result.err and "Traceback" not in result.err
    assert attempts == []


def test_the_tui_cannot_open_a_profile_on_plain_http_remote(
    home: Path, attempts: list[tuple[str, Any]]
) -> None:
    # the TUI opens every profile through Workspace.open (tui/app.py)
    _far_profile(home)
    with pytest.raises(ConfigError, match="plain http://"):
        Workspace.load(home).open("far")
    assert attempts == []


def test_setup_again_without_a_url_keeps_the_profiles_base_url(
    cli: Callable[..., Result], home: Path, emulator: Any, attempts: list[tuple[str, Any]]
) -> None:
    # a rerun without --base-url/--environment once reset the profile to bunq's sandbox and
    # sent the emulator's key there
    key = emulator.demo_api_key
    base = emulator.base_url
    assert (
        cli("setup", "api-key", "--profile", "me", "--base-url", base, "--api-key", key).code == 0
    )
    again = cli("setup", "api-key", "--profile", "me", "--api-key", key)
    assert again.code == 0, again.err
    assert base in again.out
    assert Workspace.load(home).profile("me").base_url == base
    assert attempts == []  # nothing but loopback was looked up or connected to
