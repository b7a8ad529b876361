"""Open a URL in a graphical browser, never in a console browser inside our own terminal.

When no GUI browser is registered (SSH, a bare console), Python's ``webbrowser`` falls back to
lynx, w3m, links…, which would run in the terminal Textual is drawing on. We refuse those and
let the user copy the URL or scan the QR code instead.
"""

from __future__ import annotations

import os
import webbrowser
from collections.abc import Callable, Iterable

CONSOLE_BROWSERS = frozenset(
    {"lynx", "w3m", "links", "links2", "elinks", "www-browser", "browsh", "netrik", "carbonyl"}
)


def _program(browser: webbrowser.BaseBrowser) -> str:
    name = getattr(browser, "name", "") or ""
    return os.path.basename(str(name).split()[0]) if name else ""


def is_console_browser(browser: webbrowser.BaseBrowser) -> bool:
    return _program(browser) in CONSOLE_BROWSERS


def _registered_names() -> list[str]:
    # webbrowser keeps its try-order private (fall back to the default browser alone);
    # get() makes it register the standard browsers first
    try:
        webbrowser.get()
    except webbrowser.Error:
        return []
    return list(getattr(webbrowser, "_tryorder", None) or [])


def pick_browser(
    names: Iterable[str] | None = None,
    lookup: Callable[[str | None], webbrowser.BaseBrowser] = webbrowser.get,
) -> webbrowser.BaseBrowser | None:
    """The first registered graphical browser, or None if only console ones exist."""
    candidates = list(names) if names is not None else _registered_names()
    if not candidates:
        try:
            candidates_found = [lookup(None)]
        except webbrowser.Error:
            return None
    else:
        candidates_found = []
        for name in candidates:
            try:
                candidates_found.append(lookup(name))
            except webbrowser.Error:
                continue
    for browser in candidates_found:
        if not is_console_browser(browser):
            return browser
    return None


def open_in_gui_browser(url: str) -> bool:
    """Blocking (a browser command may wait): call it from a thread worker. False if refused."""
    browser = pick_browser()
    if browser is None:
        return False
    return bool(browser.open(url, new=2))
