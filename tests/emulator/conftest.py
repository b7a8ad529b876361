"""Fixtures for the emulator's own tests: logged-in clients of the independent test client."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from emu_client import BunqClient

from bunqtui.emulator.server import EmulatorServer


@pytest.fixture
def make_client(emulator: EmulatorServer) -> Iterator[Callable[..., BunqClient]]:
    clients: list[BunqClient] = []

    def make(secret: str | None = None, *, key_slot: int = 0, server=None) -> BunqClient:
        target = server or emulator
        client = BunqClient(target.base_url, key_slot=key_slot)
        clients.append(client)
        if secret is not None:
            client.login(secret)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def demo(emulator: EmulatorServer, make_client) -> BunqClient:
    """The seeded demo person, logged in."""
    return make_client(emulator.demo_api_key)
