"""Every binding id bunqtui defines, for validating ``[ui.keys]`` and for the docs.

``[ui.keys]`` in config.toml maps a binding id to the key(s) to use instead, e.g.
``"app.quit" = "ctrl+q"`` or ``"nav.down" = "j,ctrl+n"``.

A leaf: it imports no screen. It loads every module of ``bunqtui.tui`` by name (screens are
otherwise imported only when first shown) and walks the subclasses of Textual's ``DOMNode``
defined there, so a new screen or widget is covered without being listed anywhere — a
hand-kept list once missed ``ProfilesTable`` and refused to remap ``profiles.switch``.
"""

from __future__ import annotations

import importlib
import pkgutil

from textual.binding import Binding
from textual.dom import DOMNode

PACKAGE = "bunqtui.tui"


def _load_all() -> None:
    package = importlib.import_module(PACKAGE)
    for module in pkgutil.walk_packages(package.__path__, f"{PACKAGE}."):
        importlib.import_module(module.name)


def _subclasses(cls: type) -> list[type]:
    found: list[type] = []
    subclasses: list[type] = cls.__subclasses__()
    for sub in subclasses:
        found += [sub, *_subclasses(sub)]
    return found


def binding_classes() -> list[type[DOMNode]]:
    """Every bunqtui screen, widget and app class that declares ``BINDINGS`` of its own."""
    _load_all()
    seen: dict[str, type[DOMNode]] = {}
    for cls in _subclasses(DOMNode):
        if cls.__module__.startswith(f"{PACKAGE}.") and "BINDINGS" in cls.__dict__:
            seen.setdefault(f"{cls.__module__}.{cls.__qualname__}", cls)
    return [seen[name] for name in sorted(seen)]


def bindings() -> list[tuple[str, Binding]]:
    """(binding id, binding) for every bunqtui binding with an id, first definition wins."""
    found: dict[str, Binding] = {}
    for cls in binding_classes():
        for klass in cls.__mro__:
            for binding in klass.__dict__.get("BINDINGS", []):
                if isinstance(binding, Binding) and binding.id and binding.id not in found:
                    found[binding.id] = binding
    return sorted(found.items())


def binding_ids() -> list[str]:
    return [binding_id for binding_id, _ in bindings()]
