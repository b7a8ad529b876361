"""Client-side pacing so a well-behaved run never meets bunq's 429 (docs/protocol.md#rate-limits).

Sliding windows per (method class, route template): GET 3, POST 5, DELETE 5, PUT 2 calls per
3 s; POST /session-server once per 30 s. Clock and sleep are injectable for tests.

bunq counts a request when it *arrives*. The client cannot see that moment, but it is never
later than the moment the answer is back, so each request is stamped when its answer arrives
(or it fails): a window measured from there is at least as long as bunq's, without any slack.
A request still in flight holds its slot, so concurrent callers cannot overtake it.

The bookkeeping is plain code; the waiting is the driver's: :meth:`RateLimiter.slot` for the
async driver (asyncio is imported only when it is first used), :meth:`RateLimiter.hold` for the
sync one.
"""

from __future__ import annotations

import bisect
import math
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

_ID_SEGMENT = re.compile(r"^\d+$")


@dataclass(frozen=True, slots=True)
class Limit:
    calls: int
    per_seconds: float


DEFAULT_LIMITS: dict[str, Limit] = {
    "GET": Limit(3, 3.0),
    "POST": Limit(5, 3.0),
    "DELETE": Limit(5, 3.0),
    "PUT": Limit(2, 3.0),
}
SESSION_SERVER_LIMIT = Limit(1, 30.0)


def route_template(url_or_path: str) -> str:
    """``/v1/user/12/monetary-account/34/payment?count=200`` → ``/v1/user/{id}/…/payment``."""
    path = urlsplit(url_or_path).path
    parts = ["{id}" if _ID_SEGMENT.match(p) else p for p in path.rstrip("/").split("/")]
    return "/".join(parts) or "/"


@dataclass
class _Route:
    """One window: when its answered requests were answered, and how many are in flight."""

    answered: list[float] = field(default_factory=list)  # sorted
    in_flight: int = 0
    lock: Any = None  # an asyncio.Lock, made on the async path's first use
    answer: Any = None  # an asyncio.Event, set when a request in flight is answered


class RateLimiter:
    """``async with limiter.slot(method, url): <send it and read the answer>`` (or ``with
    limiter.hold(method, url): ...`` without an event loop).

    Both wait until the request fits its window, hold the slot while the block runs, and
    stamp it when the block ends. ``slack`` (default none) lengthens every window. ``sleep``
    is the async wait of ``slot`` (default ``asyncio.sleep``).
    """

    def __init__(
        self,
        limits: dict[str, Limit] | None = None,
        *,
        session_limit: Limit | None = SESSION_SERVER_LIMIT,
        slack: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] | None = None,
        enabled: bool = True,
    ) -> None:
        self.limits = dict(DEFAULT_LIMITS if limits is None else limits)
        self.session_limit = session_limit
        self.slack = slack
        self.clock = clock
        self.sleep = sleep
        self.enabled = enabled
        self._routes: dict[tuple[str, str], _Route] = {}
        self.waited = 0.0  # total seconds spent waiting, for diagnostics

    @classmethod
    def disabled(cls) -> RateLimiter:
        return cls(enabled=False)

    def limit_for(self, method: str, template: str) -> Limit | None:
        method = method.upper()
        if method == "POST" and template.endswith("/session-server") and self.session_limit:
            return self.session_limit
        return self.limits.get(method)

    def _route(self, method: str, url: str) -> tuple[_Route, Limit] | None:
        if not self.enabled:
            return None
        method, template = method.upper(), route_template(url)
        limit = self.limit_for(method, template)
        if limit is None:
            return None
        return self._routes.setdefault((method, template), _Route()), limit

    def _delay(self, route: _Route, limit: Limit) -> float:
        window = limit.per_seconds + self.slack
        now = self.clock()
        expired = bisect.bisect_right(route.answered, now - window)
        del route.answered[:expired]
        excess = len(route.answered) + route.in_flight - limit.calls + 1
        if excess <= 0:
            return 0.0
        if excess > len(route.answered):
            return math.inf  # an answer in flight has to come back first
        # answered requests age out oldest first; requests in flight only after them
        return max(0.0, route.answered[excess - 1] + window - now)

    def delay(self, method: str, url: str) -> float:
        """Seconds before a request sent now would fit its window: 0 if it fits, ``inf`` while
        it waits for the answer of a request in flight."""
        found = self._route(method, url)
        return 0.0 if found is None else self._delay(*found)

    @asynccontextmanager
    async def slot(self, method: str, url: str) -> AsyncIterator[float]:
        """Wait for a slot (yielding the seconds waited), hold it while the request is in
        flight, and stamp it with the time the block ends, however it ends."""
        found = self._route(method, url)
        if found is None:
            yield 0.0
            return
        import asyncio  # here, so that the sync path never loads it

        route, limit = found
        sleep = self.sleep or asyncio.sleep
        waited = 0.0
        if route.lock is None:
            route.lock = asyncio.Lock()
        async with route.lock:  # one waiter per route at a time keeps the order fair
            while (pause := self._delay(route, limit)) > 0:
                if math.isinf(pause):
                    started = self.clock()
                    route.answer = answer = asyncio.Event()
                    try:
                        await answer.wait()
                    finally:
                        route.answer = None
                    waited += self.clock() - started
                else:
                    await sleep(pause)
                    waited += pause
            route.in_flight += 1
        self.waited += waited
        try:
            yield waited
        finally:
            self._stamp(route)

    @contextmanager
    def hold(
        self, method: str, url: str, sleep: Callable[[float], object] = time.sleep
    ) -> Iterator[float]:
        """``slot`` for a synchronous caller: the same windows, waited with ``sleep``."""
        found = self._route(method, url)
        if found is None:
            yield 0.0
            return
        route, limit = found
        waited = 0.0
        while (pause := self._delay(route, limit)) > 0:
            # an answer in flight in another thread has to come back first: look again soon
            pause = min(pause, 0.05) if math.isinf(pause) else pause
            sleep(pause)
            waited += pause
        route.in_flight += 1
        self.waited += waited
        try:
            yield waited
        finally:
            self._stamp(route)

    def _stamp(self, route: _Route) -> None:
        """The request of a held slot is answered (or failed) now."""
        route.in_flight -= 1
        bisect.insort(route.answered, self.clock())
        if route.answer is not None:
            route.answer.set()

    def reset(self) -> None:
        self._routes.clear()
