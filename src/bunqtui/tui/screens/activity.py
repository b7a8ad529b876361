"""Activity (``a`` on the accounts screen): bunq's events across accounts, newest first, kept
fresh while the view is open, and the "N new" the accounts screen shows per account.

The view polls with core's schedule: one GET per poll, at bunq's floor (1 s) after a poll that
found something, doubling to a minute while nothing happens. The poll is a worker of this
screen, so it stops when the view closes; it pauses while the view is not seen (a screen over
it, or another profile's screens shown) and goes on when it is, keeping to the schedule. The
feed (``core.events.EventFeed``) belongs to the accounts screen (:class:`AccountActivity`),
which reads it once per accounts load for its counts and shares it with the view.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Label, Static

from bunqtui.core import Identity, MonetaryAccount, ProfileSession
from bunqtui.core import events as core_events
from bunqtui.core.events import EventFeed
from bunqtui.tui.formatting import local_time
from bunqtui.tui.safe import untrusted
from bunqtui.tui.screens.base import BunqScreen
from bunqtui.tui.widgets.footer import BunqFooter
from bunqtui.tui.widgets.lists import VimDataTable
from bunqtui.tui.widgets.status import StatusBar


class AccountActivity:
    """The accounts screen's feeds, one per identity, and what is new on each account."""

    def __init__(self, session: ProfileSession) -> None:
        self.session = session
        self.feeds: dict[str, EventFeed] = {}

    def feed(self, identity: Identity) -> EventFeed:
        return self.feeds.setdefault(identity.key, EventFeed())

    async def check(self, identity: Identity) -> dict[int, int]:
        """One GET; the counts per account. A first read keeps its markers for the next
        launch, so what arrives while bunqtui is closed counts then."""
        feed = self.feed(identity)
        first = not feed.events
        await core_events.apoll(self.session, identity, feed)
        if first:
            core_events.remember_markers(self.session, identity, feed)
        return feed.unseen()

    def unseen(self, identity: Identity) -> dict[int, int]:
        feed = self.feeds.get(identity.key)
        return feed.unseen() if feed is not None else {}

    def seen(self, identity: Identity, account_id: int) -> None:
        """The user opened the account: its count goes to zero, now and next launch."""
        feed = self.feeds.get(identity.key)
        if feed is not None and feed.unseen().get(account_id):
            core_events.remember_seen(self.session, identity, feed, account_id)


def description_cell(description: str, new: int) -> Text:
    """An account's description, with "N new" after it when events arrived since last seen."""
    cell = untrusted(description)
    if new:
        cell.append(f"  {new} new", "bold")
    return cell


def account_names(accounts: list[MonetaryAccount]) -> dict[int, str]:
    return {a.id: a.description or a.iban or f"account {a.id}" for a in accounts}


class ActivityTable(VimDataTable):
    pass


class ActivityScreen(BunqScreen[None]):
    DEFAULT_CSS = """
    ActivityScreen #activity { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="activity.back"),
        Binding("r", "refresh", "Check now", id="activity.refresh"),
    ]

    def __init__(
        self,
        profile: str,
        session: ProfileSession,
        identity: Identity,
        feed: EventFeed,
        accounts: list[MonetaryAccount],
        changed: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self.profile = profile
        self.session = session
        self.identity = identity
        self.feed = feed
        self.names = account_names(accounts)
        self.changed = changed  # the accounts screen's counts follow the feed
        self.opened_at = feed.newest_id  # rows newer than this arrived while the view was open
        self.polls = 0  # GETs made by this view (tests count them against the emulator's)
        self.delays: list[float] = []  # the waits the schedule chose, in order
        self.shown = 0
        self.paused = False  # the poll was stopped because the view is not seen
        self._due = 0.0  # time.monotonic() of the next poll the schedule asked for

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        yield Label(untrusted(f"{self.identity.label} — activity"), classes="pane-title")
        yield ActivityTable(id="activity")
        yield Static("", id="activity-info", classes="hint")
        yield BunqFooter()

    def on_mount(self) -> None:
        self.query_one(StatusBar).set_where(f"{self.profile}  ·  activity")
        table = self.query_one(ActivityTable)
        table.cursor_type = "row"
        table.add_column("Time", key="time", width=16)
        table.add_column("Type", key="type", width=18)
        table.add_column("Account", key="account", width=16)
        table.add_column(Text("Amount", justify="right"), key="amount", width=14)
        table.add_column("Who / what", key="who", width=30)
        table.flexible = ("who", 12)
        table.focus()
        self.show()
        self._info("checking…")
        self.poll()

    def show(self) -> None:
        table = self.query_one(ActivityTable)
        table.clear()
        for event in self.feed.events:  # newest first
            row = core_events.event_row(event)
            fresh = self.opened_at is not None and row.id > self.opened_at
            style = "bold" if fresh else ""
            account = self.names.get(row.account_id or 0) or (
                str(row.account_id) if row.account_id else "—"
            )
            table.add_row(
                Text(local_time(row.time), style=style) if row.time else Text("—"),
                untrusted(row.type, style),
                untrusted(account, style),
                untrusted(row.amount, style, justify="right"),
                untrusted(row.who, style),  # names and descriptions other people wrote
                key=str(row.id),
            )
        table.fit_flexible_column()
        self.shown = len(self.feed.events)

    def _info(self, doing: str) -> None:
        count = len(self.feed.events)
        text = f"{count} event{'s' * (count != 1)}, newest first  ·  {doing}"
        self.query_one("#activity-info", Static).update(untrusted(text))

    @work(group="bunq-activity", exclusive=True, exit_on_error=False)
    async def poll(self, wait: float = 0.0) -> None:
        """Poll while the view is open (a screen's workers end with it), first after ``wait``."""
        if wait > 0:
            await asyncio.sleep(wait)
        while True:
            self.polls += 1
            try:
                delay = await core_events.apoll(self.session, self.identity, self.feed)
            except Exception:
                self._info("stopped after an error — r checks again")
                raise
            self.delays.append(delay)
            if len(self.feed.events) != self.shown:
                self.show()
                if self.changed is not None:
                    self.changed()
            self._info(f"next check in {delay:.0f} s")
            self._due = time.monotonic() + delay
            await asyncio.sleep(delay)

    def _polling(self) -> bool:
        return any(
            w.node is self and w.group == "bunq-activity" and not w.is_finished
            for w in self.workers
        )

    def on_screen_suspend(self) -> None:
        """Covered, or another profile shown: no GETs for a view nobody sees. A poll that
        stopped after an error stays stopped (r starts it)."""
        if self._polling():
            self.paused = True
            self.workers.cancel_group(self, "bunq-activity")

    def on_screen_resume(self) -> None:
        if self.paused:
            self.paused = False
            self.poll(max(0.0, self._due - time.monotonic()))  # when the schedule said

    def action_refresh(self) -> None:
        self.paused = False
        self.feed.schedule.quiet = 0  # the user is looking: back to the floor
        self._info("checking…")
        self.poll()  # exclusive: the waiting poll is cancelled and one starts now

    def action_back(self) -> None:
        self.workers.cancel_group(self, "bunq-activity")
        self.dismiss(None)

    def on_unmount(self) -> None:
        self.workers.cancel_group(self, "bunq-activity")
