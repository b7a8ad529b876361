"""Where a profile talks to and how fast: its bunq environment and its client-side pacing.

A leaf of bunqtui.core, so both the Workspace and a ProfileSession use it without importing
each other.
"""

from __future__ import annotations

import os
from pathlib import Path

from bunqtui.api.environment import Environment
from bunqtui.api.errors import InsecureURLError
from bunqtui.api.ratelimit import RateLimiter
from bunqtui.config import Profile
from bunqtui.core.errors import ConfigError
from bunqtui.store.ratelimits import store_for

RATE_LIMIT_ENV = "BUNQTUI_RATE_LIMIT"  # "off": no client-side pacing; "adaptive": probe


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


def rate_limiter_for(profile: Profile, data_dir: Path | None = None) -> RateLimiter:
    """bunq's limits, paced client-side, unless the profile or ``BUNQTUI_RATE_LIMIT`` says off.

    It paces by bunq's published limits and follows any limit bunq names in a 429 (a tighter
    one costs that one 429). ``BUNQTUI_RATE_LIMIT=adaptive`` also looks for GET limits looser
    than the published ones, at the price of one 429 per endpoint the first time — not the
    default, since a run at the published limits then meets a 429 it would not have met. With
    ``data_dir`` what it learns is kept per API origin in ``<data_dir>/cache/rate-limits.json``
    and loaded on the next run.
    """
    mode = os.environ.get(RATE_LIMIT_ENV, "").strip().lower()
    if mode in ("off", "0", "false", "no") or not profile.rate_limit:
        return RateLimiter.disabled()
    store = None
    if data_dir is not None:
        try:
            origin = environment_for(profile.environment, profile.base_url).root_url
        except ConfigError:  # reported where the environment is made; nothing to key on
            origin = None
        store = store_for(data_dir, origin) if origin else None
    return RateLimiter(
        learned=store.load() if store else None,
        on_learn=store.remember if store else None,
        probe=mode in ("adaptive", "probe"),
    )


__all__ = ["RATE_LIMIT_ENV", "environment_for", "rate_limiter_for"]
