"""A cache write while another process holds SQLite's write lock: it waits without holding the
cache's own lock (reads from other threads go on), takes the lock once it is free, and close()
ends the wait at once — a thread stuck for SQLite's whole busy timeout kept the app from
exiting (issue 11's freeze)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_cache import payments

from bunqtui.core.query import haystack
from bunqtui.store.cache import Cache, CacheError


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    c = Cache(tmp_path / "cache" / "c.sqlite3", haystack)
    c.store_page("me", 1, payments(range(10, 0, -1)), lo=0, hi=None)
    yield c
    c.close()


@pytest.fixture
def other_process(cache: Cache) -> Iterator[sqlite3.Connection]:
    """Another connection (as another bunqtui would have) holding the write lock."""
    other = sqlite3.connect(cache.path, timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    yield other
    other.close()


def _write_in_thread(cache: Cache, ids: range) -> tuple[threading.Thread, list[object]]:
    outcome: list[object] = []

    def write() -> None:
        try:
            outcome.append(cache.store_page("me", 1, payments(ids), lo=11, hi=None))
        except CacheError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=write)
    thread.start()
    return thread, outcome


def test_a_waiting_write_lets_reads_go_on_and_lands_when_the_lock_is_free(
    cache: Cache, other_process: sqlite3.Connection
) -> None:
    thread, outcome = _write_in_thread(cache, range(20, 10, -1))
    thread.join(0.3)
    assert thread.is_alive() and outcome == []  # waiting for the other process
    assert len(cache.payments("me", 1, limit=100)) == 10  # a read does not wait for it
    other_process.execute("ROLLBACK")
    thread.join(5)
    assert not thread.is_alive() and not isinstance(outcome[0], Exception)
    assert len(cache.payments("me", 1, limit=100)) == 20


def test_close_ends_a_waiting_write_at_once(
    cache: Cache, other_process: sqlite3.Connection
) -> None:
    thread, outcome = _write_in_thread(cache, range(20, 10, -1))
    thread.join(0.3)
    assert thread.is_alive()
    closing = threading.Thread(target=cache.close)
    closing.start()
    closing.join(2)  # far less than the 10 s busy timeout the write would otherwise wait
    thread.join(2)
    assert not closing.is_alive() and not thread.is_alive()
    assert isinstance(outcome[0], CacheError) and "locked" in str(outcome[0])
