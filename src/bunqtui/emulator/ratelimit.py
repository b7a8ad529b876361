"""bunq's rate limits (docs/protocol.md#rate-limits): sliding windows per client IP, method and
endpoint, and the emulator's way to be started with other limits than bunq's published ones.

A limit is ``calls`` per ``seconds``. Which one applies to a request: its endpoint's own entry
(``"GET /v1/user/{id}/monetary-account/{id}/payment"``, the key /_emulator/stats uses), else its
method's, else POST's. The 429 names the limit hit in bunq's sentence, so a client can learn it.
A limits file (TOML or JSON, by suffix) and ``--rate-limit`` flags are described in
docs/emulator.md#rate-limits.
"""

from __future__ import annotations

import json
import re
import threading
import tomllib
from collections import defaultdict, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

METHODS = ("GET", "POST", "PUT", "DELETE")
_ROUTE_KEY = re.compile(r"(GET|POST|PUT|DELETE) (/v1(?:/[A-Za-z0-9_{}.-]+)+)")
_SPEC = re.compile(r"\s*([0-9]+)\s*/\s*([0-9]+(?:\.[0-9]+)?)\s*")
MAX_CALLS = 1_000_000
MAX_SECONDS = 86_400.0


@dataclass(frozen=True)
class Window:
    calls: int
    seconds: float


# bunq's published numbers; /session-server has its own, stricter window.
LIMITS = {
    "GET": Window(3, 3.0),
    "POST": Window(5, 3.0),
    "PUT": Window(2, 3.0),
    "DELETE": Window(5, 3.0),
}
SESSION_SERVER_KEY = "POST /v1/session-server"
SESSION_SERVER = Window(1, 30.0)


@dataclass(frozen=True)
class Limits:
    """Per method and per endpoint (``"METHOD /v1/template"``, ids written ``{id}``). The
    parsers below return only what a file or flag sets: :meth:`merged` puts it on top of
    bunq's published limits (``Limits()``)."""

    methods: Mapping[str, Window] = field(default_factory=lambda: dict(LIMITS))
    routes: Mapping[str, Window] = field(
        default_factory=lambda: {SESSION_SERVER_KEY: SESSION_SERVER}
    )

    def window(self, method: str, route_key: str) -> Window:
        return (
            self.routes.get(route_key)
            or self.methods.get(method)
            or LIMITS.get(method)  # a method left out keeps bunq's number
            or LIMITS["POST"]  # PATCH and the like: no published number
        )

    def merged(self, other: Limits) -> Limits:
        """These limits with ``other``'s entries on top."""
        return Limits({**self.methods, **other.methods}, {**self.routes, **other.routes})


class LimitsError(ValueError):
    """A limits file or flag the emulator cannot use; the text says what is wrong."""


def message(calls: int, seconds: float) -> str:
    """bunq's 429 text as it has been seen (docs/protocol.md#rate-limits): "second", singular."""
    return (
        f"Too many requests. You can do a maximum of {calls} calls per {seconds:g} second "
        "to this endpoint."
    )


def _window(value: Any, where: str) -> Window:
    """``"10/3"`` or ``{"calls": 10, "seconds": 3}`` → Window, or LimitsError."""
    calls: Any
    seconds: Any
    if isinstance(value, str) and (match := _SPEC.fullmatch(value)):
        calls, seconds = int(match[1]), float(match[2])
    elif isinstance(value, dict) and set(value) == {"calls", "seconds"}:
        calls, seconds = value["calls"], value["seconds"]
    else:
        raise LimitsError(f'{where}: expected "CALLS/SECONDS" or {{calls = N, seconds = S}}')
    if isinstance(calls, bool) or not isinstance(calls, int) or not 1 <= calls <= MAX_CALLS:
        raise LimitsError(f"{where}: calls must be a whole number from 1 to {MAX_CALLS:,}")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise LimitsError(f"{where}: seconds must be a number")
    if not 0 < seconds <= MAX_SECONDS:
        raise LimitsError(f"{where}: seconds must be above 0 and at most {MAX_SECONDS:g}")
    return Window(calls, float(seconds))


