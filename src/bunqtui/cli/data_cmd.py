"""`bunqtui users | user | accounts | payments`: read a profile's data, as tables or JSON.

The JSON shapes are stable (documented in docs/cli.md; see bunqtui.plugins.records).

`users`, `user`, `accounts` and `payments --limit` are one-shot reads on the synchronous driver
(bunqtui.core.oneshot): no event loop is started or imported for them. `payments --all` and
`--search` sync into the cache on the asynchronous ProfileSession.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Coroutine, Iterable
from typing import TYPE_CHECKING, Any, TextIO

from bunqtui.cli.common import (
    EXIT_OK,
    add_profile_arg,
    add_user_arg,
    command,
    count_arg,
    id_arg,
    print_json,
    print_table,
    say,
    workspace,
)
from bunqtui.cli.payment_output import Formats, Reread, print_payments
from bunqtui.core import (
    ConfigError,
    Identity,
    Payment,
    QueryError,
    SyncStatus,
    account_record,
    user_record,
)
from bunqtui.core.history import latest_payments
from bunqtui.core.matches import PaymentQuery
from bunqtui.core.oneshot import OneShotSession

if TYPE_CHECKING:
    from bunqtui.core import ProfileSession
    from bunqtui.store.rows import PaymentRow

DEFAULT_LIMIT = 50
SEARCH_LIMIT = 500


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("users", help="list the users connected by OAuth")
    add_profile_arg(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=command(users))

    p = subparsers.add_parser("user", help="show a bunq user (own, or connected with --user)")
    add_profile_arg(p)
    add_user_arg(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=command(user))

    p = subparsers.add_parser("accounts", help="list monetary accounts")
    add_profile_arg(p)
    add_user_arg(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=command(accounts))

    p = subparsers.add_parser("payments", help="list an account's payments, newest first")
    add_profile_arg(p)
    add_user_arg(p)
    p.add_argument(
        "--account", type=id_arg, required=True, metavar="ID", help="monetary account id"
    )
    amount = p.add_mutually_exclusive_group()
    amount.add_argument(
        "--limit", type=count_arg, metavar="N", help=f"at most N (default {DEFAULT_LIMIT})"
    )
    amount.add_argument(
        "--all",
        action="store_true",
        help="every payment: sync the whole history into the cache (resumable), then print it",
    )
    p.add_argument("--since", metavar="DATE", help="only payments on or after DATE (UTC, ISO 8601)")
    p.add_argument(
        "--search",
        metavar="QUERY",
        help="search the cached payments (after a refresh, or the sync with --all); "
        'e.g. "albert >-50 since:2026-01-01"',
    )
    formats = Formats()
    p.add_argument(
        "--format",
        choices=formats,
        default="table",
        metavar="FORMAT",
        help="%(choices)s (exporter plugins add formats; default: table)",
    )
    p.set_defaults(func=command(payments), formats=formats)


def users(args: argparse.Namespace) -> int:
    with OneShotSession.open(workspace(), args.profile) as session:
        connected = session.env.connected_users().list()
    if args.json:
        print_json(
            [
                {
                    "id": u.local_id,
                    "display_name": u.display_name,
                    "user_api_key_id": u.user_api_key_id,
                    "granted_by_user_id": u.granted_by_user_id,
                    "created": u.created,
                }
                for u in connected
            ]
        )
        return EXIT_OK
    if not connected:
        print("No connected users yet. Connect one with `bunqtui connect`.")
        return EXIT_OK
    print_table(
        ["ID", "NAME", "USER_API_KEY", "GRANTED_BY", "CONNECTED"],
        [
            [u.local_id, u.display_name, u.user_api_key_id, u.granted_by_user_id, u.created[:19]]
            for u in connected
        ],
    )
    return EXIT_OK


def user(args: argparse.Namespace) -> int:
    with OneShotSession.open(workspace(), args.profile) as session:
        found = session.user(session.identity(args.user))
    record = user_record(found)
    granted = getattr(found, "granted_by", None)
    if granted is not None:
        record["granted_by"] = user_record(granted)
    if args.json:
        print_json(record)
        return EXIT_OK
    for key in ("id", "type", "display_name", "public_nick_name", "status"):
        say(f"{key:>16}: {record[key] if record[key] is not None else ''}")
    if granted is not None:
        say(f"{'granted_by':>16}: {granted.display_name} (user {granted.id})")
    return EXIT_OK


def accounts(args: argparse.Namespace) -> int:
    with OneShotSession.open(workspace(), args.profile) as session:
        found = session.accounts(session.identity(args.user))
    records = [account_record(a) for a in found]
    if args.json:
        print_json(records)
        return EXIT_OK
    print_table(
        ["ID", "TYPE", "DESCRIPTION", "IBAN", "BALANCE", "STATUS"],
        [
            [
                r["id"],
                r["type"].removeprefix("MonetaryAccount"),
                r["description"],
                r["iban"],
                f"{r['balance']['value']} {r['balance']['currency']}" if r["balance"] else "",
                r["status"],
            ]
            for r in records
        ],
    )
    return EXIT_OK


def parse_since(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(
            f"--since {text!r} is not a date", "use YYYY-MM-DD or an ISO 8601 time"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class SyncProgress:
    """A progress bar on stderr for a full sync: redrawn in place on a terminal, a line every
    few seconds otherwise. The fraction is how far back in time the sync has reached, from
    the newest payment to the account's opening (bunq gives no total)."""

    def __init__(
        self, stream: TextIO, account_id: int, opened: dt.datetime | None, width: int = 24
    ) -> None:
        self.stream = stream
        self.account_id = account_id
        self.opened = opened
        self.width = width
        self.tty = stream.isatty()
        self.started = time.monotonic()
        self.pages = 0
        self._last_line = 0.0

    def fraction(self, status: SyncStatus) -> float | None:
        if status.complete:
            return 1.0
        newest, oldest = status.newest_created, status.oldest_created
        if self.opened is None or newest is None or oldest is None or newest <= self.opened:
            return None
        if oldest < self.opened:
            return None  # history older than the account's opening: no honest fraction
        return min(0.99, (newest - oldest) / (newest - self.opened))

    def line(self, status: SyncStatus) -> str:
        done = self.fraction(status)
        if done is None:
            bar = ""
        else:
            filled = round(done * self.width)
            bar = f"[{'#' * filled}{'.' * (self.width - filled)}] {done:4.0%}  "
        back = (
            f" · back to {status.oldest_created.astimezone():%Y-%m-%d}"
            if status.oldest_created
            else ""
        )
        elapsed = time.monotonic() - self.started
        return (
            f"account {self.account_id}: {bar}{status.count:,} payments cached"
            f"{back} · {self.pages} requests · {elapsed:.0f} s"
        )

    def __call__(self, fetched: int, status: SyncStatus) -> None:
        self.pages += 1
        now = time.monotonic()
        if self.tty:
            self.stream.write("\r" + self.line(status) + "\x1b[K")
        elif now - self._last_line >= 5.0 or status.complete:
            self._last_line = now
            self.stream.write(self.line(status) + "\n")
        self.stream.flush()

    def finish(self, status: SyncStatus) -> None:
        state = "complete" if status.complete else "incomplete"
        end = "\r" + self.line(status) + "\x1b[K\n" if self.tty else ""
        self.stream.write(
            f"{end}synced account {self.account_id}: {status.count:,} payments ({state}), "
            f"{self.pages} requests in {time.monotonic() - self.started:.1f} s\n"
        )
        self.stream.flush()


