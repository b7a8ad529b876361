"""bunqtui.core: the use cases the TUI and CLI share (profiles, identities, accounts, payments,
connecting users, export, the local cache, sync and search). See docs/cli.md and the core
contract for the public surface.

``ProfileSession`` and ``ConnectRequest`` are imported on first use: the asynchronous session
loads asyncio, which one-shot CLI commands (``bunqtui.core.oneshot``) never need."""

from typing import TYPE_CHECKING, Any

from bunqtui.api.errors import BunqError
from bunqtui.api.models import MonetaryAccount, Payment, User
from bunqtui.core.errors import ConfigError, CoreError, NotConnectedError
from bunqtui.core.opened import Identity, PaymentPage
from bunqtui.core.query import PaymentFilter, QueryError
from bunqtui.core.sync import SyncStatus
from bunqtui.core.workspace import (
    ConnectorInfo,
    ProfileInfo,
    SetupField,
    SetupStep,
    Workspace,
)
from bunqtui.plugins.records import account_record, payment_record, user_record
from bunqtui.store.cache import CacheClosedError

if TYPE_CHECKING:
    from bunqtui.core.session import ConnectRequest, ProfileSession

Account = MonetaryAccount
_SESSION = ("ConnectRequest", "ProfileSession")


def __getattr__(name: str) -> Any:
    if name in _SESSION:
        from bunqtui.core import session

        return getattr(session, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Account",
    "BunqError",
    "CacheClosedError",
    "ConfigError",
    "ConnectRequest",
    "ConnectorInfo",
    "CoreError",
    "Identity",
    "MonetaryAccount",
    "NotConnectedError",
    "Payment",
    "PaymentFilter",
    "PaymentPage",
    "ProfileInfo",
    "ProfileSession",
    "QueryError",
    "SetupField",
    "SetupStep",
    "SyncStatus",
    "User",
    "Workspace",
    "account_record",
    "payment_record",
    "user_record",
]