def _key(target: str, where: str) -> tuple[str, str | None]:
    """``GET`` → ("GET", None); ``GET /v1/user/{id}`` → ("GET", "GET /v1/user/{id}")."""
    target = " ".join(target.split())
    if target.upper() in METHODS:
        return target.upper(), None
    if _ROUTE_KEY.fullmatch(target):
        return target.split(" ")[0], target
    raise LimitsError(
        f"{where}: {target!r} is neither a method ({', '.join(METHODS)}) nor "
        '"METHOD /v1/path/{id}/…" as /_emulator/stats names endpoints'
    )


def limits_from_mapping(data: Any, where: str = "rate limits") -> Limits:
    """``{"methods": {"GET": …}, "routes": {"GET /v1/…": …}}`` (either table optional)."""
    if not isinstance(data, dict) or not set(data) <= {"methods", "routes"}:
        raise LimitsError(f"{where}: expected the tables [methods] and/or [routes], nothing else")
    methods: dict[str, Window] = {}
    routes: dict[str, Window] = {}
    for table in ("methods", "routes"):
        entries = data.get(table, {})
        if not isinstance(entries, dict):
            raise LimitsError(f"{where}: [{table}] must be a table")
        for target, value in entries.items():
            method, route = _key(str(target), f"{where} [{table}]")
            if (route is None) != (table == "methods"):
                raise LimitsError(
                    f"{where}: {target!r} belongs in [{'routes' if route else 'methods'}]"
                )
            window = _window(value, f"{where} [{table}] {target}")
            if route is None:
                methods[method] = window
            else:
                routes[route] = window
    return Limits(methods, routes)


def load_limits(path: str | Path) -> Limits:
    """Read a limits file: TOML (``.toml``) or JSON (anything else); LimitsError if unusable."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LimitsError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        raise LimitsError(
            f"{path} is not valid {path.suffix.lstrip('.') or 'JSON'}: {exc}"
        ) from None
    return limits_from_mapping(data, str(path))


def limits_from_flags(specs: list[str]) -> Limits:
    """``["GET=10/3", "GET /v1/user/{id}/monetary-account=70/30"]`` → Limits."""
    methods: dict[str, Window] = {}
    routes: dict[str, Window] = {}
    for spec in specs:
        target, sep, value = spec.rpartition("=")
        if not sep:
            raise LimitsError(f"--rate-limit {spec!r}: expected TARGET=CALLS/SECONDS")
        method, route = _key(target, f"--rate-limit {spec!r}")
        window = _window(value, f"--rate-limit {spec!r}")
        if route is None:
            methods[method] = window
        else:
            routes[route] = window
    return Limits(methods, routes)


def check_routes(limits: Limits, known: set[str]) -> None:
    """LimitsError naming the endpoints in ``limits`` that the emulator does not serve (a typo,
    most likely: such a limit would silently never apply)."""
    unknown = sorted(key for key in limits.routes if key not in known)
    if unknown:
        raise LimitsError(
            f"no such endpoint: {', '.join(unknown)} (name endpoints as /_emulator/stats does)"
        )


def route_key(method: str, endpoint: str) -> str:
    """A route's template (``/user/{id}/…``) as /_emulator/stats writes it."""
    return f"{method} /v1{endpoint}"


class RateLimiter:
    def __init__(self, enabled: bool = True, limits: Limits | None = None) -> None:
        self.enabled = enabled
        self.limits = limits or Limits()
        self._hits: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def message_for(self, method: str, endpoint: str) -> str:
        """The 429 sentence of ``endpoint``'s configured limit (whether or not limits are
        enforced): what an injected 429 says, so a client learns the limit set for it."""
        window = self.limits.window(method, route_key(method, endpoint))
        return message(window.calls, window.seconds)

    def check(self, ip: str, method: str, endpoint: str, now: float) -> str | None:
        """None if the call may go ahead (and counts it), else bunq's 429 message."""
        if not self.enabled:
            return None
        key = route_key(method, endpoint)
        window = self.limits.window(method, key)
        with self._lock:
            hits = self._hits[(ip, key)]
            while hits and now - hits[0] >= window.seconds:
                hits.popleft()
            if len(hits) >= window.calls:
                return message(window.calls, window.seconds)
            hits.append(now)
        return None
