"""Launch the terminal UI, or with --demo the UI against the bundled emulator.

Textual is imported here lazily, so `bunqtui --help` and the headless commands stay fast.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import TextIO

from bunqtui.cli.common import fail
from bunqtui.core import CoreError


def launch_ui(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    if getattr(args, "demo", False):
        return _demo(started)
    from bunqtui.core import Workspace

    try:
        workspace = Workspace.load()
    except CoreError as exc:
        fail(exc.message, exc.hint)  # a config value quoted in it is shown literally
        return exc.exit_code
    wanted = getattr(args, "ui_profile", None)
    names = [p.name for p in workspace.profiles()]
    if wanted and wanted not in names:
        known = ", ".join(names) or "none yet"
        fail(f"there is no profile {wanted!r} (profiles: {known})")
        return 2
    if not _on_a_terminal():
        return 2
    from bunqtui.tui.app import BunqApp

    app = BunqApp(workspace, profile=wanted, started=started)
    app.run()
    return app.return_code or 0


def _on_a_terminal() -> bool:
    """The UI draws on stdout and reads keys from stdin: both must be a terminal."""
    if _is_tty(sys.stdin) and _is_tty(sys.stdout):
        return True
    fail(
        "the terminal UI needs a terminal on stdin and stdout",
        "run it in a terminal, or use the headless commands (bunqtui --help)",
    )
    return False


def _is_tty(stream: TextIO | None) -> bool:
    """A stream may be None (a descriptor closed at start: `bunqtui <&-`) or closed."""
    if stream is None:
        return False
    try:
        return stream.isatty()
    except (ValueError, OSError):
        return False


def _demo(started: float) -> int:
    if not _on_a_terminal():
        return 2
    from bunqtui.cli.demo import demo_world

    print("Starting the bunq emulator and the demo profiles…", file=sys.stderr)
    with demo_world() as (workspace, demo):
        from bunqtui.tui.app import BunqApp

        app = BunqApp(workspace, demo=demo, started=started)
        app.run()
    return app.return_code or 0
