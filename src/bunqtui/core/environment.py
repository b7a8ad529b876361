"""Where a profile talks to and how fast: its bunq environment and its client-side pacing.

A leaf of bunqtui.core, so both the Workspace and a ProfileSession use it without importing
each other.
"""

from __future__ import annotations

import os

from bunqtui.api.environment import Environment
from bunqtui.api.errors import InsecureURLError
from bunqtui.api.ratelimit import RateLimiter
from bunqtui.config import Profile
from bunqtui.core.errors import ConfigError

RATE_LIMIT_ENV = "BUNQTUI_RATE_LIMIT"  # "off" turns client-side pacing off (emulator, tests)


def environment_for(environment: str, base_url: str | None) -> Environment:
    """The named environment, or a custom one at ``base_url``; ConfigError if invalid."""
    try:
        if base_url:
            return Environment.custom(base_url, name="custom")
        return Environment.from_name(environment)
    except InsecureURLError as exc:
        raise ConfigError(
            str(exc), "give an https:// base URL (plain http:// only to 127.0.0.1 or localhost)"
        ) from None
    except ValueError as exc:
        raise ConfigError(
            str(exc), "use --environment sandbox|production or --base-url URL"
        ) from None


def rate_limiter_for(profile: Profile) -> RateLimiter:
    """bunq's limits, paced client-side, unless the profile or ``BUNQTUI_RATE_LIMIT`` says off."""
    off = os.environ.get(RATE_LIMIT_ENV, "").strip().lower() in ("off", "0", "false", "no")
    if off or not profile.rate_limit:
        return RateLimiter.disabled()
    return RateLimiter()


__all__ = ["RATE_LIMIT_ENV", "environment_for", "rate_limiter_for"]
