"""bunq's classic rate limits (docs/protocol.md#rate-limits): sliding windows per client IP, method
and endpoint."""

from __future__ import annotations

import threading
from collections import defaultdict, deque

# method → (calls, seconds); /session-server has its own, stricter window.
LIMITS = {"GET": (3, 3.0), "POST": (5, 3.0), "PUT": (2, 3.0), "DELETE": (5, 3.0)}
SESSION_SERVER = (1, 30.0)


def message(calls: int, seconds: float) -> str:
    return (
        f"Too many requests. You can do a maximum of {calls} calls per {seconds:g} second "
        "to this endpoint."
    )


class RateLimiter:
    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._hits: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def check(self, ip: str, method: str, endpoint: str, now: float) -> str | None:
        """None if the call may go ahead (and counts it), else bunq's 429 message."""
        if not self.enabled:
            return None
        calls, seconds = (
            SESSION_SERVER if endpoint == "/session-server" else LIMITS.get(method, (5, 3.0))
        )
        with self._lock:
            hits = self._hits[(ip, f"{method} {endpoint}")]
            while hits and now - hits[0] >= seconds:
                hits.popleft()
            if len(hits) >= calls:
                return message(calls, seconds)
            hits.append(now)
        return None
