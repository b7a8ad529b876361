"""Learnt rate limits are kept per API origin in a private file, merged rather than overwritten,
and read back as untrusted: anything malformed, out of bounds, too old or from the future is
skipped, and a damaged file is as good as none."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path

import pytest

from bunqtui.api.ratelimit import Limit
from bunqtui.store.ratelimits import MAX_AGE, RateLimitStore, store_for

ORIGIN = "https://api.bunq.com"
PAYMENTS = "/v1/user/{id}/monetary-account/{id}/payment"
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def store(path: Path, origin: str = ORIGIN, now: dt.datetime = NOW) -> RateLimitStore:
    return RateLimitStore(path, origin, clock=lambda: now)


def test_what_is_remembered_is_loaded_for_its_origin_only(tmp_path: Path) -> None:
    path = tmp_path / "data" / "cache" / "rate-limits.json"
    store(path).remember("GET", PAYMENTS, Limit(70, 30.0))
    store(path, "http://127.0.0.1:8000").remember("GET", PAYMENTS, Limit(2, 3.0))
    store(path).remember("PUT", "/v1/user/{id}", Limit(4, 3.0))  # added, not overwritten
    assert store(path).load() == {
        ("GET", PAYMENTS): Limit(70, 30.0),
        ("PUT", "/v1/user/{id}"): Limit(4, 3.0),
    }
    assert store(path, "http://127.0.0.1:8000").load() == {("GET", PAYMENTS): Limit(2, 3.0)}
    assert store(path, "https://elsewhere.example").load() == {}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert store_for(tmp_path / "data", ORIGIN).load() == store(path).load()


def test_old_limits_are_looked_for_again(tmp_path: Path) -> None:
    path = tmp_path / "rate-limits.json"
    too_old = NOW - MAX_AGE - dt.timedelta(minutes=1)
    store(path, now=too_old).remember("GET", PAYMENTS, Limit(70, 30.0))
    store(path, now=NOW + dt.timedelta(days=3)).remember("GET", "/v1/user", Limit(9, 3.0))
    assert store(path).load() == {}


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not json",
        b"[]",
        b"\xff\xfe",
        b"[" * 50_000,
        json.dumps({"format": "something-else", "version": 1, "hosts": {}}).encode(),
        json.dumps({"format": "bunqtui-rate-limits", "version": 2, "hosts": {}}).encode(),
        json.dumps({"format": "bunqtui-rate-limits", "version": 1, "hosts": []}).encode(),
        json.dumps({"format": "bunqtui-rate-limits", "version": 1, "hosts": {ORIGIN: []}}).encode(),
        b" " * (1024 * 1024 + 1),
    ],
)
def test_a_damaged_file_is_as_good_as_none(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "rate-limits.json"
    path.write_bytes(content)
    assert store(path).load() == {}
    store(path).remember("GET", PAYMENTS, Limit(3, 3.0))  # and is replaced by a good one
    assert store(path).load() == {("GET", PAYMENTS): Limit(3, 3.0)}


def test_entries_that_make_no_sense_are_skipped(tmp_path: Path) -> None:
    learned = NOW.isoformat()
    entries = {
        f"GET {PAYMENTS}": {"calls": 70, "seconds": 30, "learned": learned},
        "GET /v1/user": {"calls": 0, "seconds": 3, "learned": learned},
        "GET /v1/user/{id}": {"calls": 3, "seconds": 7200, "learned": learned},
        "PUT /v1/user/{id}": {"calls": True, "seconds": 3, "learned": learned},
        "POST /v1/x": {"calls": 3, "seconds": 3, "learned": "yesterday"},
        "POST /v1/y": {"calls": 3, "seconds": 3, "learned": "2026-12-01T12:00:00"},  # no zone
        "POST /v1/z": {"calls": 3, "seconds": 3},
        "PATCH /v1/user": {"calls": 3, "seconds": 3, "learned": learned},
        "GET /v1/user\x1b[31m": {"calls": 3, "seconds": 3, "learned": learned},
        "GET v1/user": {"calls": 3, "seconds": 3, "learned": learned},
        "GET /v1/list": [3, 3],
    }
    path = tmp_path / "rate-limits.json"
    document = {"format": "bunqtui-rate-limits", "version": 1, "hosts": {ORIGIN: entries}}
    path.write_text(json.dumps(document))
    assert store(path).load() == {("GET", PAYMENTS): Limit(70, 30.0)}


def test_a_file_that_cannot_be_written_costs_nothing_but_the_memory(tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the directory should be")
    store(blocked / "cache" / "rate-limits.json").remember("GET", PAYMENTS, Limit(3, 3.0))
    assert blocked.read_text() == "a file where the directory should be"
