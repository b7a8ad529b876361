"""`bunqtui pay | pay-batch | request | requests | tab | drafts | scheduled`: move money, or
ask for it.

Validated before sent (bad input: exit 2, no request at all), shown before sent (the exact
from, to, amount and description on stderr, then a y/N prompt whose default is No; `--yes` for
scripts; no terminal and no `--yes`: exit 2, nothing sent), never sent twice (a lost answer is
looked up and reported; exit 1). Everything shown goes through ``printable``: a payee named
``[bold]FAKE[/bold]`` or with terminal escapes shows literally. Runs on the synchronous driver.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bunqtui.cli.common import (
    EXIT_BUNQ,
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
from bunqtui.core.errors import ConfigError
from bunqtui.core.money import (
    Confirmation,
    MoneyDesk,
    MoneyInputError,
    Outcome,
    draft_record,
    parse_amount,
    parse_description,
    parse_payee,
    request_record,
    scheduled_record,
    tab_record,
)
from bunqtui.core.money_batch import (
    MAX_FILE_BYTES,
    decode_batch,
    load_batch_file,
    parse_batch,
    pay_batch,
    plan_batch,
)
from bunqtui.core.oneshot import OneShotSession

ANSWERS_YES = ("y", "yes")


def register(subparsers: argparse._SubParsersAction) -> None:
    for name, helptext in (
        ("pay", "pay someone (an IBAN, e-mail or phone), after showing what will be sent"),
        ("request", "ask someone for money (an IBAN, e-mail or phone)"),
    ):
        p = subparsers.add_parser(name, help=helptext)
        add_profile_arg(p)
        add_user_arg(p)
        p.add_argument("--from", dest="account", type=id_arg, required=True, metavar="ACCOUNT_ID")
        p.add_argument("--to", required=True, metavar="IBAN|EMAIL|PHONE")
        p.add_argument("--name", help="the payee's name (required for an IBAN)")
        p.add_argument("--amount", required=True, metavar="AMOUNT", help="e.g. 12.50")
        p.add_argument("--description", required=True, metavar="TEXT")
        add_confirm_args(p)
        p.set_defaults(func=command(pay if name == "pay" else request))

    p = subparsers.add_parser(
        "pay-batch",
        help="pay several at once from a CSV file (to,name,amount,description): all or none",
    )
    add_profile_arg(p)
    add_user_arg(p)
    p.add_argument("--from", dest="account", type=id_arg, required=True, metavar="ACCOUNT_ID")
    p.add_argument(
        "--file",
        required=True,
        metavar="FILE",
        help="CSV with the header to,name,amount,description; - reads standard input",
    )
    add_confirm_args(p)
    p.set_defaults(func=command(pay_batch_command))

    p = subparsers.add_parser(
        "requests", help="list requests for money (incoming and sent); accept or reject one"
    )
    p.add_argument("action", nargs="?", choices=("accept", "reject"))
    p.add_argument("id", nargs="?", type=id_arg, metavar="ID", help="the incoming request's id")
    add_profile_arg(p)
    add_user_arg(p)
    add_account_arg(p)
    add_confirm_args(p)
    p.set_defaults(func=command(requests))

    p = subparsers.add_parser("tab", help="make a bunq.me link anyone can pay")
    add_profile_arg(p)
    add_user_arg(p)
    add_account_arg(p)
    p.add_argument("--amount", required=True, metavar="AMOUNT")
    p.add_argument("--description", required=True, metavar="TEXT")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=command(tab))

    p = subparsers.add_parser("drafts", help="list draft payments and whether they are approved")
    add_profile_arg(p)
    add_user_arg(p)
    add_account_arg(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=command(drafts))

    p = subparsers.add_parser("scheduled", help="list scheduled payments; cancel one")
    p.add_argument("action", nargs="?", choices=("cancel",))
    p.add_argument("id", nargs="?", type=id_arg, metavar="ID")
    add_profile_arg(p)
    add_user_arg(p)
    add_account_arg(p)
    add_confirm_args(p)
    p.set_defaults(func=command(scheduled))


def add_account_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--account", type=id_arg, required=True, metavar="ID", help="account id")


def add_confirm_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--yes", "-y", action="store_true", help="do not ask (for scripts)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


# --- confirming ------------------------------------------------------------------------------


def ask(prompt: str) -> str:
    """One answer from the terminal ('' at end of input)."""
    sys.stderr.write(prompt)
    sys.stderr.flush()
    return sys.stdin.readline()


def confirm(confirmation: Confirmation, yes: bool) -> None:
    """Show exactly what will happen; go on only on an explicit yes (ConfigError otherwise:
    exit 2, nothing sent)."""
    for line in confirmation.text():
        say(line, file=sys.stderr)
    if yes:
        return
    if not sys.stdin.isatty():
        raise ConfigError(
            "there is no terminal to confirm on, so nothing was sent",
            "check the lines above and pass --yes to send it from a script",
        )
    if ask(f"{confirmation.question} [y/N] ").strip().lower() not in ANSWERS_YES:
        raise ConfigError("not confirmed; nothing was sent")


def report(outcome: Outcome, as_json: bool) -> int:
    if as_json:
        print_json(outcome.record)
        if outcome.looked_up:
            say(f"bunqtui: {outcome.message}", file=sys.stderr)
        elif outcome.note:  # done, but what the views show is behind
            say(f"bunqtui:{outcome.note}", file=sys.stderr)
    elif outcome.looked_up:
        say(f"bunqtui: {outcome.message}", file=sys.stderr)
    else:
        say(outcome.message)
    return EXIT_OK if outcome.went_through and not outcome.looked_up else EXIT_BUNQ


# --- commands ------------------------------------------------------------------------------------


def pay(args: argparse.Namespace) -> int:
    # every check that needs no request comes first: a mistake sends nothing at all
    payee = parse_payee(args.to, args.name)
    amount = parse_amount(args.amount)
    description = parse_description(args.description)
    with OneShotSession.open(workspace(), args.profile) as session:
        desk = MoneyDesk(session)
        plan = desk.plan_payment(
            session.identity(args.user), args.account, payee, amount, description
        )
        confirm(plan.confirmation, args.yes)
        return report(desk.pay(plan), args.json)


def read_batch(source: str) -> str:
    """The batch file's text (``-``: standard input, read whole before anything else)."""
    if source != "-":
        return load_batch_file(Path(source))
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is not None:
        return decode_batch(buffer.read(MAX_FILE_BYTES + 1), "standard input")
    text = sys.stdin.read(MAX_FILE_BYTES + 1)  # a text stream: counted in characters
    if len(text) > MAX_FILE_BYTES:
        raise MoneyInputError(f"standard input is larger than {MAX_FILE_BYTES} bytes: not a batch")
    return text


