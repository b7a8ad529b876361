"""The emulator's knobs (docs/protocol.md#emulator): behaviours bunq leaves open, and test
conveniences."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .ratelimit import Limits


@dataclass
class EmulatorConfig:
    seed: int = 1
    rate_limit: bool = True
    # bunq's published limits unless told otherwise (docs/emulator.md#rate-limits)
    rate_limits: Limits = field(default_factory=Limits)
    latency_ms: float = 0.0
    sugar_daddy_delay: float = 0.3  # seconds before Sugar Daddy accepts a request
    sugar_daddy_cap: str = "500.00"
    stale_session_status: int = 401  # 403 gives the "Insufficient authentication." variant
    invalid_signature_status: int = 400
    # docs/protocol.md#sessions: requests this close to expiry extend the session…
    extension_window: float = 30.0
    extension_cap: float = 300.0  # …by at most this long
    auth_code_lifetime: float = 600.0
    demo_payments: int = 2400
    # the day the seeded history ends (None: seed.SEED_END, the same data on every run)
    history_end: datetime | None = None
