"""Client-side pacing so a well-behaved run never meets bunq's 429 (§11.3, §12.8).

Sliding windows per (method class, route template): GET 3, POST 5, DELETE 5, PUT 2 calls per
3 s; POST /session-server once per 30 s. Clock and sleep are injectable for tests.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
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


class RateLimiter:
    """``await limiter.acquire(method, url)`` before each request; it waits as long as needed.

    ``slack`` widens every window a little because the server counts arrivals, which can bunch
    up relative to our send times.
    """

    def __init__(
        self,
        limits: dict[str, Limit] | None = None,
        *,
        session_limit: Limit | None = SESSION_SERVER_LIMIT,
        slack: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        enabled: bool = True,
    ) -> None:
        self.limits = dict(DEFAULT_LIMITS if limits is None else limits)
        self.session_limit = session_limit
        self.slack = slack
        self.clock = clock
        self.sleep = sleep
        self.enabled = enabled
        self._history: dict[tuple[str, str], deque[float]] = {}
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}
        self.waited = 0.0  # total seconds spent waiting, for diagnostics

    @classmethod
    def disabled(cls) -> RateLimiter:
        return cls(enabled=False)

    def limit_for(self, method: str, template: str) -> Limit | None:
        method = method.upper()
        if method == "POST" and template.endswith("/session-server") and self.session_limit:
            return self.session_limit
        return self.limits.get(method)

    def delay(self, method: str, url: str) -> float:
        """Seconds to wait before a request now would fit its window (0 if it fits)."""
        template = route_template(url)
        limit = self.limit_for(method, template)
        if not self.enabled or limit is None:
            return 0.0
        history = self._history.get((method.upper(), template))
        if not history:
            return 0.0
        window = limit.per_seconds + self.slack
        now = self.clock()
        while history and now - history[0] >= window:
            history.popleft()
        if len(history) < limit.calls:
            return 0.0
        return max(0.0, history[0] + window - now)

    async def acquire(self, method: str, url: str) -> float:
        """Wait for a slot and take it. Returns the seconds waited."""
        if not self.enabled:
            return 0.0
        method = method.upper()
        template = route_template(url)
        if self.limit_for(method, template) is None:
            return 0.0
        key = (method, template)
        lock = self._locks.setdefault(key, asyncio.Lock())
        waited = 0.0
        async with lock:  # one waiter per route at a time keeps the order fair
            while (pause := self.delay(method, url)) > 0:
                await self.sleep(pause)
                waited += pause
            self._history.setdefault(key, deque()).append(self.clock())
        self.waited += waited
        return waited

    def reset(self) -> None:
        self._history.clear()
