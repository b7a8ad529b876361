"""The activity feed (bunq's events), for the CLI and the TUI: rows to show, a poll that makes
one GET per poll and slows down while nothing happens, and "N new since last seen" per account.

Plain code first: :class:`PollSchedule` (the back-off) and :func:`unseen_counts` know nothing of
I/O or time; :class:`LastSeen` keeps the markers in ``<cache dir>/<profile>.events.json`` (0600,
atomic; a damaged file is as if absent). :class:`EventFeed` holds what was read so far and turns
one page into what is new; ``apoll`` reads that page on a ProfileSession (the TUI's worker sleeps
``schedule.next_delay(...)`` between polls), ``read_events`` walks back to a date for the CLI.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bunqtui.api.events import Event
from bunqtui.store.files import atomic_write, ensure_private_dir

if TYPE_CHECKING:
    from bunqtui.core.oneshot import OneShotSession
    from bunqtui.core.opened import Identity
    from bunqtui.core.session import ProfileSession

__all__ = [  # Event too: the TUI names the type without reaching into bunqtui.api
    "PAGE",
    "POLL_CAP",
    "POLL_FLOOR",
    "Event",
    "EventFeed",
    "EventRow",
    "LastSeen",
    "PollSchedule",
    "apoll",
    "event_record",
    "event_row",
    "last_seen_store",
    "read_events",
    "remember_markers",
    "remember_seen",
    "unseen_counts",
]

POLL_FLOOR = 1.0  # bunq allows 3 GETs per 3 s: one poll a second is the floor
POLL_CAP = 60.0  # a quiet feed is still looked at once a minute
PAGE = 200


@dataclass
class PollSchedule:
    """The wait before the next poll: the floor after a poll that found something, doubling
    after each quiet one up to the cap."""

    floor: float = POLL_FLOOR
    cap: float = POLL_CAP
    quiet: int = 0  # polls in a row that found nothing

    def next_delay(self, changed: bool) -> float:
        self.quiet = 0 if changed else self.quiet + 1
        return min(self.cap, self.floor * 2.0**self.quiet)


@dataclass(frozen=True)
class EventRow:
    """One line of the feed, as text from bunq (the front end makes it printable/safe)."""

    id: int
    time: dt.datetime | None
    type: str
    account_id: int | None
    amount: str
    who: str  # counterparty, and the description after it


def _amount(obj: dict[str, Any]) -> str:
    for key in ("amount", "amount_inquired"):
        value = obj.get(key)
        if isinstance(value, dict) and isinstance(value.get("value"), str):
            try:
                return f"{Decimal(value['value']):.2f} {value.get('currency') or ''}".strip()
            except ArithmeticError:
                return ""
    return ""


def _who(event: Event) -> str:
    obj = event.object
    label = obj.get("counterparty_alias")
    name = label.get("display_name") if isinstance(label, dict) else None
    text = obj.get("description")
    if event.object_type and event.object_type.startswith("Card"):
        name = obj.get("second_line") or "card"
        text = f"card {str(obj.get('status') or '').lower()}"
    parts = [p for p in (name, text) if isinstance(p, str) and p]
    return " — ".join(parts)


def event_row(event: Event) -> EventRow:
    kind = event.object_type or "Event"
    if event.object_type == "Payment" and isinstance(event.object.get("sub_type"), str):
        kind = f"Payment ({event.object['sub_type'].lower()})"
    return EventRow(
        event.id, event.created, kind, event.monetary_account_id, _amount(event.object), _who(event)
    )


def event_record(event: Event) -> dict[str, Any]:
    """The stable JSON shape of ``bunqtui events --json``; ``object`` is bunq's, exact."""
    return {
        "id": event.id,
        "created": event.created.isoformat() if event.created else None,
        "action": event.action,
        "status": event.status,
        "monetary_account_id": event.monetary_account_id,
        "type": event.object_type,
        "object": event.object,
    }


def unseen_counts(events: Iterable[Event], last_seen: dict[int, int]) -> dict[int, int]:
    """Per account: how many of ``events`` are newer than the last one seen there. An account
    with no marker counts nothing (its first sight sets the marker, see EventFeed.seen_all)."""
    counts: dict[int, int] = {}
    for event in events:
        account = event.monetary_account_id
        if account is None or account not in last_seen:
            continue
        if event.id > last_seen[account]:
            counts[account] = counts.get(account, 0) + 1
    return counts


