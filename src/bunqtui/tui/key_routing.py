"""Keys follow focus: a key typed right after one that moves focus goes where focus went.

Textual's app hands each key to the widget focused *when the app reads it*; that widget
handles it later, in its own queue. Typed fast, pasted, or sent by tmux in one burst,
`/coffee` reached the payments table whole before the table had handled `/` (which focuses
the filter box): `coffee` stayed with the table, bubbled back up unhandled and was matched
against the bindings of the new focus — lost, or worse, `e` opened the export dialog. So the
app remembers where it sent each key and paste; one that comes back up unhandled from a widget
that has lost focus meanwhile is sent on to the focused widget, in the order it was typed.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from textual import events
from textual.dom import DOMNode
from textual.widget import Widget

Routed = events.Key | events.Paste


class KeyRouter:
    def __init__(self) -> None:
        self._sent_to: WeakKeyDictionary[events.Event, DOMNode] = WeakKeyDictionary()

    def sent(self, event: Routed, target: DOMNode) -> None:
        """The app is about to hand ``event`` to ``target`` (the focus, or the screen)."""
        self._sent_to[event] = target

    def is_stale(self, event: Routed, focused: Widget | None) -> bool:
        """``event`` went to a node that no longer has the focus, and another one has it."""
        target = self._sent_to.get(event)
        return target is not None and focused is not None and target is not focused

    def send_on(self, event: Routed, focused: Widget) -> None:
        """Hand a copy of ``event`` to the focused widget, as if it had been typed there."""
        copy: Routed = (
            events.Key(event.key, event.character)
            if isinstance(event, events.Key)
            else events.Paste(event.text)
        )
        self._sent_to[copy] = focused
        focused._forward_event(copy)

    def reroute(self, event: Routed, focused: Widget | None) -> bool:
        """Send a stale key on to the focus; True when it did (the caller stops handling it)."""
        if focused is None or not self.is_stale(event, focused):
            return False
        event.prevent_default()  # no binding, no default handler of the old target's chain
        event.stop()
        self.send_on(event, focused)
        return True