def pay_batch_command(args: argparse.Namespace) -> int:
    # every row is checked before the profile is even opened: a bad row sends nothing at all
    entries = parse_batch(read_batch(args.file))
    with OneShotSession.open(workspace(), args.profile) as session:
        desk = MoneyDesk(session)
        plan = plan_batch(desk, session.identity(args.user), args.account, entries)
        confirm(plan.confirmation, args.yes)
        return report(pay_batch(desk, plan), args.json)


def request(args: argparse.Namespace) -> int:
    payee = parse_payee(args.to, args.name)
    amount = parse_amount(args.amount)
    description = parse_description(args.description)
    with OneShotSession.open(workspace(), args.profile) as session:
        desk = MoneyDesk(session)
        plan = desk.plan_request(
            session.identity(args.user), args.account, payee, amount, description
        )
        confirm(plan.confirmation, args.yes)
        return report(desk.request(plan), args.json)


def _needs_id(args: argparse.Namespace, command_name: str) -> None:
    if (args.action is None) != (args.id is None):
        raise ConfigError(
            f"`{command_name} {args.action or 'ID'}` needs both an action and an id",
            f"e.g. bunqtui {command_name} {args.action or 'accept'} 12 --account …",
        )


def requests(args: argparse.Namespace) -> int:
    _needs_id(args, "requests")
    with OneShotSession.open(workspace(), args.profile) as session:
        desk = MoneyDesk(session)
        identity = session.identity(args.user)
        if args.action is not None:
            plan = desk.plan_answer(identity, args.account, args.id, accept=args.action == "accept")
            confirm(plan.confirmation, args.yes)
            return report(desk.answer(plan), args.json)
        incoming, sent = desk.requests(identity, args.account)
    records_in = [request_record(r, "request-response") for r in incoming]
    records_out = [request_record(r, "request-inquiry") for r in sent]
    if args.json:
        print_json({"incoming": records_in, "sent": records_out})
        return EXIT_OK
    if not records_in and not records_out:
        print("No requests for money on this account.")
        return EXIT_OK
    rows = [_request_row("in", r) for r in records_in if r["status"] == "PENDING"] + [
        _request_row("in", r) for r in records_in if r["status"] != "PENDING"
    ]
    rows += [_request_row("out", r) for r in records_out]
    print_table(["ID", "DIRECTION", "STATUS", "AMOUNT", "WHO", "DESCRIPTION", "CREATED"], rows)
    return EXIT_OK


