"""A query box whose keys stay in order when typed fast (see tui/key_routing.py).

Input inserts every printable key it is handed, and Enter reaches its binding only after
bubbling up to the app — by then the box had already inserted the keys typed after Enter:
`coffee⏎jj` put `jj` in the filter instead of moving the table's cursor. Here Enter moves the
focus at once (to ``submit_to``) before the box submits, and keys the box is handed after it
lost the focus go on to the focused widget.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.widgets import Input

from bunqtui.tui.key_routing import KeyRouter


class QueryInput(Input):
    def __init__(self, *, submit_to: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.submit_to = submit_to  # a selector on this screen: the focus after Enter

    def _router(self) -> KeyRouter | None:
        router = getattr(self.app, "key_router", None)
        return router if isinstance(router, KeyRouter) else None

    async def _on_key(self, event: events.Key) -> None:
        # runs before Input's own handler, which a rerouted or handled key never reaches
        router = self._router()
        if router is not None and router.reroute(event, self.app.focused):
            return
        if event.key == "enter" and self.submit_to and self.has_focus:
            event.prevent_default()
            event.stop()
            self.screen.set_focus(self.screen.query_one(self.submit_to))
            await self.action_submit()

    def _on_paste(self, event: events.Paste) -> None:
        router = self._router()
        if router is not None:
            router.reroute(event, self.app.focused)
