"""What every bunqtui screen shares: worker failures go to the app's one error handler.

Textual sends ``Worker.StateChanged`` only to the node that started the worker (it does not
bubble), so each screen forwards it; handlers in subclasses still run (Textual calls the
handler of every class in the MRO).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from bunqtui.tui.widgets.footer import BunqFooter

if TYPE_CHECKING:
    from bunqtui.core import ProfileInfo, ProfileSession, Workspace
    from bunqtui.core.demo import DemoInfo
    from bunqtui.tui.errors import ErrorReport

ResultType = TypeVar("ResultType")


class BunqAppApi(Protocol):
    """What screens use of the app (``tui.app.BunqApp``), typed here so that screens need not
    import the app that imports them."""

    workspace: Workspace
    demo: DemoInfo | None
    clock: Callable[[], dt.datetime]

    def session(self, name: str) -> ProfileSession: ...
    def profile_info(self, name: str) -> ProfileInfo | None: ...
    def switch_profile(self, name: str) -> None: ...
    def report_error(self, exc: BaseException) -> ErrorReport: ...
    def worker_state_changed(self, worker: Worker[Any], state: WorkerState) -> None: ...
    def accounts_shown(self) -> None: ...
    def action_new_profile(self, first_run: bool = False, again: str | None = None) -> None: ...
    def action_connect_user(self, profile: str | None = None) -> None: ...
    def notify(self, message: str, **kwargs: Any) -> None: ...


def _forward(node: Screen[Any], event: Worker.StateChanged) -> None:
    cast("BunqAppApi", node.app).worker_state_changed(event.worker, event.state)


class BunqScreen(Screen[ResultType]):
    @property
    def bunq(self) -> BunqAppApi:
        return cast("BunqAppApi", self.app)

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
    """A dialog. It has a footer of its own, over the covered screen's: the keys listed are the
    ones that work now (the screen's do nothing while the dialog is up)."""

    @property
    def bunq(self) -> BunqAppApi:
        return cast("BunqAppApi", self.app)

    def on_mount(self) -> None:
        if not self.query(BunqFooter):
            self.mount(BunqFooter())

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
