"""Shared fixtures: a fresh local bunq emulator over loopback, and a private BUNQTUI_HOME."""

from __future__ import annotations

import errno
import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


def _is_loopback(host: object) -> bool:
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return str(host).lower() == "localhost"


@pytest.fixture
def attempts(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """Records every attempt to reach a non-loopback address (and refuses it at the socket)."""
    seen: list[tuple[str, Any]] = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_create, real_getaddrinfo = socket.create_connection, socket.getaddrinfo

    def refuse(kind: str, target: Any) -> OSError:
        seen.append((kind, target))
        return OSError(errno.ENETUNREACH, "blocked by the test's connection recorder")

    def connect(sock: socket.socket, address: Any) -> None:
        if isinstance(address, tuple) and not _is_loopback(address[0]):
            raise refuse("connect", address)
        real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        if isinstance(address, tuple) and not _is_loopback(address[0]):
            raise refuse("connect_ex", address)
        return real_connect_ex(sock, address)

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        if not _is_loopback(address[0]):
            raise refuse("create_connection", address)
        return real_create(address, *args, **kwargs)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not _is_loopback(host):  # a DNS query leaves the machine too
            raise refuse("getaddrinfo", host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return seen
