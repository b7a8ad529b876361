"""The client-side limiter paces per (method, route template) with an injectable clock."""

from __future__ import annotations

import asyncio

from bunqtui.api.ratelimit import Limit, RateLimiter, route_template


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def limiter(clock: FakeClock, **kw: object) -> RateLimiter:
    return RateLimiter(clock=clock, sleep=clock.sleep, slack=0.0, **kw)  # type: ignore[arg-type]


def test_route_template_replaces_ids_and_drops_query() -> None:
    assert (
        route_template("http://h/v1/user/12/monetary-account/34/payment?count=200&older_id=5")
        == "/v1/user/{id}/monetary-account/{id}/payment"
    )
    assert route_template("/v1/session-server") == "/v1/session-server"


async def test_get_allows_three_per_three_seconds() -> None:
    clock = FakeClock()
    rl = limiter(clock)
    url = "http://h/v1/user/1/monetary-account"
    for _ in range(3):
        assert await rl.acquire("GET", url) == 0
    # a different id is the same endpoint; a different endpoint has its own window
    assert rl.delay("GET", "http://h/v1/user/2/monetary-account") == 3.0
    assert await rl.acquire("GET", "http://h/v1/user/1") == 0
    waited = await rl.acquire("GET", url)
    assert waited == 3.0 and clock.sleeps == [3.0]


async def test_method_classes() -> None:
    clock = FakeClock()
    rl = limiter(clock)
    url = "http://h/v1/user/1/monetary-account/2/payment"
    for _ in range(5):
        assert await rl.acquire("POST", url) == 0
    assert rl.delay("POST", url) == 3.0
    for _ in range(2):
        assert await rl.acquire("PUT", url) == 0
    assert rl.delay("PUT", url) == 3.0
    for _ in range(5):
        assert await rl.acquire("DELETE", url) == 0
    assert rl.delay("DELETE", url) == 3.0


async def test_sliding_window_frees_slots_as_they_age() -> None:
    clock = FakeClock()
    rl = limiter(clock)
    url = "http://h/v1/user"
    await rl.acquire("GET", url)
    clock.now += 1
    await rl.acquire("GET", url)
    await rl.acquire("GET", url)
    clock.now += 2.5  # the first call is 3.5 s old now, the others 2.5 s
    assert rl.delay("GET", url) == 0
    await rl.acquire("GET", url)
    assert rl.delay("GET", url) == 0.5


async def test_session_server_once_per_thirty_seconds() -> None:
    clock = FakeClock()
    rl = limiter(clock)
    url = "http://h/v1/session-server"
    assert await rl.acquire("POST", url) == 0
    assert await rl.acquire("POST", url) == 30.0
    # other POSTs are unaffected
    assert await rl.acquire("POST", "http://h/v1/device-server") == 0


async def test_concurrent_callers_are_serialised_per_route() -> None:
    clock = FakeClock()
    rl = RateLimiter({"GET": Limit(2, 3.0)}, clock=clock, sleep=clock.sleep, slack=0.0)
    url = "http://h/v1/user"
    waits = await asyncio.gather(*(rl.acquire("GET", url) for _ in range(6)))
    assert sorted(waits) == [0, 0, 0, 0, 3.0, 3.0]  # 2 per 3 s: 6 calls span 6 s
    assert clock.now == 1006.0


async def test_slack_and_disabled() -> None:
    clock = FakeClock()
    rl = RateLimiter(clock=clock, sleep=clock.sleep, slack=0.25)
    for _ in range(3):
        await rl.acquire("GET", "http://h/v1/user")
    assert rl.delay("GET", "http://h/v1/user") == 3.25
    off = RateLimiter.disabled()
    for _ in range(10):
        assert await off.acquire("GET", "http://h/v1/user") == 0
