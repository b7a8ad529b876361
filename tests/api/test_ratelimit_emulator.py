"""Against an emulator with other limits than bunq's published ones, through both drivers: a sync
of many pages meets one 429, learns the limit it names, and from then on runs at that limit's
floor with no 429 — also after a restart, from the file core keeps (docs/protocol.md#rate-limits).

The client's clock and the emulator's move forward together (``SharedClock``), so waiting for
a window costs no real time: what is measured is simulated time, deterministic up to the few
milliseconds the requests really take.
"""

from __future__ import annotations

import json
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_helpers import Driver

from bunqtui.api.environment import Environment
from bunqtui.api.ratelimit import Limit, RateLimiter
from bunqtui.config import Profile
from bunqtui.core.environment import RATE_LIMIT_ENV, rate_limiter_for
from bunqtui.emulator.config import EmulatorConfig
from bunqtui.emulator.ratelimit import Limits, limits_from_flags
from bunqtui.emulator.server import EmulatorServer

TEMPLATE = "/v1/user/{id}/monetary-account/{id}/payment"
PAYMENTS_ROUTE = f"GET {TEMPLATE}"
PAGES, PER_PAGE = 30, 50


class SharedClock:
    """The limiter's clock; ``advance`` is every sleep of the client, and moves the emulator's
    clock by as much."""

    def __init__(self, root_url: str) -> None:
        self.offset = 0.0
        self.slept = 0.0
        self.http = httpx.Client(base_url=root_url + "/_emulator", timeout=10)

    def __call__(self) -> float:
        return time.monotonic() + self.offset

    def advance(self, seconds: float) -> None:
        if seconds > 0:
            self.offset += seconds
            self.slept += seconds
            self.http.post("/clock", json={"advance_seconds": seconds}).raise_for_status()

    def stats(self) -> dict[str, Any]:
        return self.http.get("/stats").json()


def floor(requests: int, limit: Limit) -> float:
    """The earliest the last of ``requests`` sequential calls to one endpoint can start."""
    return limit.per_seconds * ((requests - 1) // limit.calls)


@pytest.fixture(
    params=[("GET=2/3", "published", Limit(2, 3.0)), ("GET=10/3", "adaptive", Limit(10, 3.0))],
    ids=["tighter", "looser"],
)
def limited(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[EmulatorServer, Limit]]:
    flag, mode, limit = request.param
    monkeypatch.setenv(RATE_LIMIT_ENV, mode)
    limits = Limits().merged(limits_from_flags([flag]))
    config = EmulatorConfig(seed=1, rate_limits=limits, sugar_daddy_delay=0)
    with EmulatorServer(config=config) as server:
        yield server, limit


def paced(limiter: RateLimiter, shared: SharedClock, driver: Driver) -> RateLimiter:
    limiter.clock = shared
    limiter.sleep = driver.sleep(shared.advance)
    return limiter


async def sync_all(client: Any, shared: SharedClock, user_id: int, account: int) -> list[int]:
    shared.slept = 0.0
    return [p.id async for p in client.iter_payments(user_id, account, count=PER_PAGE)]


async def test_one_429_teaches_the_limit_and_the_next_runs_are_at_its_floor(
    limited: tuple[EmulatorServer, Limit], driver: Driver, tmp_path: Path
) -> None:
    server, limit = limited
    shared = SharedClock(server.root_url)
    body = {"kind": "person", "accounts": 1, "payments": PAGES * PER_PAGE}
    user = shared.http.post("/users", json=body).json()
    environment = Environment.custom(server.base_url, name="emulator")
    profile = Profile(
        name="me", connector="api-key", environment="custom", base_url=server.base_url
    )
    data_dir = tmp_path / "data"
    options: dict[str, Any] = {"backoff_base": 0.001, "retry_base": 0.001}

    limiter = paced(rate_limiter_for(profile, data_dir), shared, driver)
    assert limiter.learned == {}
    async with driver.client(environment, rate_limiter=limiter, **options) as client:
        client.sleep = driver.sleep(shared.advance)
        await client.create_context(user["api_key"])
        (account,) = await client.list_monetary_accounts()
        before = shared.stats()
        first = await sync_all(client, shared, user["user_id"], account.id)
        after = shared.stats()
        assert len(first) == PAGES * PER_PAGE
        assert after["rate_limited"] - before["rate_limited"] == 1  # the one that teaches
        requests = after["by_route"][PAYMENTS_ROUTE] - before["by_route"].get(PAYMENTS_ROUTE, 0)
        assert requests == PAGES + 1  # every page once, and the one that met the 429 again
        assert limiter.learned == {("GET", TEMPLATE): limit}
        assert shared.slept <= floor(PAGES, limit) + 0.5

        shared.advance(limit.per_seconds)  # a fresh window, so the floor is from zero
        again = await sync_all(client, shared, user["user_id"], account.id)
        assert again == first
        assert shared.stats()["rate_limited"] == after["rate_limited"]  # no 429 any more
        assert shared.slept <= floor(PAGES, limit) + 0.5
        context = client.context

    # the limit is kept in a private file, for this origin
    kept = data_dir / "cache" / "rate-limits.json"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    entry = json.loads(kept.read_text())["hosts"][server.root_url][PAYMENTS_ROUTE]
    assert (entry["calls"], entry["seconds"]) == (limit.calls, limit.per_seconds)

    # a restart: a new limiter from the file, a new client on the saved context
    shared.advance(limit.per_seconds)
    restarted = paced(rate_limiter_for(profile, data_dir), shared, driver)
    assert restarted.learned == {("GET", TEMPLATE): limit}
    before = shared.stats()
    async with driver.client(environment, rate_limiter=restarted, context=context, **options) as c:
        c.sleep = driver.sleep(shared.advance)
        assert await sync_all(c, shared, user["user_id"], account.id) == first
    after = shared.stats()
    assert after["rate_limited"] == before["rate_limited"]
    assert after["by_route"][PAYMENTS_ROUTE] - before["by_route"][PAYMENTS_ROUTE] == PAGES
    assert shared.slept <= floor(PAGES, limit) + 0.5
    shared.http.close()


async def test_without_the_file_a_restart_meets_the_429_again(
    limited: tuple[EmulatorServer, Limit], driver: Driver, tmp_path: Path
) -> None:
    """The control for the test above: a limiter that starts from nothing learns it again."""
    server, limit = limited
    shared = SharedClock(server.root_url)
    user = shared.http.post("/users", json={"accounts": 1, "payments": 12 * PER_PAGE}).json()
    environment = Environment.custom(server.base_url, name="emulator")
    profile = Profile(
        name="me", connector="api-key", environment="custom", base_url=server.base_url
    )
    options: dict[str, Any] = {"backoff_base": 0.001, "retry_base": 0.001}
    limiter = paced(rate_limiter_for(profile, None), shared, driver)  # nowhere to keep it
    async with driver.client(environment, rate_limiter=limiter, **options) as client:
        client.sleep = driver.sleep(shared.advance)
        await client.create_context(user["api_key"])
        (account,) = await client.list_monetary_accounts()
        await sync_all(client, shared, user["user_id"], account.id)
        context = client.context
    assert shared.stats()["rate_limited"] == 1
    shared.advance(limit.per_seconds)
    fresh = paced(rate_limiter_for(profile, tmp_path / "other"), shared, driver)
    async with driver.client(environment, rate_limiter=fresh, context=context, **options) as c:
        c.sleep = driver.sleep(shared.advance)
        await sync_all(c, shared, user["user_id"], account.id)
    assert shared.stats()["rate_limited"] == 2
    shared.http.close()
