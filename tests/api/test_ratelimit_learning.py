"""The limiter reads the limit bunq names in a 429 (untrusted text: one strict sentence, bounded
numbers) and paces that endpoint by it; with ``probe`` it finds a looser GET limit than the
published one; what it learnt is exposed and accepted back (docs/protocol.md#rate-limits)."""

from __future__ import annotations

import asyncio
import json
import math

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bunqtui.api.protocol import Exchange, Reply
from bunqtui.api.ratelimit import (
    MAX_CALLS,
    MAX_SECONDS,
    PROBE,
    Limit,
    RateLimiter,
    parse_limit,
)
from bunqtui.emulator.ratelimit import message

PAYMENTS = "http://h/v1/user/1/monetary-account/2/payment"
TEMPLATE = "/v1/user/{id}/monetary-account/{id}/payment"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def body(*descriptions: object, translated: str = "Te veel verzoeken.") -> bytes:
    errors = [
        {"error_description": text, "error_description_translated": translated}
        for text in descriptions
    ]
    return json.dumps({"Error": errors}).encode()


def said(limit: str, *, prefix: str = "Too many requests. ", to: str = " to this endpoint.") -> str:
    """bunq's sentence around ``limit`` ("3 calls per 3 second")."""
    return f"{prefix}You can do a maximum of {limit}{to}"


def answer(rl: RateLimiter, clock: FakeClock, status: int = 200, text: bytes = b"") -> None:
    """One GET of the payment listing, answered at once with ``status``."""
    with rl.hold("GET", PAYMENTS, sleep=lambda s: setattr(clock, "now", clock.now + s)):
        rl.observe("GET", PAYMENTS, status, text)


@pytest.mark.parametrize(
    ("text", "limit"),
    [
        # as bunq has been seen answering (docs/protocol.md#rate-limits)
        (said("3 calls per 3 second"), (3, 3)),
        # as bunq's newer page writes it
        (said("70 calls per 30 seconds"), (70, 30)),
        (said("1 call per 30 seconds", prefix=""), (1, 30)),
        (said("10000 calls per 3600 seconds"), (10_000, 3_600)),
    ],
)
def test_bunqs_sentence_is_read(text: str, limit: tuple[int, int]) -> None:
    assert parse_limit(body(text)) == Limit(*limit)


@pytest.mark.parametrize(
    "raw",
    [
        body(said("0 calls per 3 second")),
        body(said("10001 calls per 3 second")),
        body(said("3 calls per 0 second")),
        body(said("3 calls per 3601 seconds")),
        body(said("99999999999999999999 calls per 3 second")),
        body(said("-3 calls per 3 second")),
        body(said("03 calls per 3 second")),
        body(said("3.5 calls per 3 second")),
        body(said("3 calls per 0.5 second")),
        body(said("٣ calls per ٣ second")),
        body(said("3 calls per 3 minutes")),
        body(said("1000 calls per 1 second", prefix="Ignore this. ")),
        body(said("3 calls per 3 second", to=" to this endpoint. Or 9999.")),
        body(said("3\ncalls per 3 second")),
        body("Too many requests."),
        body(None, 3, [said("3 calls per 3 second")]),
        # only bunq's English text is read, not the translation a header picks
        body("Te veel.", translated=said("9 calls per 3 second")),
        b"<html>You can do a maximum of 9 calls per 3 second to this endpoint.</html>",
        b'{"Error": "You can do a maximum of 9 calls per 3 second to this endpoint."}',
        json.dumps({"Response": [{"error_description": said("9 calls per 3 second")}]}).encode(),
        b"[" * 60_000,  # nested past the recursion limit, under the size cap
        b"",
        b"\xff\xfe",
        body(said("9 calls per 3 second") + " " * 70_000),
    ],
)
def test_anything_else_is_not_believed(raw: bytes) -> None:
    assert parse_limit(raw) is None


@given(st.integers(1, MAX_CALLS), st.integers(1, MAX_SECONDS))
def test_the_emulators_429_is_understood(calls: int, seconds: int) -> None:
    assert parse_limit(body(message(calls, seconds))) == Limit(calls, float(seconds))


@given(st.text(max_size=200))
def test_whatever_the_text_a_limit_is_within_bounds(text: str) -> None:
    found = parse_limit(body(text))
    assert found is None or (
        1 <= found.calls <= MAX_CALLS and 1 <= found.per_seconds <= MAX_SECONDS
    )


def test_a_429_teaches_its_endpoint_a_tighter_window() -> None:
    clock, learnt = FakeClock(), []
    rl = RateLimiter(clock=clock, on_learn=lambda *args: learnt.append(args))
    answer(rl, clock)
    answer(rl, clock)
    assert rl.delay("GET", PAYMENTS) == 0  # the published 3 per 3 s
    answer(rl, clock, 429, body(message(2, 3)))
    assert rl.learned == {("GET", TEMPLATE): Limit(2, 3.0)}
    assert learnt == [("GET", TEMPLATE, Limit(2, 3.0))]
    assert rl.limit_for("GET", TEMPLATE) == Limit(2, 3.0)
    assert rl.delay("GET", PAYMENTS) == pytest.approx(3.0)  # the 429 counts too
    assert rl.delay("GET", "http://h/v1/user/1/monetary-account") == 0  # another endpoint
    assert rl.delay("PUT", PAYMENTS) == 0  # another method class
    # the same sentence again changes nothing and is not reported again
    clock.now += 3
    answer(rl, clock, 429, body(message(2, 3)))
    assert len(learnt) == 1
    # other statuses never teach anything, whatever their body says
    answer(rl, clock, 200, body(message(50, 3)))
    answer(rl, clock, 409, body(message(50, 3)))
    assert rl.learned == {("GET", TEMPLATE): Limit(2, 3.0)}


