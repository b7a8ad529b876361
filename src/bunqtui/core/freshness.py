"""How fresh what is on screen is, in words: "updated 14:02", "cached, 3 h old".

Pure functions over the cache's timestamps (UTC), for the TUI and the CLI alike. Under a
minute reads "just now", so a screen drawn right after bunq answered says so without a clock.
"""

from __future__ import annotations

import datetime as dt


def age(since: dt.datetime, now: dt.datetime) -> str:
    """``now - since`` rounded down to one unit: "just now", "5 min", "3 h", "2 d"."""
    seconds = max(0, int((now - since).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


def freshness(fetched_at: dt.datetime | None, now: dt.datetime, *, live: bool) -> str:
    """``live``: bunq answered this session ("updated 14:02"); else it is the cache's copy
    ("cached, 3 h old"). Times in the machine's local zone."""
    if fetched_at is None:
        return "not fetched yet"
    how_old = age(fetched_at, now)
    if not live:
        return "cached, just now" if how_old == "just now" else f"cached, {how_old} old"
    if how_old == "just now":
        return "updated just now"
    local, today = fetched_at.astimezone(), now.astimezone()
    when = f"{local:%H:%M}" if local.date() == today.date() else f"{local:%d %b %H:%M}"
    return f"updated {when}"
