"""How the TUI reaches core's MoneyDesk: a fresh one-shot session in a thread per call.

The desk runs on the synchronous driver (the same code as the CLI); in a thread the UI never
waits. It writes the cache the screens read, so they show what moved without a request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from bunqtui.core.money import MoneyDesk
from bunqtui.core.oneshot import OneShotSession

if TYPE_CHECKING:
    from bunqtui.core import Identity, MonetaryAccount, ProfileSession, Workspace

T = TypeVar("T")


@dataclass(frozen=True)
class MoneyTarget:
    """Whose money: the profile, its open session, the identity and the chosen account."""

    profile: str
    session: ProfileSession
    identity: Identity
    account: MonetaryAccount


async def run_desk(workspace: Workspace, profile: str, call: Callable[[MoneyDesk], T]) -> T:
    """``call(desk)`` in a thread, on a one-shot session of its own (closed afterwards)."""

    def in_thread() -> T:
        with OneShotSession.open(workspace, profile) as session:
            return call(MoneyDesk(session))

    return await asyncio.to_thread(in_thread)