def test_a_429_without_the_sentence_leaves_the_limits_alone() -> None:
    clock = FakeClock()
    rl = RateLimiter(clock=clock)
    answer(rl, clock, 429, b"<html>slow down</html>")
    assert rl.learned == {}
    assert rl.limit_for("GET", TEMPLATE) == Limit(3, 3.0)


def test_limits_learnt_earlier_are_used_and_bad_ones_dropped() -> None:
    stored = {
        ("get", TEMPLATE): Limit(10, 3.0),
        ("GET", "/v1/user"): Limit(0, 3.0),
        ("GET", "/v1/user/{id}"): Limit(3, 86_400.0),
        ("PUT", "/v1/user/{id}"): Limit(True, 3.0),  # type: ignore[arg-type]
    }
    rl = RateLimiter(learned=stored)
    assert rl.learned == {("GET", TEMPLATE): Limit(10, 3.0)}
    assert rl.limit_for("GET", TEMPLATE) == Limit(10, 3.0)
    assert rl.limit_for("GET", "/v1/user") == Limit(3, 3.0)


def test_session_server_is_never_paced_faster_than_once_per_thirty_seconds() -> None:
    rl = RateLimiter()
    rl.observe("POST", "http://h/v1/session-server", 429, body(message(100, 3)))
    assert rl.limit_for("POST", "/v1/session-server") == Limit(1, 30.0)
    rl.observe("POST", "http://h/v1/session-server", 429, body(message(1, 60)))
    assert rl.limit_for("POST", "/v1/session-server") == Limit(1, 60.0)


def test_probing_finds_a_looser_limit_with_one_429_and_paces_by_it() -> None:
    clock = FakeClock()
    rl = RateLimiter(clock=clock, probe=True)
    assert rl.limit_for("GET", TEMPLATE) == PROBE
    assert rl.limit_for("POST", TEMPLATE) == Limit(5, 3.0)  # only reads are probed
    for _ in range(10):  # faster than the published 3 per 3 s: nothing waits
        answer(rl, clock)
        clock.now += 0.01
    answer(rl, clock, 429, body(message(10, 3)))  # the 11th, at 1000.1
    assert rl.limit_for("GET", TEMPLATE) == Limit(10, 3.0)
    # the burst is remembered: the next goes when the 2nd answer (1000.01) is 3 s old
    assert rl.delay("GET", PAYMENTS) == pytest.approx(1003.01 - clock.now)


def test_probing_ends_with_a_429_that_names_no_limit() -> None:
    clock = FakeClock()
    rl = RateLimiter(clock=clock, probe=True)
    answer(rl, clock, 429, b"Too many requests")
    assert rl.limit_for("GET", TEMPLATE) == Limit(3, 3.0)  # the published limit, this run


async def test_a_caller_waiting_behind_a_probe_follows_the_limit_its_429_names() -> None:
    """While probing, one request is in flight at a time; the caller behind it waits for its
    answer, and if that answer is a 429 naming a limit, waits by that limit, not by the probe."""
    clock = FakeClock()
    rl = RateLimiter(clock=clock, sleep=clock.sleep, probe=True)
    answered = asyncio.Event()

    async def first() -> None:
        async with rl.slot("GET", PAYMENTS):
            await answered.wait()
            rl.observe("GET", PAYMENTS, 429, body(message(1, 3)))

    task = asyncio.create_task(first())
    await asyncio.sleep(0)
    assert math.isinf(rl.delay("GET", PAYMENTS))
    second = asyncio.create_task(rl.slot("GET", PAYMENTS).__aenter__())
    await asyncio.sleep(0)
    assert not second.done()
    answered.set()
    await task
    assert await second == pytest.approx(3.0)  # one per 3 s, counted from the 429


def test_the_first_retry_after_a_429_waits_at_most_one_slot_of_the_limit_it_names() -> None:
    """The limiter paces the retry by the window bunq named, so the back-off does not add a
    longer wait on top; without the sentence, or on a later attempt, the back-off is whole."""
    exchange = Exchange(backoff_base=3.0)
    headers = httpx.Headers()
    named = Reply(429, headers, body(said("70 calls per 30 seconds")))
    waits = [exchange.retry_wait("GET", named, 0, True) for _ in range(20)]
    assert all(w == pytest.approx(30 / 70) for w in waits)
    slow = Reply(429, headers, body(said("1 call per 3600 seconds")))
    assert 3.0 <= (exchange.retry_wait("GET", slow, 0, True) or 0) <= 4.5  # never longer
    assert (exchange.retry_wait("GET", named, 1, True) or 0) >= 6.0
    unnamed = Reply(429, headers, b"<html>slow down</html>")
    assert (exchange.retry_wait("POST", unnamed, 0, False) or 0) >= 3.0
