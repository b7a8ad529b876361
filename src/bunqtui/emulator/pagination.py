"""bunq's cursor pagination (docs/protocol.md#pagination): newest first, `count` ≤ 200, all three
URLs always present. A user's monetary accounts are the exception: bunq lists them oldest first
(the official SDK takes the first active bank account as the user's primary one)."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from .wire import bad_request

T = TypeVar("T")


def _int_param(params: dict[str, str], name: str) -> int | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise bad_request(f"The parameter {name} must be a whole number.") from None


def paginate(
    items: Sequence[T],
    key: Callable[[T], int],
    path: str,
    params: dict[str, str],
    *,
    future_url: bool = True,
    oldest_first: bool = False,
) -> tuple[list[T], dict[str, Any]]:
    """The page of `items` (ascending by key) selected by count/older_id/newer_id, newest
    first, with bunq's Pagination object. `path` is the request path including /v1.

    `oldest_first`: without a cursor the page starts at the oldest item, and every page is
    shown oldest first; the cursors keep their meaning (older_url: lower ids, newer_url: higher).
    """
    count = _int_param(params, "count")
    if count is not None and not 1 <= count <= 200:
        raise bad_request("The count parameter must be between 1 and 200.")
    size = count or 10
    older_id = _int_param(params, "older_id")
    newer_id = _int_param(params, "newer_id")
    ids = [key(item) for item in items]
    if newer_id is not None or (oldest_first and older_id is None):
        start = bisect.bisect_right(ids, newer_id) if newer_id is not None else 0
        selected = list(items[start : start + size])
    else:
        end = bisect.bisect_left(ids, older_id) if older_id is not None else len(ids)
        selected = list(items[max(0, end - size) : end])
    if not oldest_first:
        selected.reverse()

    extra = "".join(
        f"&{k}={v}" for k, v in params.items() if k not in ("count", "older_id", "newer_id")
    )
    prefix = f"count={count}&" if count is not None else ""

    def url(cursor: str, value: int) -> str:
        return f"{path}?{prefix}{cursor}={value}{extra}"

    if not selected:
        future = url("newer_id", newer_id) if newer_id is not None and future_url else None
        return [], {"future_url": future, "newer_url": None, "older_url": None}
    low, high = min(map(key, selected)), max(map(key, selected))
    has_older = bool(ids) and ids[0] < low
    has_newer = bool(ids) and ids[-1] > high
    pagination = {
        "future_url": url("newer_id", high) if future_url and not has_newer else None,
        "newer_url": url("newer_id", high) if has_newer else None,
        "older_url": url("older_id", low) if has_older else None,
    }
    return selected, pagination
