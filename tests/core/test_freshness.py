"""How fresh data is, in words (core/freshness.py: the TUI's titles and info lines)."""

from __future__ import annotations

import datetime as dt

import pytest

from bunqtui.core.freshness import age, freshness

NOW = dt.datetime(2026, 6, 15, 14, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, "just now"),
        (59, "just now"),
        (60, "1 min"),
        (3599, "59 min"),
        (3 * 3600, "3 h"),
        (47 * 3600, "47 h"),
        (3 * 86400, "3 d"),
        (-5, "just now"),
    ],
)
def test_age(seconds: int, expected: str) -> None:
    assert age(NOW - dt.timedelta(seconds=seconds), NOW) == expected


def test_freshness_says_cached_or_when(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        three_hours = NOW - dt.timedelta(hours=3)
        assert freshness(three_hours, NOW, live=False) == "cached, 3 h old"
        assert freshness(three_hours, NOW, live=True) == "updated 11:30"
        assert freshness(NOW, NOW, live=True) == "updated just now"
        assert freshness(NOW - dt.timedelta(days=2), NOW, live=True) == "updated 13 Jun 14:30"
        assert freshness(None, NOW, live=True) == "not fetched yet"
    finally:
        monkeypatch.undo()
        time.tzset()
