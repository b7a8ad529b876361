"""`bunqtui cards` and `bunqtui card freeze|unfreeze|lost|stolen ID`: list cards, change one.

A change is shown before it is sent and asked for with a y/N prompt whose default is No;
`--yes` is for scripts; with no terminal and no `--yes`, nothing is sent (exit 2). Reporting a
card lost or stolen cannot be undone, so it asks a second time, naming the card.
"""

from __future__ import annotations

import argparse
import sys

from bunqtui.cli.common import (
    EXIT_OK,
    add_profile_arg,
    add_user_arg,
    command,
    id_arg,
    print_json,
    print_table,
    say,
    workspace,
)
from bunqtui.core import ConfigError
from bunqtui.core import cards as core_cards
from bunqtui.core.oneshot import OneShotSession

YES = ("y", "yes")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("cards", help="list cards: status, type, number, expiry, limits")
    add_profile_arg(p)
    add_user_arg(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=command(cards))

    p = subparsers.add_parser(
        "card", help="freeze or unfreeze a card, or report it lost or stolen (asks first)"
    )
    p.add_argument("action", choices=tuple(core_cards.ACTIONS), help="what to do")
    p.add_argument("card_id", type=id_arg, metavar="ID", help="the card's id (see `cards`)")
    add_profile_arg(p)
    add_user_arg(p)
    p.add_argument("--yes", "-y", action="store_true", help="do not ask (for scripts)")
    p.add_argument("--json", action="store_true", help="print the changed card as JSON")
    p.set_defaults(func=command(card))


def cards(args: argparse.Namespace) -> int:
    with OneShotSession.open(workspace(), args.profile) as session:
        found = core_cards.list_cards(session, session.identity(args.user))
    records = [core_cards.card_record(c) for c in found]
    if args.json:
        print_json(records)
        return EXIT_OK
    if not records:
        print("No cards.")
        return EXIT_OK
    print_table(
        ["ID", "STATUS", "TYPE", "NUMBER", "EXPIRES", "LIMIT", "ATM", "ACCOUNT", "LINE"],
        [
            [
                r["id"],
                r["status"] or "",
                r["product_type"] or r["type"] or "",
                r["masked_number"],
                r["expiry_date"] or "",
                _limit(r["card_limit"]),
                _limit(r["card_limit_atm"]),
                r["monetary_account_id"] or "",
                r["second_line"] or "",
            ]
            for r in records
        ],
    )
    return EXIT_OK


def _limit(amount: dict[str, str] | None) -> str:
    return f"{amount['value']} {amount['currency']}" if amount else ""


def _ask(question: str) -> bool:
    sys.stderr.write(question)
    sys.stderr.flush()
    return sys.stdin.readline().strip().lower() in YES


def confirm(question: str, second: str | None, yes: bool) -> None:
    """Go on only on an explicit yes (twice when ``second``); ConfigError otherwise: exit 2,
    nothing sent."""
    if yes:
        return
    if sys.stdin is None or not sys.stdin.isatty():
        raise ConfigError(
            "there is no terminal to confirm on, so nothing was sent",
            "pass --yes to do it from a script",
        )
    if not _ask(f"{question} [y/N] "):
        raise ConfigError("not confirmed; nothing was sent")
    if second is not None and not _ask(f"{second} [y/N] "):
        raise ConfigError("not confirmed; nothing was sent")


def card(args: argparse.Namespace) -> int:
    with OneShotSession.open(workspace(), args.profile) as session:
        identity = session.identity(args.user)
        current = core_cards.get_card(session, identity, args.card_id)
        core_cards.plan(current, args.action)  # an impossible change asks nothing
        say(core_cards.describe(current, args.action), file=sys.stderr)
        second = None
        if core_cards.needs_second_confirmation(args.action):
            word = "LOST" if args.action == "lost" else "STOLEN"
            second = f"Really block {core_cards.card_label(current)} for good as {word}?"
        confirm("Go ahead?", second, args.yes)
        changed = core_cards.change_card(session, identity, current, args.action)
    if args.json:
        print_json(core_cards.card_record(changed))
    else:
        say(f"{core_cards.card_label(changed)} is now {(changed.status or '').lower()}.")
    return EXIT_OK
