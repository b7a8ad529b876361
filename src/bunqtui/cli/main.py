"""The `bunqtui` command: parses arguments and dispatches to one command module.

Each command module exposes `register(subparsers)`, which adds its sub-parser and sets
`func` on it; `func(args) -> int` is the exit code (0 ok, 1 bunq or network error,
2 usage or configuration error). Textual is imported only when the UI is launched.

A one-shot read (`accounts`, `user`, `users`, `payments`) is parsed by a parser that holds only
its own module's sub-parsers: the other command modules (connect's asyncio, setup's plugin
machinery) are not even imported. `ONE_SHOT` names those commands; a test keeps it equal to
what the modules register, and anything else (help, a typo) gets the full parser.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from bunqtui import __version__

# One module per group of commands; each registers its own sub-parsers.
COMMAND_MODULES = [
    "bunqtui.cli.emulator_cmd",
    "bunqtui.cli.setup_cmd",
    "bunqtui.cli.profiles_cmd",
    "bunqtui.cli.connect_cmd",
    "bunqtui.cli.data_cmd",
    "bunqtui.cli.money_cmd",
    "bunqtui.cli.cards_cmd",
    "bunqtui.cli.notes_cmd",
    "bunqtui.cli.events_cmd",
    "bunqtui.cli.statement_cmd",
    "bunqtui.cli.completion",
]
# commands run by a parser with only their own module (see above)
ONE_SHOT = {
    "users": "bunqtui.cli.data_cmd",
    "user": "bunqtui.cli.data_cmd",
    "accounts": "bunqtui.cli.data_cmd",
    "payments": "bunqtui.cli.data_cmd",
    "cards": "bunqtui.cli.cards_cmd",
    "card": "bunqtui.cli.cards_cmd",
    "note": "bunqtui.cli.notes_cmd",
    "events": "bunqtui.cli.events_cmd",
    "statement": "bunqtui.cli.statement_cmd",
}


def build_parser(modules: list[str] | None = None) -> argparse.ArgumentParser:
    """The `bunqtui` parser with the sub-commands of ``modules`` (default: all of them)."""
    parser = argparse.ArgumentParser(
        prog="bunqtui",
        description="A keyboard-first terminal client for the bunq API.",
    )
    parser.add_argument("--version", action="version", version=f"bunqtui {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="run offline against the bundled bunq emulator, in a temporary home",
    )
    parser.add_argument(
        "--profile",
        dest="ui_profile",
        help="the profile the terminal UI opens (default: the default profile)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES if modules is None else modules:
        importlib.import_module(name).register(subparsers)
    return parser


# what a shell reports for a Unix tool that a closed pipe stopped (128 + SIGPIPE)
EXIT_BROKEN_PIPE = 141


def main(argv: list[str] | None = None) -> int:
    try:
        code = _run(argv)
        sys.stdout.flush()  # here, not at exit, so a closed pipe is caught below
    except BrokenPipeError:
        # `bunqtui payments … | head -1`: the reader is gone; stop quietly as Unix tools do.
        # Python's docs: point stdout at devnull, or the flush at exit fails once more.
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    return code


def command_word(argv: list[str]) -> str | None:
    """The sub-command's name as the top-level parser finds it: the first word that is neither
    an option nor the value of ``--profile`` (or of an abbreviation argparse accepts for it)."""
    words = iter(argv)
    for word in words:
        if word == "--":
            return None  # rare enough to leave to the full parser
        if word.startswith("-"):
            if len(word) > 2 and "--profile".startswith(word):
                next(words, None)  # its value, which may look like a command
            continue
        return word
    return None


def _run(argv: list[str] | None) -> int:
    words = sys.argv[1:] if argv is None else argv
    module = ONE_SHOT.get(command_word(words) or "")
    parser = build_parser([module] if module else None)
    args = parser.parse_args(words)
    if args.command is None:
        from bunqtui.cli.launch import launch_ui

        return launch_ui(args)
    return int(args.func(args) or 0)


def _silence_stdout() -> None:
    try:
        fileno = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real file (a test's capture): nothing is flushed at exit
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fileno)
    os.close(devnull)
