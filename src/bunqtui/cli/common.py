"""What every headless command shares: running async commands, errors, exit codes, output.

Exit codes: 0 success, 1 an error from bunq or the network (bunq's own message shown), 2 a
usage or configuration error. User and API errors are one or two lines on stderr, never a
traceback; secrets are never printed (errors from bunqtui.api mask them already).
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from bunqtui.api.errors import BunqError
from bunqtui.core import CoreError, Workspace
from bunqtui.store.secrets import SecretStoreError

EXIT_OK, EXIT_BUNQ, EXIT_USAGE = 0, 1, 2

Command = Callable[[argparse.Namespace], Any]


def fail(message: str, hint: str | None = None) -> None:
    print(f"bunqtui: error: {message}", file=sys.stderr)
    if hint:
        print(f"  {hint}", file=sys.stderr)


def command(fn: Command) -> Callable[[argparse.Namespace], int]:
    """Wrap a command (sync or async) so every known failure becomes a message and exit code."""

    def run(args: argparse.Namespace) -> int:
        try:
            result = fn(args)
            if inspect.iscoroutine(result):
                result = asyncio.run(result)
            return int(result or 0)
        except CoreError as exc:
            fail(exc.message, exc.hint)
            return exc.exit_code
        except BunqError as exc:
            fail(f"bunq: {exc}")
            return EXIT_BUNQ
        except SecretStoreError as exc:
            fail(str(exc))
            return EXIT_USAGE
        except KeyboardInterrupt:
            print("bunqtui: interrupted", file=sys.stderr)
            return 130

    return run


def workspace() -> Workspace:
    return Workspace.load()


def add_profile_arg(parser: argparse.ArgumentParser, *, required: bool = False) -> None:
    parser.add_argument(
        "--profile",
        "-p",
        required=required,
        help="profile name (default: the default profile)",
    )


def add_user_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--user",
        "-u",
        type=int,
        metavar="N",
        help="local id of a connected user (default: the profile's own user)",
    )


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A plain aligned table; numbers right-aligned."""
    text_rows = [["" if v is None else str(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in text_rows:
        widths = [max(w, len(v)) for w, v in zip(widths, row, strict=True)]
    numeric = [
        all(isinstance(row[i], int | float) or _is_amount(row[i]) for row in rows) and bool(rows)
        for i in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        cells = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(cells).rstrip()

    print(line(list(headers)))
    for row in text_rows:
        print(line(row))


def _is_amount(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        float(value.split()[0])
    except (ValueError, IndexError):
        return False
    return True
