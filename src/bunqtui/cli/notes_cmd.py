"""`bunqtui note list|add`: the notes on a payment (shown as printable text; JSON exact)."""

from __future__ import annotations

import argparse

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
from bunqtui.core import notes as core_notes
from bunqtui.core.oneshot import OneShotSession


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("note", help="list or add notes on a payment")
    actions = p.add_subparsers(dest="note_action", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="the notes on a payment, newest first")
    _common(listing)
    listing.set_defaults(func=command(list_notes))

    adding = actions.add_parser("add", help="add a note to a payment")
    _common(adding)
    adding.add_argument("text", metavar="TEXT", help="the note")
    adding.set_defaults(func=command(add_note))


def _common(p: argparse.ArgumentParser) -> None:
    add_profile_arg(p)
    add_user_arg(p)
    p.add_argument("--account", type=id_arg, required=True, metavar="ID", help="account id")
    p.add_argument("--payment", type=id_arg, required=True, metavar="ID", help="payment id")
    p.add_argument("--json", action="store_true")


def list_notes(args: argparse.Namespace) -> int:
    with OneShotSession.open(workspace(), args.profile) as session:
        found = core_notes.list_notes(
            session, session.identity(args.user), args.account, args.payment
        )
    records = [core_notes.note_record(n) for n in found]
    if args.json:
        print_json(records)
        return EXIT_OK
    if not records:
        print("No notes on this payment.")
        return EXIT_OK
    print_table(
        ["ID", "UPDATED", "BY", "NOTE"],
        [[r["id"], (r["updated"] or "")[:19], r["creator"] or "", r["content"]] for r in records],
    )
    return EXIT_OK


def add_note(args: argparse.Namespace) -> int:
    text = core_notes.checked(args.text)  # an empty note sends nothing
    with OneShotSession.open(workspace(), args.profile) as session:
        note_id = core_notes.add_note(
            session, session.identity(args.user), args.account, args.payment, text
        )
    if args.json:
        print_json({"id": note_id})
    else:
        say(f"Note {note_id} added to payment {args.payment}.")
    return EXIT_OK
