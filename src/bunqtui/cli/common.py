"""What every headless command shares: running commands, errors, exit codes, output.

A command is a plain function or a coroutine function. One-shot reads are plain functions on
the synchronous driver (bunqtui.core.oneshot) and never load asyncio; only a command that
returns a coroutine gets an event loop (``asyncio.run``), imported then.

Exit codes: 0 success, 1 an error from bunq or the network (bunq's own message shown), 2 a
usage or configuration error. User and API errors are one or two lines on stderr, never a
traceback; secrets are never printed (errors from bunqtui.api mask them already).
"""

from __future__ import annotations

import argparse
import inspect
import sys
from collections.abc import Callable, Sequence
from typing import Any

from bunqtui.api.errors import BunqError
from bunqtui.core import CoreError, Workspace
from bunqtui.core.notices import take_notices
from bunqtui.core.recovery import profile_hint
from bunqtui.store.secrets import SecretStoreError
from bunqtui.untrusted import cell_width, json_text, printable

EXIT_OK, EXIT_BUNQ, EXIT_USAGE = 0, 1, 2
# bunq's ids are signed 64-bit; SQLite and the API take nothing larger
MAX_ID = 2**63 - 1

Command = Callable[[argparse.Namespace], Any]


def say(*parts: object, file: Any = None) -> None:
    """One line for a person (stdout, or ``file``): text from bunq, config or other people in
    it is shown literally, never as terminal escapes."""
    print(printable(" ".join(str(p) for p in parts)), file=file or sys.stdout)


def fail(message: str, hint: str | None = None) -> None:
    # bunq's error texts and names from config are untrusted: shown, never acted on
    say(f"bunqtui: error: {message}", file=sys.stderr)
    if hint:
        say(f"  {hint}", file=sys.stderr)


def bounded_int(low: int, high: int = MAX_ID, what: str = "a number") -> Callable[[str], int]:
    """An argparse ``type``: an integer in low..high, else a usage error (exit 2) that says so,
    instead of an OverflowError deep inside SQLite or the API."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip(), 10)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{what} must be between {low} and {high}")
        return value

    parse.__name__ = what  # argparse names the type in its message
    return parse


# bunq ids (accounts, payments, users) and local ids of connected users
id_arg = bounded_int(1, MAX_ID, "an id")
count_arg = bounded_int(1, MAX_ID, "a count")


def command(fn: Command) -> Callable[[argparse.Namespace], int]:
    """Wrap a command (sync or async) so every known failure becomes a message and exit code."""

    def run(args: argparse.Namespace) -> int:
        try:
            result = fn(args)
            if inspect.iscoroutine(result):
                import asyncio  # only for the commands that need an event loop

                result = asyncio.run(result)
            return int(result or 0)
        except CoreError as exc:
            fail(exc.message, exc.hint)
            return exc.exit_code
        except BunqError as exc:
            # a login bunq forgot (sandbox reset): name the exact setup command that repairs it
            fail(f"bunq: {exc}", profile_hint(exc, getattr(args, "profile", None)) or None)
            return EXIT_BUNQ
        except SecretStoreError as exc:
            fail(exc.message, exc.hint)
            return EXIT_USAGE
        except KeyboardInterrupt:
            print("bunqtui: interrupted", file=sys.stderr)
            return 130
        finally:
            # what core queued while the command ran (e.g. a damaged cache moved aside)
            for notice in take_notices():
                say(f"bunqtui: note: {notice}", file=sys.stderr)

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
        type=id_arg,
        metavar="N",
        help="local id of a connected user (default: the profile's own user)",
    )


def print_json(data: Any) -> None:
    # exact strings; what a terminal would act on is \u-escaped (JSON reads it back the same)
    sys.stdout.write(json_text(data) + "\n")


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A plain aligned table; numbers right-aligned. Cells are one line each, with control
    characters and escapes written out; widths are terminal columns of that printable text."""
    text_rows = [[printable(v) for v in row] for row in rows]
    widths = [cell_width(h) for h in headers]
    for row in text_rows:
        widths = [max(w, cell_width(v)) for w, v in zip(widths, row, strict=True)]
    numeric = [
        all(isinstance(row[i], int | float) or _is_amount(row[i]) for row in rows) and bool(rows)
        for i in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        cells = []
        for v, w, num in zip(values, widths, numeric, strict=True):
            pad = " " * (w - cell_width(v))
            cells.append(pad + v if num else v + pad)
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
