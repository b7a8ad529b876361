"""Client-side pacing so a well-behaved run never meets bunq's 429 (docs/protocol.md#rate-limits).

Sliding windows per (method class, route template): GET 3, POST 5, DELETE 5, PUT 2 calls per
3 s; POST /session-server once per 30 s. Clock and sleep are injectable for tests.

bunq counts a request when it *arrives*. The client cannot see that moment, but it is never
later than the moment the answer is back, so each request is stamped when its answer arrives
(or it fails): a window measured from there is at least as long as bunq's, without any slack.
A request still in flight holds its slot, so concurrent callers cannot overtake it.

**Learning bunq's limits.** Every 429 names the limit it hit ("You can do a maximum of X calls
per Y seconds to this endpoint."). :meth:`RateLimiter.observe` reads that sentence (untrusted,
unsigned text: one strict pattern, bounded numbers, anything else ignored) and paces that
endpoint by it from then on. With ``probe`` a GET endpoint whose limit is not known yet is sent
one request at a time without a window until bunq names its limit, so a looser limit than the
published one is found with one 429 (and a tighter one costs the same one 429). What was learnt
is exposed (:attr:`RateLimiter.learned`, ``on_learn``) and accepted back (``learned=``), so a
store can keep it between runs; this module does no I/O.

The bookkeeping is plain code; the waiting is the driver's: :meth:`RateLimiter.slot` for the
async driver (asyncio is imported only when it is first used), :meth:`RateLimiter.hold` for the
sync one; the driver hands each answer to :meth:`RateLimiter.observe`.
"""

from __future__ import annotations

import bisect
import json
import math
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
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

# what a 429 (or a stored file) may teach: anything outside is not believed
MAX_CALLS = 10_000
MAX_SECONDS = 3_600
# bunq's sentence, old ("per 3 second") and new ("per 30 seconds"); digits are ASCII only
_SENTENCE = re.compile(
    r"(?:Too many requests\. )?You can do a maximum of ([1-9][0-9]{0,4}) calls? per "
    r"([1-9][0-9]{0,3}) seconds? to this endpoint\."
)
_MAX_429_BODY = 64 * 1024  # bunq's is ~200 bytes; a bigger one is not parsed at all
# while probing: one request at a time and no window, until bunq names the endpoint's limit
PROBE = Limit(1, 0.0)
Key = tuple[str, str]  # (method, route template)


def valid_limit(calls: object, seconds: object) -> Limit | None:
    """A Limit if both numbers are within what bunq could mean, else None (bool is no number)."""
    if not isinstance(calls, int) or isinstance(calls, bool) or not 1 <= calls <= MAX_CALLS:
        return None
    if not isinstance(seconds, int | float) or isinstance(seconds, bool):
        return None
    if not 1 <= seconds <= MAX_SECONDS:  # NaN fails this too
        return None
    return Limit(calls, float(seconds))


def parse_limit(body: bytes | str) -> Limit | None:
    """The limit a 429's body names in bunq's sentence, or None for anything else.

    The body is untrusted (429s are unsigned): it must be bunq's JSON error envelope and an
    ``error_description`` must be exactly the sentence, with numbers in bounds.
    """
    if len(body) > _MAX_429_BODY:
        return None
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    errors = data.get("Error") if isinstance(data, dict) else None
    if not isinstance(errors, list):
        return None
    for item in errors:
        text = item.get("error_description") if isinstance(item, dict) else None
        if isinstance(text, str) and (match := _SENTENCE.fullmatch(text.strip())):
            return valid_limit(int(match[1]), int(match[2]))
    return None


def route_template(url_or_path: str) -> str:
    """``/v1/user/12/monetary-account/34/payment?count=200`` → ``/v1/user/{id}/…/payment``."""
    path = urlsplit(url_or_path).path
    parts = ["{id}" if _ID_SEGMENT.match(p) else p for p in path.rstrip("/").split("/")]
    return "/".join(parts) or "/"


def _is_session_server(method: str, template: str) -> bool:
    return method == "POST" and template.endswith("/session-server")


@dataclass
class _Route:
    """One window: when its answered requests were answered, and how many are in flight."""

    key: Key
    answered: list[float] = field(default_factory=list)  # sorted
    in_flight: int = 0
    lock: Any = None  # an asyncio.Lock, made on the async path's first use
    answer: Any = None  # an asyncio.Event, set when a request in flight is answered


