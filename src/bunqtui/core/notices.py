"""Things a person should know that are not errors (a damaged cache was rebuilt, …).

Core cannot print (in the TUI that would tear the screen), so it queues a one-line notice
here; the CLI prints what ``take_notices()`` returns after a command, the TUI shows each as a
toast. Process-wide and thread-safe: TUI workers may add notices from threads.
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_pending: list[str] = []


def add_notice(message: str) -> None:
    with _lock:
        _pending.append(message)


def take_notices() -> list[str]:
    """The notices queued since the last call, oldest first (each is returned once)."""
    with _lock:
        found = list(_pending)
        _pending.clear()
    return found