def _amount_text(record: dict[str, Any]) -> str:
    amount = record.get("amount")
    return f"{amount['value']} {amount['currency']}" if amount else ""


def _who(record: dict[str, Any]) -> str:
    counterparty = record.get("counterparty") or {}
    return counterparty.get("name") or counterparty.get("iban") or ""


def _request_row(direction: str, record: dict[str, Any]) -> list[Any]:
    return [
        record["id"],
        direction,
        record["status"] or "",
        _amount_text(record),
        _who(record),
        record["description"] or "",
        (record["created"] or "")[:16],
    ]


def tab(args: argparse.Namespace) -> int:
    amount = parse_amount(args.amount)
    description = parse_description(args.description)
    with OneShotSession.open(workspace(), args.profile) as session:
        created = MoneyDesk(session).create_tab(
            session.identity(args.user), args.account, amount, description
        )
    record = tab_record(created)
    if args.json:
        print_json(record)
        return EXIT_OK
    say(f"bunq.me link {record['id']} ({record['status']}): {_amount_text(record)}")
    say(record["share_url"] or "(bunq gave no link)")
    return EXIT_OK


def drafts(args: argparse.Namespace) -> int:
    with OneShotSession.open(workspace(), args.profile) as session:
        found = MoneyDesk(session).drafts(session.identity(args.user), args.account)
    records = [draft_record(d) for d in found]
    if args.json:
        print_json(records)
        return EXIT_OK
    if not records:
        print("No draft payments on this account.")
        return EXIT_OK
    rows = []
    for record in records:
        entry = record["entries"][0] if record["entries"] else {}
        rows.append(
            [
                record["id"],
                record["status"] or "",
                _amount_text(entry),
                _who(entry),
                entry.get("description") or "",
            ]
        )
    print_table(["ID", "STATUS", "AMOUNT", "TO", "DESCRIPTION"], rows)
    return EXIT_OK


def scheduled(args: argparse.Namespace) -> int:
    _needs_id(args, "scheduled")
    with OneShotSession.open(workspace(), args.profile) as session:
        desk = MoneyDesk(session)
        identity = session.identity(args.user)
        found = desk.scheduled(identity, args.account)
        if args.action == "cancel":
            match = next((s for s in found if s.id == args.id), None)
            if match is None:
                raise ConfigError(f"there is no scheduled payment {args.id} on this account")
            record = scheduled_record(match)
            confirm(
                Confirmation(
                    "Cancel a scheduled payment: it will not be paid again",
                    (
                        ("to", _who(record)),
                        ("amount", _amount_text(record)),
                        ("every", record["recurrence"]),
                        ("description", record["description"] or ""),
                    ),
                    question="Cancel it?",
                ),
                args.yes,
            )
            desk.cancel_scheduled(identity, args.account, args.id)
            record["status"] = "CANCELLED"
            if args.json:
                print_json(record)
            else:
                say(f"Cancelled scheduled payment {args.id}.")
            return EXIT_OK
    records = [scheduled_record(s) for s in found]
    if args.json:
        print_json(records)
        return EXIT_OK
    if not records:
        print("No scheduled payments on this account.")
        return EXIT_OK
    print_table(
        ["ID", "STATUS", "AMOUNT", "TO", "EVERY", "DESCRIPTION"],
        [
            [
                r["id"],
                r["status"] or "",
                _amount_text(r),
                _who(r),
                r["recurrence"],
                r["description"] or "",
            ]
            for r in records
        ],
    )
    return EXIT_OK