class RateLimiter:
    """``async with limiter.slot(method, url): <send it and read the answer>`` (or ``with
    limiter.hold(method, url): ...`` without an event loop), then ``limiter.observe(...)`` with
    the answer.

    Both wait until the request fits its window, hold the slot while the block runs, and
    stamp it when the block ends. ``slack`` (default none) lengthens every window. ``sleep``
    is the async wait of ``slot`` (default ``asyncio.sleep``). ``learned`` are limits learnt
    earlier (per method and route template), ``on_learn(method, template, limit)`` is called
    when a 429 teaches a new one, ``probe`` looks for GET limits looser than the published
    ones (see the module doc).
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
        learned: Mapping[Key, Limit] | None = None,
        on_learn: Callable[[str, str, Limit], object] | None = None,
        probe: bool = False,
    ) -> None:
        self.limits = dict(DEFAULT_LIMITS if limits is None else limits)
        self.session_limit = session_limit
        self.slack = slack
        self.clock = clock
        self.sleep = sleep
        self.enabled = enabled
        self.on_learn = on_learn
        self.probe = probe
        self._learned: dict[Key, Limit] = {}
        self._unprobed: set[Key] = set()  # a 429 without bunq's sentence: published limit
        self._routes: dict[Key, _Route] = {}
        self.waited = 0.0  # total seconds spent waiting, for diagnostics
        for (method, template), limit in (learned or {}).items():
            self._accept(method.upper(), template, limit)

    @classmethod
    def disabled(cls) -> RateLimiter:
        return cls(enabled=False)

    # --- what is known about each endpoint ---------------------------------------------------

    @property
    def learned(self) -> dict[Key, Limit]:
        """The limits bunq named in 429s (or that were loaded), per (method, route template)."""
        return dict(self._learned)

    def _accept(self, method: str, template: str, limit: Limit) -> bool:
        """Take ``limit`` for the endpoint if it is sane; True if it changed anything."""
        checked = valid_limit(limit.calls, limit.per_seconds)
        if checked is None or self._learned.get((method, template)) == checked:
            return False
        if _is_session_server(method, template) and self.session_limit is not None:
            # one session too many can get an address blocked: never faster than 1 per 30 s
            floor = self.session_limit
            if checked.calls * floor.per_seconds > floor.calls * checked.per_seconds:
                return False
        self._learned[(method, template)] = checked
        return True

    def limit_for(self, method: str, template: str) -> Limit | None:
        method = method.upper()
        learned = self._learned.get((method, template))
        if learned is not None:
            return learned
        if _is_session_server(method, template) and self.session_limit:
            return self.session_limit
        if self.probe and method == "GET" and (method, template) not in self._unprobed:
            return PROBE
        return self.limits.get(method)

    def observe(self, method: str, url: str, status: int, body: bytes) -> Limit | None:
        """An answer arrived: a 429 naming its limit teaches the endpoint's window (returned);
        one that names none ends probing there (the published limit applies)."""
        if status != 429 or not self.enabled:
            return None
        method, template = method.upper(), route_template(url)
        limit = parse_limit(body)
        if limit is None:
            self._unprobed.add((method, template))
            return None
        if self._accept(method, template, limit) and self.on_learn is not None:
            self.on_learn(method, template, self._learned[(method, template)])
        return limit

    # --- pacing ------------------------------------------------------------------------------

    def _route(self, method: str, url: str) -> _Route | None:
        if not self.enabled:
            return None
        key = (method.upper(), route_template(url))
        if self.limit_for(*key) is None:
            return None
        return self._routes.setdefault(key, _Route(key))

    def _delay(self, route: _Route) -> float:
        # looked up each time: a 429 may have taught a new limit while this caller waited
        limit = self.limit_for(*route.key) or PROBE
        window = limit.per_seconds + self.slack
        now = self.clock()
        answered = route.answered
        # keep what any limit bunq may still name could count (it may be learnt mid-run)
        del answered[: bisect.bisect_right(answered, now - max(window, MAX_SECONDS))]
        del answered[:-MAX_CALLS]
        first = bisect.bisect_right(answered, now - window)
        counted = len(answered) - first
        excess = counted + route.in_flight - limit.calls + 1
        if excess <= 0:
            return 0.0
        if excess > counted:
            return math.inf  # an answer in flight has to come back first
        # answered requests age out oldest first; requests in flight only after them
        return max(0.0, answered[first + excess - 1] + window - now)

    def delay(self, method: str, url: str) -> float:
        """Seconds before a request sent now would fit its window: 0 if it fits, ``inf`` while
        it waits for the answer of a request in flight."""
        route = self._route(method, url)
        return 0.0 if route is None else self._delay(route)

    @asynccontextmanager
    async def slot(self, method: str, url: str) -> AsyncIterator[float]:
        """Wait for a slot (yielding the seconds waited), hold it while the request is in
        flight, and stamp it with the time the block ends, however it ends."""
        route = self._route(method, url)
        if route is None:
            yield 0.0
            return
        import asyncio  # here, so that the sync path never loads it

        sleep = self.sleep or asyncio.sleep
        waited = 0.0
        if route.lock is None:
            route.lock = asyncio.Lock()
        async with route.lock:  # one waiter per route at a time keeps the order fair
            while (pause := self._delay(route)) > 0:
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
        route = self._route(method, url)
        if route is None:
            yield 0.0
            return
        waited = 0.0
        while (pause := self._delay(route)) > 0:
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
