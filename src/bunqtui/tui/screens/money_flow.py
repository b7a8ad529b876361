"""Moving money from the accounts and payments screens: the keys, and how a flow reaches core.

Every flow (send, a batch, request, answer a request, a bunq.me link, the scheduled payments) runs
core's :class:`~bunqtui.core.money.MoneyDesk` — the same code as the CLI, so validation, the
lines shown before sending, never-twice and the cache update are written once (see
``money_desk``). It writes the cache the screens read: afterwards they show the new payment
and the moved balance from the cache (:meth:`MoneyActions.money_moved`), with no request of
their own.
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding, BindingType

from bunqtui.tui.screens.money_desk import MoneyTarget

# the screens' own keys come first in the footer; these follow in this order (priority)
MONEY_BINDINGS: list[BindingType] = [
    Binding("s", "send_money", "Send", id="money.send"),
    Binding("R", "request_money", "Request", id="money.request"),
    Binding("i", "money_requests", "Requests", id="money.requests"),
    Binding("b", "bunqme", "bunq.me", id="money.bunqme"),
    Binding("S", "scheduled", "Scheduled", id="money.scheduled"),
    Binding("B", "pay_batch", "Batch", id="money.batch"),
]
MONEY_ACTIONS = (
    "send_money",
    "request_money",
    "money_requests",
    "bunqme",
    "scheduled",
    "pay_batch",
)


class MoneyActions:
    """Mixed into a screen: the money keys. The screen says which account they act on
    (:meth:`money_target`) and how it shows what moved (:meth:`money_moved`)."""

    app: Any

    def money_target(self) -> MoneyTarget | None:
        raise NotImplementedError

    def money_moved(self) -> None:
        """Money moved (or a request was answered): show it from the cache."""

    def _money_changed(self) -> None:
        # every screen of this profile that shows money: the one below learns it too
        for screen in self.app.screen_stack:
            if isinstance(screen, MoneyActions):
                screen.money_moved()

    def money_allowed(self, action: str) -> bool | None:
        """For ``check_action``: the money keys need an account (None: not a money key)."""
        if action not in MONEY_ACTIONS:
            return None
        return self.money_target() is not None

    def action_send_money(self) -> None:
        self._form("pay")

    def action_request_money(self) -> None:
        self._form("request")

    def action_bunqme(self) -> None:
        self._form("tab")

    def _form(self, kind: str) -> None:
        from bunqtui.tui.screens.money_forms import MoneyFormModal

        target = self.money_target()
        if target is not None:
            self.app.push_screen(
                MoneyFormModal(kind, target), lambda moved: self._money_changed() if moved else None
            )

    def action_pay_batch(self) -> None:
        from bunqtui.tui.screens.money_batch import BatchFormModal

        target = self.money_target()
        if target is not None:
            self.app.push_screen(
                BatchFormModal(target), lambda moved: self._money_changed() if moved else None
            )

    def action_money_requests(self) -> None:
        from bunqtui.tui.screens.money_views import RequestsScreen

        target = self.money_target()
        if target is not None:
            self.app.push_screen(RequestsScreen(target), lambda _: self._money_changed())

    def action_scheduled(self) -> None:
        from bunqtui.tui.screens.money_views import ScheduledScreen

        target = self.money_target()
        if target is not None:
            self.app.push_screen(ScheduledScreen(target))
