"""`bunqtui events [--json] [--since DATE]`: the activity feed across accounts, newest first
(payments, requests, card changes). Table cells are printable text; JSON keeps bunq's exact."""

from __future__ import annotations

import argparse

from bunqtui.cli.common import (
    EXIT_OK,
    add_profile_arg,
    add_user_arg,
    command,
    count_arg,
    print_json,
    print_table,
    workspace,
)
from bunqtui.cli.data_cmd import parse_since
from bunqtui.core import events as core_events
from bunqtui.core.oneshot import OneShotSession

DEFAULT_LIMIT = 50


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("events", help="recent activity across accounts, newest first")
    add_profile_arg(p)
    add_user_arg(p)
    p.add_argument("--since", metavar="DATE", help="every event on or after DATE (UTC)")
    p.add_argument(
        "--limit", type=count_arg, metavar="N", help=f"at most N (default {DEFAULT_LIMIT})"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=command(events))


def events(args: argparse.Namespace) -> int:
    since = parse_since(args.since)
    limit = args.limit or DEFAULT_LIMIT
    with OneShotSession.open(workspace(), args.profile) as session:
        found = core_events.read_events(
            session, session.identity(args.user), since=since, limit=limit
        )
    if since is not None and args.limit:
        found = found[: args.limit]
    if args.json:
        print_json([core_events.event_record(e) for e in found])
        return EXIT_OK
    if not found:
        print("No activity." if since is None else "No activity since then.")
        return EXIT_OK
    rows = [core_events.event_row(e) for e in found]
    print_table(
        ["TIME", "TYPE", "ACCOUNT", "AMOUNT", "WHO / WHAT"],
        [
            [
                r.time.astimezone().strftime("%Y-%m-%d %H:%M") if r.time else "",
                r.type,
                r.account_id or "",
                r.amount,
                r.who,
            ]
            for r in rows
        ],
    )
    return EXIT_OK
