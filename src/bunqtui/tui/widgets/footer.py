"""The footer every screen shows: `?` and `q` first, then the screen's keys while they fit.

Textual's footer lists keys in binding-chain order (the app's last) and clips at the edge, so
at 80 columns `?` and `q` fell off. Here they always come first; the screen's own keys follow
in the order they are declared (their priority) and drop out from the end when the terminal
is narrow — help (`?`) lists them all. Keys that would do nothing (disabled) are left out.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Resize
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

FIRST = ("help", "quit")  # the actions shown first, at every width
PALETTE_MIN_WIDTH = 100  # the command palette's key is the first to go on narrower screens


def _width(display: str, description: str) -> int:
    return len(display) + len(description) + 3  # FooterKey's padding: " key desc "


class BunqFooter(Footer):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.shown: list[str] = []  # the actions in the footer now (for tests)

    def on_resize(self, event: Resize) -> None:
        self.call_after_refresh(self.recompose)

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        seen: set[str] = set()
        keys: list[tuple[Binding, str]] = []
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or not enabled or binding.action in seen:
                continue
            seen.add(binding.action)
            keys.append((binding, self.app.get_key_display(binding)))
        keys.sort(key=lambda k: FIRST.index(k[0].action) if k[0].action in FIRST else len(FIRST))
        width = self.size.width or self.app.size.width
        palette = self.show_command_palette and width >= PALETTE_MIN_WIDTH
        room = width - (12 if palette else 0)
        chosen: list[tuple[Binding, str]] = []
        for binding, display in keys:
            need = _width(display, binding.description)
            if binding.action in FIRST or need <= room:
                chosen.append((binding, display))
                room -= need
        self.shown = [b.action for b, _ in chosen]
        for binding, display in chosen:
            yield FooterKey(
                binding.key, display, binding.description, binding.action, tooltip=binding.tooltip
            ).data_bind(compact=Footer.compact)
        if palette and self.app.ENABLE_COMMAND_PALETTE:
            found = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
            if found is not None:
                binding = found.binding
                yield FooterKey(
                    binding.key,
                    self.app.get_key_display(binding),
                    binding.description,
                    binding.action,
                    classes="-command-palette",
                )
