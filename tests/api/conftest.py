"""Helpers for bunqtui.api tests against the real emulator over loopback HTTP.

The ``emulator`` / ``emulator_rate_limited`` fixtures come from tests/conftest.py (owned by the
emulator). Clients here use tiny backoff delays so fault tests stay fast.

One protocol suite, two drivers: every test that takes the ``driver`` fixture (directly, or
through ``make_client`` / ``client``) runs once with BunqClient (async, over httpx.AsyncClient)
and once with SyncBunqClient (sync, over httpx.Client). The sync client is wrapped in
:class:`SyncFacade`, which gives it BunqClient's async interface by running each call in a
worker thread — as a CLI command would run it, with no event loop in that thread — so the test's
own loop stays free for the emulator's control API, and the test body is the same text for both.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from api_helpers import DRIVERS, Control, Driver

from bunqtui.api.client import BunqClient
from bunqtui.api.environment import Environment
from bunqtui.api.ratelimit import RateLimiter


@pytest.fixture(params=DRIVERS)
def driver(request: pytest.FixtureRequest) -> Driver:
    return Driver(request.param)


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
def make_client(environment: Environment, driver: Driver) -> Callable[..., BunqClient]:
    """Client factory for this test's driver: client-side pacing off (the emulator fixture has
    no limits) and millisecond backoffs."""

    def make(**kwargs: Any) -> BunqClient:
        kwargs.setdefault("rate_limiter", RateLimiter.disabled())
        kwargs.setdefault("backoff_base", 0.001)
        kwargs.setdefault("retry_base", 0.001)
        return driver.client(environment, **kwargs)

    return make


@pytest.fixture
async def client(
    make_client: Callable[..., BunqClient], emulator: Any
) -> AsyncIterator[BunqClient]:
    """A client with a live context for the emulator's demo user."""
    async with make_client() as c:
        await c.create_context(emulator.demo_api_key)
        yield c
