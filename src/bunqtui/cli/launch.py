"""Launch the terminal UI (or, with --demo, the demo)."""

from __future__ import annotations

import argparse


def launch_ui(args: argparse.Namespace) -> int:
    # Until the terminal UI lands, the demo serves the emulator in the foreground.
    from bunqtui.cli.emulator_cmd import serve_from_args

    return serve_from_args(args)
