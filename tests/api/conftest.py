"""Helpers for bunqtui.api tests against the real emulator over loopback HTTP.

The ``emulator`` / ``emulator_rate_limited`` fixtures come from tests/conftest.py (owned by the
emulator). Clients here use tiny backoff delays so fault tests stay fast.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from bunqtui.api.client import BunqClient
from bunqtui.api.environment import Environment
from bunqtui.api.ratelimit import RateLimiter


class Control:
    """The emulator's /_emulator control API."""

    def __init__(self, root_url: str) -> None:
        self.http = httpx.AsyncClient(base_url=root_url.rstrip("/") + "/_emulator", timeout=10)

    async def _json(self, method: str, path: str, body: Any = None) -> Any:
        response = await self.http.request(method, path, json=body)
        response.raise_for_status()
        return response.json() if response.content else None

    async def new_user(self, kind: str = "person", accounts: int = 1, payments: int = 0) -> dict:
        return await self._json(
            "POST", "/users", {"kind": kind, "accounts": accounts, "payments": payments}
        )

    async def approve(self, authorize_url: str, api_key: str) -> str:
        body = {"authorize_url": authorize_url, "api_key": api_key}
        return (await self._json("POST", "/oauth/approve", body))["redirect_url"]

    async def faults(self, **faults: Any) -> None:
        await self._json("POST", "/faults", faults)

    async def clear_faults(self) -> None:
        await self._json("DELETE", "/faults")

    async def stats(self) -> dict:
        return await self._json("GET", "/stats")

    async def reset_stats(self) -> None:
        await self._json("DELETE", "/stats")

    async def count(self) -> int:
        return int((await self.stats())["total"])


@pytest.fixture
async def control(emulator: Any) -> AsyncIterator[Control]:
    ctl = Control(emulator.root_url)
    yield ctl
    await ctl.http.aclose()


@pytest.fixture
async def control_rate_limited(emulator_rate_limited: Any) -> AsyncIterator[Control]:
    ctl = Control(emulator_rate_limited.root_url)
    yield ctl
    await ctl.http.aclose()


@pytest.fixture
def environment(emulator: Any) -> Environment:
    return Environment.custom(emulator.base_url, name="emulator")


@pytest.fixture
def make_client(environment: Environment) -> Callable[..., BunqClient]:
    """BunqClient factory: client-side pacing off (the emulator fixture has no limits) and
    millisecond backoffs."""

    def make(**kwargs: Any) -> BunqClient:
        kwargs.setdefault("rate_limiter", RateLimiter.disabled())
        kwargs.setdefault("backoff_base", 0.001)
        kwargs.setdefault("retry_base", 0.001)
        return BunqClient(environment, **kwargs)

    return make


@pytest.fixture
async def client(
    make_client: Callable[..., BunqClient], emulator: Any
) -> AsyncIterator[BunqClient]:
    """A client with a live context for the emulator's demo user."""
    async with make_client() as c:
        await c.create_context(emulator.demo_api_key)
        yield c
