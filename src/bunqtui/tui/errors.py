"""Turn any failure of a worker into what a person should read (no Textual here).

The app shows the result in one place (``BunqApp.report_error``): a notification, or a modal
when the user must act. bunq's own text comes through unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from textual.notifications import SeverityLevel

from bunqtui.api.errors import (
    BunqError,
    CredentialsError,
    MaintenanceError,
    NetworkError,
    OAuthError,
    RateLimitedError,
    SignatureError,
)
from bunqtui.core import CoreError, NotConnectedError
from bunqtui.store.secrets import SecretStoreError

OFFLINE = "offline"
RATE_LIMITED = "rate-limited"
ONLINE = "online"


@dataclass(frozen=True)
class ErrorReport:
    title: str
    message: str
    hint: str | None = None
    severity: SeverityLevel = "error"  # Textual notification severity
    must_act: bool = False  # shown as a modal: the user has to do something about it
    connection: str | None = None  # new connection state, if the error says something about it
    setup_again: str | None = None  # a profile whose login bunq refused: offer to set it up again

    @property
    def text(self) -> str:
        return f"{self.message}\n{self.hint}" if self.hint else self.message


def with_setup_again(report: ErrorReport, profile: str) -> ErrorReport:
    """bunq refused the profile's saved login: the box offers the way back (the wizard)."""
    return replace(
        report,
        title="bunq no longer accepts this login",
        message=f"bunq refused profile {profile}'s saved login (HTTP 401).",
        hint=(
            "bunq forgot this profile's installation (a sandbox reset, or an emulator restarted "
            f"without --state). Set profile {profile} up again: it keeps the key and makes a new "
            "installation."
        ),
        must_act=True,
        setup_again=profile,
    )


def describe(exc: BaseException) -> ErrorReport:
    if isinstance(exc, NotConnectedError):
        return ErrorReport("Not logged in", exc.message, exc.hint, must_act=True)
    if isinstance(exc, CoreError):
        return ErrorReport("bunqtui", exc.message, exc.hint)
    if isinstance(exc, CredentialsError):
        return ErrorReport(
            "API key not accepted",
            str(exc),
            "Run the setup again with the right key (command palette: New profile).",
            must_act=True,
        )
    if isinstance(exc, RateLimitedError):
        return ErrorReport(
            "Rate-limited by bunq",
            str(exc),
            "bunqtui paces its requests; wait a few seconds and press r to retry.",
            severity="warning",
            connection=RATE_LIMITED,
        )
    if isinstance(exc, NetworkError):
        return ErrorReport(
            "Offline",
            str(exc),
            "Check the connection, then press r to retry.",
            severity="warning",
            connection=OFFLINE,
        )
    if isinstance(exc, MaintenanceError):
        return ErrorReport("bunq is unavailable", str(exc), severity="warning")
    if isinstance(exc, SignatureError):
        return ErrorReport("Unverified answer", str(exc), must_act=True)
    if isinstance(exc, OAuthError):
        return ErrorReport("bunq login", str(exc))
    if isinstance(exc, BunqError):
        return ErrorReport("bunq", str(exc))
    if isinstance(exc, SecretStoreError):
        return ErrorReport("Secret store", str(exc), must_act=True)
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return ErrorReport("File error", f"{exc.strerror or exc}{where}")
    # a bug of ours: say so plainly instead of crashing the whole app
    return ErrorReport("Unexpected error", f"{type(exc).__name__}: {exc}")
