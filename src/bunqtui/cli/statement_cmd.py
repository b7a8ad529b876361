"""`bunqtui statement --account ID --from DATE --to DATE --format mt940|csv|pdf -o FILE`:
bunq's statement export, written to FILE (0600, atomically). Progress goes to stderr; the
file's content is never printed."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from bunqtui.cli.common import (
    EXIT_OK,
    add_profile_arg,
    add_user_arg,
    command,
    id_arg,
    say,
    workspace,
)
from bunqtui.core import ConfigError
from bunqtui.core import statements as core_statements
from bunqtui.core.oneshot import OneShotSession


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("statement", help="export an account statement (MT940, CSV, PDF)")
    add_profile_arg(p)
    add_user_arg(p)
    p.add_argument("--account", type=id_arg, required=True, metavar="ID", help="account id")
    p.add_argument("--from", dest="start", required=True, metavar="DATE", help="first day")
    p.add_argument("--to", dest="end", required=True, metavar="DATE", help="last day")
    p.add_argument("--format", choices=("mt940", "csv", "pdf"), default="mt940")
    p.add_argument(
        "--regional-format",
        choices=("uk_us", "european"),
        default="uk_us",
        help="CSV only: commas and a decimal point (uk_us) or semicolons and a comma",
    )
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="where to write it")
    p.add_argument(
        "--raw",
        action="store_true",
        help="CSV only: keep bunq's bytes (text cells that start like a formula are not defused)",
    )
    p.set_defaults(func=command(statement))


def _date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{option} {text!r} is not a date", "use YYYY-MM-DD") from None


def statement(args: argparse.Namespace) -> int:
    start, end = _date(args.start, "--from"), _date(args.end, "--to")
    fmt = args.format.upper()
    regional = args.regional_format.upper() if fmt == "CSV" else None
    core_statements.check_request(fmt, start, end, regional)  # a mistake sends nothing
    path = Path(args.output)

    def progress(status: str) -> None:
        say(f"bunqtui: statement {status.lower() or 'unknown'}…", file=sys.stderr)

    with OneShotSession.open(workspace(), args.profile) as session:
        size = core_statements.export_statement(
            session,
            session.identity(args.user),
            args.account,
            fmt,
            start,
            end,
            path,
            regional_format=regional,
            progress=progress,
            raw=args.raw,
        )
    say(f"bunqtui: wrote {size} bytes to {path}", file=sys.stderr)
    return EXIT_OK