async def sync_all(session: ProfileSession, identity: Identity, account_id: int) -> SyncStatus:
    import asyncio  # already running: only its CancelledError is needed here

    cached = session.cached_accounts(identity) or []
    opened = next((a.created for a in cached if a.id == account_id), None)
    progress = SyncProgress(sys.stderr, account_id, opened)
    try:
        status = await session.sync_payments(identity, account_id, progress)
    except asyncio.CancelledError:
        count = session.cached_payment_count(identity, account_id)
        print(
            f"\nbunqtui: sync stopped; {count:,} payments are cached, run again to resume",
            file=sys.stderr,
        )
        raise
    progress.finish(status)
    return status


def _cached(
    session: ProfileSession, identity: Identity, args: argparse.Namespace, limit: int | None
) -> Reread:
    """The account's cached payments, searched and/or from --since on, newest first: rows
    streamed from the cache (opened now, read while printing)."""
    since = parse_since(args.since)
    return Reread(
        lambda: session.cached_payment_rows(
            identity, args.account, search=args.search or None, since=since, limit=limit
        )
    )


def payments(args: argparse.Namespace) -> int | Coroutine[Any, Any, int]:
    if args.limit is not None and args.limit < 1:
        raise ConfigError("--limit must be at least 1")
    if args.all or args.search is not None:
        return _synced_payments(args)
    return _latest_payments(args)


async def _synced_payments(args: argparse.Namespace) -> int:
    """--all and --search: sync into the cache (async driver), then print from it."""
    parse_since(args.since)  # a bad date fails before any request
    async with workspace().open(args.profile) as session:
        identity = session.identity(args.user)
        if args.search is not None:
            try:  # a bad query fails before any request too
                PaymentQuery.parse(args.search)
            except QueryError as exc:
                raise ConfigError(f"--search: {exc.message}") from None
        if args.all:
            status = await sync_all(session, identity, args.account)
        else:
            await session.refresh_payments(identity, args.account)
            status = session.sync_status(identity, args.account)
            if not status.complete:
                back = status.oldest_created
                print(
                    f"bunqtui: searched the {status.count:,} cached payments"
                    + (f" back to {back.astimezone():%Y-%m-%d}" if back else "")
                    + "; add --all to fetch the whole history first",
                    file=sys.stderr,
                )
        # --all prints everything (it excludes --limit); a plain search the newest 500
        found = _cached(session, identity, args, None if args.all else args.limit or SEARCH_LIMIT)
    _print_payments(found, args.format, getattr(args, "formats", None))
    return EXIT_OK


def _latest_payments(args: argparse.Namespace) -> int:
    """The newest --limit payments, paged from bunq by core (sync driver, no event loop)."""
    since = parse_since(args.since)
    with OneShotSession.open(workspace(), args.profile) as session:
        identity = session.identity(args.user)
        found = latest_payments(
            session, identity, args.account, limit=args.limit or DEFAULT_LIMIT, since=since
        )
    _print_payments(found, args.format, getattr(args, "formats", None))
    return EXIT_OK


def _print_payments(
    found: Iterable[PaymentRow | Payment], fmt: str, formats: Formats | None = None
) -> None:
    print_payments(found, fmt, formats=formats)  # streamed: bunqtui.cli.payment_output
