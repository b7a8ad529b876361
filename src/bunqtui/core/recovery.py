"""The way back when bunq no longer accepts a profile's stored login.

bunq forgets installations (a sandbox reset; the emulator restarted without ``--state``): every
request is then refused with a 401 signed by a key bunqtui does not have. Setting the profile
up again fixes it — setup checks that bunq still knows the installation and makes a new one
when it does not — so both the CLI and the TUI name exactly that.
"""

from __future__ import annotations

from bunqtui.api.errors import BunqError, SignatureError, UnauthorizedError


def is_refused_login(exc: BaseException) -> bool:
    """bunq refused the stored login itself (not a stale session: those are renewed)."""
    if isinstance(exc, UnauthorizedError):
        return True
    # unknown tokens are refused with a 401 signed by a key we do not hold
    return isinstance(exc, SignatureError) and exc.status == 401


def setup_again_command(profile: str, connector: str) -> str:
    """The CLI command that repairs the profile (a rerun keeps its key and environment)."""
    return f"bunqtui setup {connector} --profile {profile}"


def setup_again_hint(profile: str, connector: str) -> str:
    return (
        "bunq no longer accepts this profile's saved login (after a sandbox reset, or an "
        f"emulator restarted without --state): set it up again: "
        f"`{setup_again_command(profile, connector)}`"
    )


def refused_login_hint(exc: BaseException, profile: str | None, connector: str | None) -> str:
    """The hint for ``exc``, or "" when it is not a refused login or the profile is unknown."""
    if not isinstance(exc, BunqError) or not profile or not connector:
        return ""
    return setup_again_hint(profile, connector) if is_refused_login(exc) else ""


def profile_hint(exc: BaseException, profile: str | None) -> str:
    """:func:`refused_login_hint` for a profile by name (the default one when None)."""
    if not is_refused_login(exc):
        return ""
    from bunqtui.core.workspace import Workspace  # only on this error path

    try:
        workspace = Workspace.load()
        found = workspace.profile(profile)
    except Exception:  # a damaged config.toml must not hide bunq's error
        return ""
    return refused_login_hint(exc, found.name, found.connector)
