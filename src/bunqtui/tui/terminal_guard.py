"""Give the terminal back on SIGTERM and SIGHUP (a `kill`, a closed terminal window or SSH link).

Python's default for both ends the process at once, leaving the terminal in raw mode with echo
off and the alternate screen shown. Here the signal asks the app to exit (its driver restores
the terminal); if the app has not stopped after ``GRACE`` seconds (its event loop is stuck),
a thread restores the terminal settings saved at start and ends the process.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable

GRACE = 3.0
SIGNALS = tuple(s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s)
# leave the alternate screen, show the cursor, stop mouse reports and bracketed paste
RESET = "\x1b[?1049l\x1b[?25h\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?2004l"


def _saved_terminal() -> Callable[[], None]:
    """A function restoring stdin's terminal settings as they are now (no-op if no tty)."""
    try:
        import termios
    except ImportError:
        return lambda: None
    try:
        fd = sys.__stdin__.fileno() if sys.__stdin__ else 0
        saved = termios.tcgetattr(fd)
    except (termios.error, OSError, ValueError, AttributeError):  # termios.error: not a tty
        return lambda: None

    def restore() -> None:
        with contextlib.suppress(OSError, termios.error):
            termios.tcsetattr(fd, termios.TCSANOW, saved)

    return restore


def install(ask_to_exit: Callable[[int], None], stuck: Callable[[], bool]) -> None:
    """On SIGTERM/SIGHUP: ``ask_to_exit(signum)``; if ``stuck()`` after GRACE s, force it."""
    if threading.current_thread() is not threading.main_thread():
        return  # signal handlers can only be set from the main thread
    restore = _saved_terminal()

    def force(signum: int) -> None:
        if not stuck():
            return  # the app stopped and gave the terminal back itself; cleanup goes on
        with contextlib.suppress(OSError, ValueError):
            os.write(sys.__stdout__.fileno() if sys.__stdout__ else 1, RESET.encode())
        restore()
        os._exit(128 + signum)

    def handler(signum: int, _frame: object) -> None:
        timer = threading.Timer(GRACE, force, (signum,))
        timer.daemon = True
        timer.start()
        # the app exits from its own loop; the handler runs in the main thread between steps
        threading.Thread(target=_ask, args=(ask_to_exit, signum), daemon=True).start()

    for signum in SIGNALS:
        signal.signal(signum, handler)


def _ask(ask_to_exit: Callable[[int], None], signum: int) -> None:
    # the app may already be gone: the timer still restores the terminal
    with contextlib.suppress(Exception):
        ask_to_exit(signum)
