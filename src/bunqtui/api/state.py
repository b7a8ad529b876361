"""OAuth ``state``: generated unguessable, compared in constant time, accepted once."""

from __future__ import annotations

import hmac
import secrets

from bunqtui.api.errors import StateMismatchError


def new_state() -> str:
    """A fresh 256-bit URL-safe state for one authorization attempt."""
    return secrets.token_urlsafe(32)


def states_equal(expected: str, received: str | None) -> bool:
    if received is None:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), received.encode("utf-8"))


class StateGuard:
    """Holds the state of one login attempt; ``check`` succeeds exactly once."""

    __slots__ = ("_state", "_used")

    def __init__(self, state: str | None = None) -> None:
        self._state = state or new_state()
        self._used = False

    @property
    def state(self) -> str:
        return self._state

    @property
    def used(self) -> bool:
        return self._used

    def matches(self, received: str | None) -> bool:
        return states_equal(self._state, received)

    def check(self, received: str | None) -> None:
        """Accept ``received`` if it is this state and not used yet; else StateMismatchError."""
        if not self.matches(received):
            raise StateMismatchError()
        if self._used:
            raise StateMismatchError(
                "This login answer was already used once; start the login again."
            )
        self._used = True

    def __repr__(self) -> str:
        return f"StateGuard(used={self._used})"
