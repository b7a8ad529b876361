"""Fault injection for client resilience tests: the next N API responses misbehave."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

KINDS = ("bad_signature", "http_429", "http_500", "http_491", "drop")


@dataclass
class Faults:
    pending: dict[str, int] = field(default_factory=dict)
    latency_ms: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def set(self, spec: dict) -> None:
        with self._lock:
            for kind in KINDS:
                if kind in spec:
                    self.pending[kind] = int(spec[kind])
            if "latency_ms" in spec:
                self.latency_ms = float(spec["latency_ms"])

    def clear(self) -> None:
        with self._lock:
            self.pending.clear()
            self.latency_ms = 0.0

    def take(self, kind: str) -> bool:
        """True (and one fewer pending) if a fault of this kind is due."""
        with self._lock:
            if self.pending.get(kind, 0) > 0:
                self.pending[kind] -= 1
                return True
        return False

    def as_dict(self) -> dict:
        with self._lock:
            return {**{k: v for k, v in self.pending.items() if v}, "latency_ms": self.latency_ms}


@dataclass
class Stats:
    total: int = 0
    by_route: dict[str, int] = field(default_factory=dict)
    rate_limited: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, key: str) -> None:
        with self._lock:
            self.total += 1
            self.by_route[key] = self.by_route.get(key, 0) + 1

    def limited(self) -> None:
        with self._lock:
            self.rate_limited += 1

    def reset(self) -> None:
        with self._lock:
            self.total, self.rate_limited = 0, 0
            self.by_route = {}

    def as_dict(self) -> dict:
        with self._lock:
            return {
                "total": self.total,
                "by_route": dict(self.by_route),
                "rate_limited": self.rate_limited,
            }
