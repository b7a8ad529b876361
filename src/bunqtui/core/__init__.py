"""bunqtui.core: the use cases the TUI and CLI share (profiles, identities, accounts, payments,
connecting users, export, the local cache, sync and search). See docs/cli.md and the core
contract for the public surface."""

from bunqtui.api.errors import BunqError
from bunqtui.api.models import MonetaryAccount, Payment, User
from bunqtui.core.errors import ConfigError, CoreError, NotConnectedError
from bunqtui.core.query import PaymentFilter, QueryError
from bunqtui.core.session import ConnectRequest, Identity, PaymentPage, ProfileSession
from bunqtui.core.sync import SyncStatus
from bunqtui.core.workspace import (
    ConnectorInfo,
    ProfileInfo,
    SetupField,
    SetupStep,
    Workspace,
)
from bunqtui.plugins.records import account_record, payment_record, user_record

Account = MonetaryAccount

__all__ = [
    "Account",
    "BunqError",
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
