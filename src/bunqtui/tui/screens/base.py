"""What every bunqtui screen shares: worker failures go to the app's one error handler.

Textual sends ``Worker.StateChanged`` only to the node that started the worker (it does not
bubble), so each screen forwards it; handlers in subclasses still run (Textual calls the
handler of every class in the MRO).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from textual.screen import ModalScreen, Screen
from textual.worker import Worker

if TYPE_CHECKING:
    from bunqtui.tui.app import BunqApp

ResultType = TypeVar("ResultType")


def _forward(node: Screen[Any], event: Worker.StateChanged) -> None:
    app: BunqApp = node.app  # type: ignore[assignment]
    app.worker_state_changed(event.worker, event.state)


class BunqScreen(Screen[ResultType]):
    @property
    def bunq(self) -> BunqApp:
        return self.app  # type: ignore[return-value]

    def finish(self, result: ResultType) -> None:
        """Dismiss this screen from one of its workers. ``dismiss`` pops whatever is on top,
        so first close what the user opened above it meanwhile (help, a dialog)."""
        if self not in self.app.screen_stack:
            return
        while self.app.screen is not self:
            self.app.pop_screen()
        self.dismiss(result)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        _forward(self, event)


class BunqModal(ModalScreen[ResultType]):
    @property
    def bunq(self) -> BunqApp:
        return self.app  # type: ignore[return-value]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        _forward(self, event)


def environment_label(environment: str, base_url: str | None) -> str:
    """Where a profile talks to, without ports (so screenshots stay the same)."""
    if not base_url:
        return environment
    from urllib.parse import urlsplit

    host = urlsplit(base_url).hostname or ""
    if host in ("127.0.0.1", "localhost", "::1"):
        return "local emulator"
    return f"custom ({host})"
