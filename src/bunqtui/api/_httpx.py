"""httpx, imported without its command-line client: ``from bunqtui.api._httpx import httpx``.

httpx's ``__init__`` imports ``httpx._main`` (the ``httpx`` command: rich, click, pygments,
~45 ms) whenever those happen to be installed, and here they are (Textual brings rich, uvicorn
brings click). bunqtui never runs that command, so the first import of httpx goes through here
with ``httpx._main`` marked missing (``None`` in ``sys.modules``, Python's own way to say a
module is unavailable): httpx then binds its stub ``main``, as it does when those packages are
not installed. The mark is removed at once, so nothing else in the process is affected.

Every bunqtui module that needs httpx imports it from here, so it does not matter which of them
comes first.
"""

from __future__ import annotations

import sys

if "httpx" not in sys.modules and "httpx._main" not in sys.modules:
    # None in sys.modules is the documented way to make an import fail; typeshed types the
    # values as ModuleType only
    sys.modules["httpx._main"] = None  # type: ignore[assignment]
    try:
        import httpx
    finally:
        if sys.modules.get("httpx._main", False) is None:
            del sys.modules["httpx._main"]

import httpx  # already imported above, unless another module did it first

__all__ = ["httpx"]
