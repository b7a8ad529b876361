"""The activity feed's core: the poll back-off as plain code, "N new since last seen" per
account, the markers kept in the cache directory (0600, damaged = absent), and a real poll on
a ProfileSession against the emulator (one GET per poll, only what is newer after the first)."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import httpx
import pytest

from bunqtui.api.events import Event
from bunqtui.core import Workspace
from bunqtui.core import events as core_events
from bunqtui.core.events import EventFeed, LastSeen, PollSchedule, unseen_counts


@pytest.fixture(autouse=True)
def _home(bunqtui_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BUNQTUI_RATE_LIMIT", "off")
    return bunqtui_home


def _event(event_id: int, account: int) -> Event:
    return Event(event_id, None, monetary_account_id=account, object_type="Payment")


def test_the_schedule_doubles_while_quiet_and_returns_to_the_floor() -> None:
    schedule = PollSchedule(floor=1.0, cap=60.0)
    quiet = [schedule.next_delay(changed=False) for _ in range(8)]
    assert quiet == [2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0]
    assert schedule.next_delay(changed=True) == 1.0
    assert schedule.next_delay(changed=False) == 2.0


def test_new_since_last_seen_per_account() -> None:
    feed = EventFeed()
    feed.add([_event(10, 1), _event(9, 2), _event(8, 1)])
    assert feed.unseen() == {}  # the first read sets the markers: no "200 new" at launch
    new = feed.add([_event(12, 1), _event(11, 2), _event(10, 1)])
    assert [e.id for e in new] == [12, 11]
    assert feed.add([_event(13, 3)])  # an account seen for the first time counts its event
    assert feed.unseen() == {1: 1, 2: 1, 3: 1}
    feed.seen_all(1)
    assert feed.unseen() == {2: 1, 3: 1}
    assert unseen_counts([_event(5, 7)], {}) == {}


def test_markers_are_private_and_a_damaged_file_is_absent(tmp_path: Path) -> None:
    store = LastSeen(tmp_path / "cache" / "me.events.json")
    assert store.get("self:1") == {}
    store.update("self:1", {100: 7, 200: 9})
    store.update("self:1", {100: 5})  # never goes back
    assert store.get("self:1") == {100: 7, 200: 9}
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    store.path.write_bytes(b"\x80not json")
    assert store.get("self:1") == {}


async def test_a_poll_is_one_get_and_then_only_newer(emulator: Any) -> None:
    ws = Workspace.load()
    await ws.setup_profile(
        "me", "api-key", base_url=emulator.base_url, options={"api_key": emulator.demo_api_key}
    )

    def gets() -> int:
        routes = httpx.get(f"{emulator.root_url}/_emulator/stats").json()["by_route"]
        return routes.get("GET /v1/user/{id}/event", 0)

    async with ws.open("me") as session:
        me = (await session.identities())[0]
        feed = EventFeed()
        before = gets()
        first = await core_events.apoll(session, me, feed)
        assert gets() == before + 1
        assert feed.events and feed.unseen() == {}
        assert first == 1.0  # something was found: next poll at the floor
        quiet = await core_events.apoll(session, me, feed)
        assert quiet == 2.0 and gets() == before + 2
        account = feed.events[0].monetary_account_id
        core_events.remember_seen(session, me, feed, account)
        marks = core_events.last_seen_store(session).get(session._cache_key(me))
        assert marks[account] == feed.events[0].id
