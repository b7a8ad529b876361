"""The client-side limiter paces per (method, route template) with an injectable clock, and
counts each window from the moment a request's answer arrives (never from its sending)."""

from __future__ import annotations

import asyncio
import math
import random
import time

import pytest

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
    return RateLimiter(clock=clock, sleep=clock.sleep, **kw)  # type: ignore[arg-type]


async def send(rl: RateLimiter, method: str, url: str, clock: FakeClock, rtt: float = 0) -> float:
    """One request whose answer takes ``rtt`` seconds; returns the seconds it waited."""
    async with rl.slot(method, url) as waited:
        clock.now += rtt
    return waited


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
        assert await send(rl, "GET", url, clock) == 0
    # a different id is the same endpoint; a different endpoint has its own window
    assert rl.delay("GET", "http://h/v1/user/2/monetary-account") == 3.0
    assert await send(rl, "GET", "http://h/v1/user/1", clock) == 0
    waited = await send(rl, "GET", url, clock)
    assert waited == 3.0 and clock.sleeps == [3.0]


async def test_method_classes() -> None:
    clock = FakeClock()
    rl = limiter(clock)
    url = "http://h/v1/user/1/monetary-account/2/payment"
    for method, calls in (("POST", 5), ("PUT", 2), ("DELETE", 5)):
        for _ in range(calls):
            assert await send(rl, method, url, clock) == 0
        assert rl.delay(method, url) == 3.0


async def test_the_window_starts_when_the_answer_arrives() -> None:
    """bunq counts a request on arrival, at the latest when its answer is back: a slow answer
    moves the window's start to the answer, with no slack added anywhere."""
    clock = FakeClock()
    rl = limiter(clock)
    url = "http://h/v1/user/1/monetary-account/2/payment"
    await send(rl, "GET", url, clock, rtt=2.0)  # sent at 1000, answered at 1002
    await send(rl, "GET", url, clock, rtt=0.1)  # answered at 1002.1
    await send(rl, "GET", url, clock, rtt=0.1)  # answered at 1002.2
    assert clock.now == 1002.2
    # stamped at sending (1000) this would be 0.8; counted from the answer it is 3 s after 1002
    assert rl.delay("GET", url) == pytest.approx(2.8)
    assert await send(rl, "GET", url, clock, rtt=0.05) == pytest.approx(2.8)
    assert clock.now == pytest.approx(1005.05)  # sent at 1005.0 = the first answer + 3 s
    assert rl.delay("GET", url) == pytest.approx(0.05)  # the second answer (1002.1) + 3 s


async def test_a_failed_request_still_counts_from_when_it_failed() -> None:
    clock = FakeClock()
    rl = limiter(clock, limits={"GET": Limit(1, 3.0)})
    url = "http://h/v1/user"
    with pytest.raises(ConnectionError):
        async with rl.slot("GET", url):
            clock.now += 1.0
            raise ConnectionError  # bunq may have counted it before the connection broke
    assert rl.delay("GET", url) == 3.0


async def test_a_request_in_flight_holds_its_slot_until_answered() -> None:
    clock = FakeClock()
    rl = limiter(clock, limits={"GET": Limit(2, 3.0)})
    url = "http://h/v1/user"

    async def in_flight(answer: asyncio.Event) -> None:
        async with rl.slot("GET", url):
            await answer.wait()

    first, second = asyncio.Event(), asyncio.Event()
    tasks = [asyncio.create_task(in_flight(answer)) for answer in (first, second)]
    await asyncio.sleep(0)  # both sent, neither answered
    assert math.isinf(rl.delay("GET", url))
    third = asyncio.create_task(send(rl, "GET", url, clock))
    await asyncio.sleep(0)
    assert not third.done()  # it waits for an answer, not for a guess
    clock.now += 1.0
    first.set()  # answered at 1001: that window ends at 1004
    assert await third == pytest.approx(4.0) and clock.now == pytest.approx(1004.0)
    second.set()
    await asyncio.gather(*tasks)


async def test_session_server_once_per_thirty_seconds_from_its_answer() -> None:
    clock = FakeClock()
    rl = limiter(clock)
    url = "http://h/v1/session-server"
    assert await send(rl, "POST", url, clock, rtt=0.5) == 0
    assert await send(rl, "POST", url, clock) == 30.0
    assert clock.now == 1030.5
    # other POSTs are unaffected
    assert await send(rl, "POST", "http://h/v1/device-server", clock) == 0


async def test_concurrent_callers_are_serialised_per_route() -> None:
    clock = FakeClock()
    rl = limiter(clock, limits={"GET": Limit(2, 3.0)})
    url = "http://h/v1/user"
    waits = await asyncio.gather(*(send(rl, "GET", url, clock) for _ in range(6)))
    assert sorted(waits) == [0, 0, 0, 0, 3.0, 3.0]  # 2 per 3 s: 6 calls span 6 s
    assert clock.now == 1006.0


async def test_no_window_ever_holds_too_many_with_real_concurrency() -> None:
    """Twelve concurrent requests with random round trips on the real clock (a 0.2-s window):
    whenever one is sent, fewer than ``calls`` others can still be counted by the server, i.e.
    were sent before it and answered less than a window earlier (or not yet)."""
    calls, window = 2, 0.2
    rl = RateLimiter({"GET": Limit(calls, window)})
    url = "http://h/v1/user/1/monetary-account/2/payment"
    rng = random.Random(6)
    log: list[tuple[float, float]] = []

    async def request() -> None:
        async with rl.slot("GET", url):
            sent = time.monotonic()
            await asyncio.sleep(rng.uniform(0, 0.05))
            log.append((sent, time.monotonic()))

    await asyncio.gather(*(request() for _ in range(12)))
    assert len(log) == 12
    for sent, _ in log:
        overlapping = [
            (s, a) for s, a in log if (s, a) != (sent, _) and s <= sent and a > sent - window
        ]
        assert len(overlapping) < calls


async def test_slack_and_disabled() -> None:
    clock = FakeClock()
    rl = limiter(clock, slack=0.25)
    for _ in range(3):
        await send(rl, "GET", "http://h/v1/user", clock)
    assert rl.delay("GET", "http://h/v1/user") == 3.25
    off = RateLimiter.disabled()
    for _ in range(10):
        async with off.slot("GET", "http://h/v1/user") as waited:
            assert waited == 0
    assert off.delay("GET", "http://h/v1/user") == 0


def test_the_sync_hold_keeps_the_same_windows_without_an_event_loop() -> None:
    """``hold`` is ``slot`` for the sync driver: the same bookkeeping, waited with a plain
    (here fake) sleep, and stamped when the answer arrives."""
    clock = FakeClock()
    rl = RateLimiter(clock=clock)
    url = "http://h/v1/user/1/monetary-account"
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.now += seconds

    for _ in range(3):
        with rl.hold("GET", url, sleep) as waited:
            clock.now += 0.5  # the answer takes half a second
        assert waited == 0
    with rl.hold("GET", url, sleep) as waited:
        pass
    # answered at 1000.5, 1001 and 1001.5: the 4th goes at 1000.5 + 3 s, 2 s from now
    assert waited == pytest.approx(2.0) and slept == [pytest.approx(2.0)]
    with pytest.raises(ConnectionError), rl.hold("POST", "http://h/v1/session-server", sleep):
        raise ConnectionError  # a failed request still counts, from when it failed
    assert rl.delay("POST", "http://h/v1/session-server") == 30.0
    assert rl.waited == pytest.approx(2.0)
