"""`bunqtui users | user | accounts | payments`: read a profile's data, as tables or JSON.

The JSON shapes are stable (documented in docs/cli.md; see bunqtui.plugins.records).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from bunqtui.cli.common import (
    EXIT_OK,
    add_profile_arg,
    add_user_arg,
    command,
    print_json,
    print_table,
    workspace,
)
from bunqtui.core import ConfigError, Payment, account_record, payment_record, user_record
from bunqtui.plugins.exporters import CsvExporter

DEFAULT_LIMIT = 50
PAGE = 200


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
    p.add_argument("--account", type=int, required=True, metavar="ID", help="monetary account id")
    amount = p.add_mutually_exclusive_group()
    amount.add_argument(
        "--limit", type=int, metavar="N", help=f"at most N (default {DEFAULT_LIMIT})"
    )
    amount.add_argument("--all", action="store_true", help="every payment")
    p.add_argument("--since", metavar="DATE", help="only payments on or after DATE (UTC, ISO 8601)")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.set_defaults(func=command(payments))


async def users(args: argparse.Namespace) -> int:
    async with workspace().open(args.profile) as session:
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


async def user(args: argparse.Namespace) -> int:
    async with workspace().open(args.profile) as session:
        found = await session.user(session.identity(args.user))
    record = user_record(found)
    granted = getattr(found, "granted_by", None)
    if granted is not None:
        record["granted_by"] = user_record(granted)
    if args.json:
        print_json(record)
        return EXIT_OK
    for key in ("id", "type", "display_name", "public_nick_name", "status"):
        print(f"{key:>16}: {record[key] if record[key] is not None else ''}")
    if granted is not None:
        print(f"{'granted_by':>16}: {granted.display_name} (user {granted.id})")
    return EXIT_OK


async def accounts(args: argparse.Namespace) -> int:
    async with workspace().open(args.profile) as session:
        found = await session.accounts(session.identity(args.user))
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


async def payments(args: argparse.Namespace) -> int:
    if args.limit is not None and args.limit < 1:
        raise ConfigError("--limit must be at least 1")
    limit = None if args.all else (args.limit or DEFAULT_LIMIT)
    since = parse_since(args.since)
    found: list[Payment] = []
    async with workspace().open(args.profile) as session:
        identity = session.identity(args.user)
        older_id = None
        while True:
            count = PAGE if limit is None else min(PAGE, limit - len(found))
            page = await session.payments(identity, args.account, older_id=older_id, count=count)
            done = False
            for p in page.items:
                if since is not None and p.created is not None and p.created < since:
                    done = True  # newest first: everything after this is older
                    break
                found.append(p)
            if limit is not None and len(found) >= limit:
                break
            if done or page.older_id is None or not page.items:
                break
            older_id = page.older_id
    if args.format == "json":
        print_json([payment_record(p) for p in found])
    elif args.format == "csv":
        CsvExporter().write(found, sys.stdout)
    else:
        rows = []
        for p in found:
            r = payment_record(p)
            rows.append(
                [
                    r["id"],
                    (p.created.astimezone().strftime("%Y-%m-%d %H:%M") if p.created else ""),
                    f"{r['amount']['value']} {r['amount']['currency']}",
                    r["counterparty"]["name"],
                    (r["description"] or "")[:40],
                ]
            )
        print_table(["ID", "DATE", "AMOUNT", "COUNTERPARTY", "DESCRIPTION"], rows)
    return EXIT_OK
