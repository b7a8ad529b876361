"""Payments into the cache with the fewest requests: refresh (newer_id) and full sync (older_id).

Every page fetched is stored with the id range it proves complete (docs/protocol.md#pagination: a
page with no
``older_url`` reaches the account's oldest payment; a ``newer_id`` page without ``newer_url``
reaches the newest), so the cache stays one gap-free range per account:

- **refresh**: ``newer_id=<newest covered>``, following ``newer_url`` — one request when fewer
  than 200 payments are new; the first time, one ``count=200`` page.
- **full sync**: a refresh, then ``older_id=<oldest covered>`` pages of 200 until bunq says there
  is nothing older. Each page is committed before the next is asked for, so an interrupted sync
  resumes where it stopped. Pacing is the client's RateLimiter (bunq's GET window).

Every page must make progress: an ``older_id`` page holds only ids strictly below its cursor
(and is not empty while it says there is more), a ``newer_id`` page only ids above it. A
server that repeats a page or points back at itself gets a PaginationError, not a loop.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bunqtui.api.errors import PaginationError
from bunqtui.api.host import MAX_COUNT
from bunqtui.api.models import Page, Payment
from bunqtui.core.errors import CoreError
from bunqtui.store.cache import Cache

if TYPE_CHECKING:  # the async driver loads asyncio: one-shot commands store pages without it
    from bunqtui.api.client import BunqClient

PAGE = MAX_COUNT  # bunq's maximum: the fewest requests per payment


@dataclass(frozen=True)
class SyncStatus:
    """What the cache holds of one account's payments."""

    count: int
    complete: bool  # the account's oldest payment is cached
    newest_id: int | None
    oldest_id: int | None
    last_synced: dt.datetime | None  # None: never fetched
    newest_created: dt.datetime | None = None
    oldest_created: dt.datetime | None = None


Progress = Callable[[int, SyncStatus], object]


def status(cache: Cache, key: str, account_id: int) -> SyncStatus:
    seg = cache.segment(key, account_id)
    if seg is None:
        return SyncStatus(0, False, None, None, None)
    return SyncStatus(
        seg.count,
        seg.complete,
        seg.newest_id,
        seg.oldest_id,
        seg.last_synced,
        seg.newest_created,
        seg.oldest_created,
    )


def check_older(page: Page[Payment], older_id: int) -> None:
    """PaginationError unless ``page`` (asked with ``older_id``) moves strictly older."""
    ids = [p.id for p in page.items]
    if any(not 0 < pid < older_id for pid in ids):
        raise PaginationError(
            f"bunq answered a request for payments older than {older_id} with ids that are "
            "not older (a repeated page?), so bunqtui stopped reading"
        )
    if page.has_older and not ids:
        raise PaginationError("bunq sent an empty page that claims more older payments")
    nxt = page.older_id
    if page.has_older and nxt is not None and nxt >= older_id:
        raise PaginationError("bunq's link to older payments does not move older")


def check_newer(page: Page[Payment], newer_id: int) -> None:
    """PaginationError unless ``page`` (asked with ``newer_id``) moves strictly newer."""
    if any(p.id <= newer_id for p in page.items):
        raise PaginationError(
            f"bunq answered a request for payments newer than {newer_id} with ids that are "
            "not newer (a repeated page?), so bunqtui stopped reading"
        )


def store_page(
    cache: Cache,
    key: str,
    account_id: int,
    page: Page[Payment],
    *,
    older_id: int | None = None,
    newer_id: int | None = None,
) -> bool:
    """Cache a fetched page if it joins what is cached (False if it would leave a gap)."""
    ids = [p.id for p in page.items]
    if newer_id is not None:
        lo = newer_id + 1
        hi = max(ids) if ids and page.newer_url else None
    else:
        lo = min(ids) if ids and page.has_older else 0
        hi = older_id - 1 if older_id is not None else None
    return cache.store_page(key, account_id, page.items, lo=lo, hi=hi)


async def refresh(
    client: BunqClient,
    cache: Cache,
    key: str,
    account_id: int,
    progress: Callable[[int], object] | None = None,
) -> int:
    """Fetch what is newer than the cache; returns how many payments were stored."""
    seg = cache.segment(key, account_id)
    if seg is None or seg.covered_hi is None:
        page = await client.list_payments(None, account_id, count=PAGE)
        await _off_loop(store_page, cache, key, account_id, page)
        if progress:
            progress(len(page.items))
        return len(page.items)
    cursor, new = seg.covered_hi, 0
    while True:
        page = await client.list_payments(None, account_id, count=PAGE, newer_id=cursor)
        check_newer(page, cursor)
        if not await _off_loop(store_page, cache, key, account_id, page, newer_id=cursor):
            raise _changed()
        new += len(page.items)
        if progress:
            progress(len(page.items))
        if not page.items or not page.newer_url:
            return new
        cursor = max(p.id for p in page.items)


async def sync(
    client: BunqClient,
    cache: Cache,
    key: str,
    account_id: int,
    progress: Progress | None = None,
) -> SyncStatus:
    """The account's whole history into the cache (resumes an interrupted sync)."""
    fetched = 0

    def report(n: int) -> None:
        nonlocal fetched
        fetched += n
        if progress is not None:
            progress(fetched, status(cache, key, account_id))

    await refresh(client, cache, key, account_id, report)
    while True:
        seg = cache.segment(key, account_id)
        if seg is None:
            raise _changed()
        if seg.complete:
            return status(cache, key, account_id)
        cursor = seg.covered_lo
        page = await client.list_payments(None, account_id, count=PAGE, older_id=cursor)
        check_older(page, cursor)
        if not await _off_loop(store_page, cache, key, account_id, page, older_id=cursor):
            raise _changed()
        report(len(page.items))


async def _off_loop(fn: Callable[..., bool], *args: Any, **kwargs: Any) -> bool:
    """A cache write in a thread: waiting for another process's write lock never stops the
    event loop (imported here: the CLI's synchronous path loads no event loop)."""
    import asyncio

    return await asyncio.to_thread(fn, *args, **kwargs)


def _changed() -> CoreError:
    # only another process deleting this cache (a disconnect) can cause it
    return CoreError("the payment cache changed while it was being filled", "run the command again")