class LastSeen:
    """The newest event id seen per account, per identity: ``{identity: {account: id}}``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, dict[str, int]]:
        try:
            data = json.loads(self.path.read_bytes())
        except (OSError, ValueError, RecursionError):
            return {}  # absent or damaged: as if nothing was seen yet
        if not isinstance(data, dict):
            return {}
        clean: dict[str, dict[str, int]] = {}
        for key, marks in data.items():
            if isinstance(key, str) and isinstance(marks, dict):
                clean[key] = {
                    str(a): i
                    for a, i in marks.items()
                    if isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**63
                }
        return clean

    def get(self, identity_key: str) -> dict[int, int]:
        marks = self._read().get(identity_key, {})
        return {int(a): i for a, i in marks.items() if a.isdigit()}

    def update(self, identity_key: str, marks: dict[int, int]) -> None:
        data = self._read()
        mine = data.setdefault(identity_key, {})
        for account, event_id in marks.items():
            mine[str(account)] = max(event_id, mine.get(str(account), 0))
        ensure_private_dir(self.path.parent)
        atomic_write(self.path, json.dumps(data, sort_keys=True).encode())


@dataclass
class EventFeed:
    """What was read so far (newest first) and the markers; one page in, what is new out."""

    last_seen: dict[int, int] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    schedule: PollSchedule = field(default_factory=PollSchedule)

    @property
    def newest_id(self) -> int | None:
        return self.events[0].id if self.events else None

    def add(self, page: Iterable[Event]) -> list[Event]:
        """Merge a page; the events not seen before, newest first. Accounts seen for the first
        time get a marker at their newest event (a first launch does not say "200 new")."""
        known = {e.id for e in self.events}
        new = sorted((e for e in page if e.id not in known), key=lambda e: e.id, reverse=True)
        first_read = not self.events
        self.events = sorted([*new, *self.events], key=lambda e: e.id, reverse=True)
        for event in self.events if first_read else new:
            account = event.monetary_account_id
            if account is not None and account not in self.last_seen:
                self.last_seen[account] = event.id if first_read else event.id - 1
        return new

    def unseen(self) -> dict[int, int]:
        return unseen_counts(self.events, self.last_seen)

    def seen_all(self, account_id: int) -> dict[int, int]:
        """Mark an account's events as seen (its view was opened); the markers to store."""
        newest = max((e.id for e in self.events if e.monetary_account_id == account_id), default=0)
        if newest:
            self.last_seen[account_id] = max(newest, self.last_seen.get(account_id, 0))
        return dict(self.last_seen)


def last_seen_store(session: ProfileSession | OneShotSession) -> LastSeen:
    cache = session.workspace.cache_path(session.profile.name)
    return LastSeen(cache.with_name(f"{session.profile.name}.events.json"))


async def apoll(session: ProfileSession, identity: Identity, feed: EventFeed) -> float:
    """One poll (1 GET: the newest page the first time, then only what is newer); merges it
    into ``feed`` and returns how long to wait before the next one."""
    client = await session._client(identity)
    if not feed.last_seen:
        feed.last_seen.update(last_seen_store(session).get(session._cache_key(identity)))
    page = await client.list_events(None, count=PAGE, newer_id=feed.newest_id)
    new = feed.add(page.items)
    return feed.schedule.next_delay(bool(new))


def remember_seen(
    session: ProfileSession | OneShotSession, identity: Identity, feed: EventFeed, account: int
) -> None:
    """The user looked at ``account``: its count goes to zero, now and at the next launch."""
    last_seen_store(session).update(session._cache_key(identity), feed.seen_all(account))


def remember_markers(
    session: ProfileSession | OneShotSession, identity: Identity, feed: EventFeed
) -> None:
    """Keep the markers a first read set, so the next launch counts what came after it."""
    if feed.last_seen:
        last_seen_store(session).update(session._cache_key(identity), dict(feed.last_seen))


def read_events(
    session: OneShotSession,
    identity: Identity,
    *,
    since: dt.datetime | None = None,
    limit: int = 50,
) -> list[Event]:
    """Newest first: the newest ``limit`` events, or (with ``since``) every event on or after
    it, one page of 200 per request."""
    client = session._client(identity)
    found: list[Event] = []
    older_id: int | None = None
    while True:
        count = PAGE if since is not None else min(PAGE, limit - len(found))
        page = client.list_events(None, count=count, older_id=older_id)
        for event in page.items:
            if older_id is not None and event.id >= older_id:
                continue  # a page must move strictly older
            if since is not None and event.created is not None and event.created < since:
                return found
            found.append(event)
            if since is None and len(found) >= limit:
                return found
        if not page.has_older or not page.items or page.older_id is None:
            return found
        if older_id is not None and page.older_id >= older_id:
            return found  # pagination that does not move older: stop, never loop
        older_id = page.older_id
