"""Launch the terminal UI, or with --demo the UI against the bundled emulator.

Textual is imported here lazily, so `bunqtui --help` and the headless commands stay fast.
"""

from __future__ import annotations

import argparse
import sys
import time

from bunqtui.core import CoreError


def launch_ui(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    if getattr(args, "demo", False):
        return _demo(started)
    from bunqtui.core import Workspace

    try:
        workspace = Workspace.load()
    except CoreError as exc:
        print(f"bunqtui: {exc}", file=sys.stderr)
        return 2
    from bunqtui.tui.app import BunqApp

    BunqApp(workspace, profile=getattr(args, "ui_profile", None), started=started).run()
    return 0


def _demo(started: float) -> int:
    from bunqtui.cli.demo import demo_world

    print("Starting the bunq emulator and the demo profiles…", file=sys.stderr)
    with demo_world() as (workspace, demo):
        from bunqtui.tui.app import BunqApp

        BunqApp(workspace, demo=demo, started=started).run()
    return 0
