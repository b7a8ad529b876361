"""A cache write while another process holds SQLite's write lock: it waits without holding the
cache's own lock (reads from other threads go on), takes the lock once it is free, and close()
ends the wait at once — a thread stuck for SQLite's whole busy timeout kept the app from
exiting (issue 11's freeze). A closed cache stays closed, and forget() sweeps a disconnected
user's rows out of the WAL without making reads wait for another process's reader."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_cache import payments, raw_payment

from bunqtui.api.models import Payment
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
    assert isinstance(outcome[0], CacheError) and "closed" in str(outcome[0])


def test_a_closed_cache_stays_closed(cache: Cache, other_process: sqlite3.Connection) -> None:
    # a to_thread(store_page) still building its rows when the session closed the cache: it
    # reopened the file and waited the whole busy timeout, on a connection nobody closed
    cache.close()
    thread, outcome = _write_in_thread(cache, range(20, 10, -1))
    thread.join(2)  # far less than the 10 s busy timeout
    assert not thread.is_alive()
    assert isinstance(outcome[0], CacheError) and "closed" in str(outcome[0])
    other_process.execute("ROLLBACK")  # not the lock either: closed is closed
    with pytest.raises(CacheError, match="closed"):
        cache.store_page("me", 1, payments(range(20, 10, -1)), lo=11, hi=None)
    with pytest.raises(CacheError, match="closed"):
        cache.payments("me", 1)
    assert cache._db is None  # nothing reopened
    # a stream has a connection of its own, closed with it: the CLI prints a table's second
    # pass after its session closed the cache
    assert [row.id for row in cache.payment_rows("me", 1)] == list(range(10, 0, -1))
    assert cache._db is None


SECRET = b"zyxwv"  # in every row of the user who disconnects, and nowhere else


def _on_disk(cache: Cache) -> dict[str, int]:
    """How often the forgotten user's text is in the cache file and in its WAL."""
    found = {}
    for name, suffix in (("db", ""), ("wal", "-wal")):
        path = cache.path.with_name(cache.path.name + suffix)
        found[name] = path.read_bytes().lower().count(SECRET) if path.exists() else 0
    return found


@pytest.mark.parametrize("then", ["write", "close"])
def test_forget_never_makes_reads_wait_and_leaves_no_rows_on_disk(cache: Cache, then: str) -> None:
    theirs = [Payment.from_json(raw_payment(i, 100, name="Zyxwv Secret")) for i in range(5, 0, -1)]
    cache.store_page("user:1", 1, theirs, lo=0, hi=None)
    # another process (an export streaming) holds a snapshot older than the forget
    other = sqlite3.connect(cache.path, isolation_level=None)
    other.execute("BEGIN")
    other.execute("SELECT count(*) FROM payments").fetchone()

    forgetting = threading.Thread(target=cache.forget, args=("user:1",))
    forgetting.start()
    forgetting.join(0.3)
    read: list[int] = []  # what the event loop does meanwhile to draw a screen
    reading = threading.Thread(target=lambda: read.append(len(cache.payments("me", 1))))
    reading.start()
    reading.join(2)  # the checkpoint held the cache's lock for the 10 s busy timeout
    forgetting.join(2)
    assert not reading.is_alive() and read == [10]
    assert not forgetting.is_alive()
    assert cache.segment("user:1", 1) is None
    assert _on_disk(cache)["wal"] > 0  # the reader's snapshot still needs the old frames

    other.execute("COMMIT")  # the export ends; its process goes on (its connection stays)
    if then == "write":
        cache.store_page("me", 1, payments(range(20, 10, -1)), lo=11, hi=None)
    else:
        cache.close()
    assert _on_disk(cache) == {"db": 0, "wal": 0}
    other.close()
