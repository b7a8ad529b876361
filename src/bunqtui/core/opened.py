"""A profile opened for reading: every decision it makes, whichever bunq driver moves the bytes.

:class:`OpenedProfile` is what the asynchronous :class:`~bunqtui.core.session.ProfileSession`
(the TUI, long syncs, connect) and the synchronous :class:`~bunqtui.core.oneshot.OneShotSession`
(one-shot CLI reads, no event loop) share: which identities exist, which stored login a request
may use, what a renewed session may overwrite, and what an answer writes to the cache. The two
subclasses only make their driver's clients and call one operation each; everything they decide
is here, once. This module does no I/O of its own towards bunq and imports no event loop.

Two rules hold every stored secret in place:

- **Bound to its base URL.** A stored context (the profile's own, each connected user's) is
  used only against the API base URL it was made for. If config.toml now names another one,
  nothing is sent anywhere: a ConfigError says where it was set up and how to set it up again.
- **Never back in time.** A renewed session is written back only over the same login (same
  installation and secret), under the store's lock. If `setup` (or `connect`, `disconnect`)
  changed the login while this session ran, the stale context is not written and the running
  command stops with a ConfigError: carrying on would show the old user's data, or write it
  under the new user's name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar
from urllib.parse import urlsplit

from bunqtui.api.context import ApiContext
from bunqtui.api.environment import Environment
from bunqtui.api.models import MonetaryAccount, Page, Payment, User
from bunqtui.api.operations import BunqOperations
from bunqtui.config import Profile
from bunqtui.core import sync as _sync
from bunqtui.core.errors import ConfigError, CoreError, NotConnectedError
from bunqtui.core.notices import add_notice
from bunqtui.core.query import PaymentFilter, haystack
from bunqtui.core.sync import SyncStatus
from bunqtui.plugins.connector import OWN_CONTEXT, Connector, ConnectorEnv
from bunqtui.plugins.manager import PluginRegistry
from bunqtui.store.cache import Cache, CacheError, ForgottenError
from bunqtui.store.secrets import same_login

OWN_NAME = "own_display_name"
# the client type of a session's driver (BunqClient or SyncBunqClient)
C = TypeVar("C", bound=BunqOperations)


def same_base_url(a: str, b: str) -> bool:
    """The same API base URL (scheme and host compared case-insensitively, no trailing /)."""

    def key(url: str) -> tuple[str, str, str]:
        parts = urlsplit(url.strip())
        return parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/")

    try:
        return key(a) == key(b)
    except ValueError:
        return False


def needs_tls(environment: Environment) -> bool:
    """Whether any of the environment's URLs is https. Building a TLS context (the CA bundle)
    costs ~0.1 s a launch; a plain-HTTP environment (the local emulator) never uses one."""
    urls = (environment.api_base_url, environment.oauth_authorize_url, environment.oauth_token_url)
    return not all(u.startswith("http://") for u in urls)


def _same_login(stored: Any, ctx: ApiContext) -> bool:
    """``stored`` (a context dict from the store) is the login ``ctx`` was loaded from."""
    return same_login(stored, ctx.to_dict())


def _cache_error(exc: CacheError) -> CoreError:
    if isinstance(exc, ForgottenError):
        return NotConnectedError(exc.message, "see `bunqtui users`")
    return CoreError(exc.message, exc.hint)


class Home(Protocol):
    """What a session uses of the Workspace that opened it (so no session module imports
    workspace.py: the Workspace imports the session, not the other way round)."""

    plugins: PluginRegistry

    def connector_env(self, profile: Profile, **extra: Any) -> ConnectorEnv: ...

    def cache_path(self, profile: str) -> Path: ...

    def exporters(self) -> list[str]: ...


@dataclass(frozen=True)
class Identity:
    key: str
    label: str
    kind: str  # "self" | "connected"
    local_id: int | None


@dataclass(frozen=True)
class PaymentPage:
    items: list[Payment]
    older_id: int | None  # None = no older page


@dataclass(frozen=True)
class ConnectedLogin:
    """How to reach a connected user: ``context`` to reuse (None: open a session on the
    profile's installation with ``access_token``); ``save`` writes its renewals back."""

    context: ApiContext | None
    access_token: str
    save: Callable[[ApiContext], None]


class OpenedProfile(Generic[C]):
    """The driver-independent part of a session (see the module's docstring). Subclasses keep
    their clients in ``_clients`` (by identity key) and give ``env`` their HTTP client."""

    def __init__(self, workspace: Home, profile: Profile, cls: type[Connector]) -> None:
        self.workspace = workspace
        self.profile = profile
        self.env = workspace.connector_env(profile)
        self.connector = cls(self.env)
        self._clients: dict[str, C] = {}
        self._cache: Cache | None = None

    def _close_cache(self) -> None:
        if self._cache is not None:
            self._cache.close()

    # --- identities -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The API base URL config.toml names for this profile now."""
        return self.env.environment.api_base_url

    def _where(self) -> str:
        """The setup flags that name this profile's current environment."""
        if self.profile.base_url:
            return f"--base-url {self.profile.base_url}"
        return f"--environment {self.profile.environment}"

    def _check_bound(self, made_for: Any, what: str, fix: str) -> None:
        """ConfigError (before any request) unless ``made_for`` is this profile's base URL."""
        if isinstance(made_for, str) and same_base_url(made_for, self.base_url):
            return
        where = made_for if isinstance(made_for, str) else "an unknown URL"
        raise ConfigError(
            f"{what} was set up for {where}, but config.toml now points profile "
            f"{self.profile.name!r} at {self.base_url}; nothing was sent there",
            fix,
        )

    def _own_context(self) -> ApiContext:
        stored = self.env.vault.get(OWN_CONTEXT)
        if isinstance(stored, dict):
            secret = {"api-key": " --api-key KEY"}.get(self.profile.connector, "")
            self._check_bound(
                stored.get("api_base_url"),
                f"the bunq login of profile {self.profile.name!r}",
                f"to use {self.base_url}, set it up there: `bunqtui setup "
                f"{self.profile.connector} --profile {self.profile.name} {self._where()}"
                f"{secret}`; or put the old base URL back in config.toml",
            )
        ctx = self.env.own_context()
        if ctx is None or not ctx.has_installation:
            raise NotConnectedError(
                f"profile {self.profile.name!r} has no saved bunq login",
                f"run `bunqtui setup {self.profile.connector} --profile {self.profile.name}`",
            )
        return ctx

    def _self_identity(self) -> Identity:
        ctx = self._own_context()
        label = self.env.vault.get(OWN_NAME) or f"user {ctx.user_id}"
        return Identity("self", label, "self", None)

    def _identities(self) -> list[Identity]:
        found = []
        if self.connector.has_own_identity:
            found.append(self._self_identity())
        for user in self.env.connected_users().list():
            found.append(
                Identity(f"user:{user.local_id}", user.display_name, "connected", user.local_id)
            )
        return found

    def identity(self, local_id: int | None) -> Identity:
        """The own identity (None) or a connected user by local id; ConfigError if unknown."""
        if local_id is None:
            if not self.connector.has_own_identity:
                raise ConfigError(
                    f"a {self.profile.connector} profile has no accounts of its own",
                    "pass --user N (a connected user; see `bunqtui users`)",
                )
            return self._self_identity()
        user = self.env.connected_users().get(local_id)
        if user is None:
            known = ", ".join(str(u.local_id) for u in self.env.connected_users().list())
            raise ConfigError(
                f"there is no connected user {local_id} in profile {self.profile.name!r}",
                f"connected users: {known or 'none yet (bunqtui connect)'}",
            )
        return Identity(f"user:{local_id}", user.display_name, "connected", local_id)

    # --- which login a client uses, and what its renewals may overwrite -----------------------

    def _save_own(self, ctx: ApiContext) -> None:
        """Write a renewed own session back, under the store's lock, only over the login it
        was loaded from (never over a context a concurrent `setup` wrote)."""

        if not self.env.vault.save_renewed(OWN_CONTEXT, ctx.to_dict()):
            raise self._replaced()

    def _replaced(self) -> ConfigError:
        return ConfigError(
            f"the bunq login of profile {self.profile.name!r} was set up again (or removed) "
            "while this bunqtui was running; it stopped rather than undo that",
            "run the command again: it will use the new login",
        )

    def _save_connected(self, local_id: int, ctx: ApiContext) -> None:
        if not self.env.connected_users().save_context(local_id, ctx.to_dict()):
            raise ConfigError(
                f"connected user {local_id} was disconnected or connected again while this "
                "bunqtui was running; it stopped rather than undo that",
                "run the command again (see `bunqtui users`)",
            )

    def _check_user_bound(self, local_id: int, made_for: str | None) -> None:
        self._check_bound(
            made_for,
            f"connected user {local_id}",
            f"to connect them on {self.base_url}: `bunqtui disconnect --profile "
            f"{self.profile.name} --user {local_id}`, then `bunqtui connect --profile "
            f"{self.profile.name}`; or put the old base URL back in config.toml",
        )

    def _connected_login(self, identity: Identity) -> ConnectedLogin:
        """A connected user's stored login, checked against this base URL (no request)."""
        local_id = identity.local_id
        assert local_id is not None
        record = self.env.connected_users().get(local_id)
        if record is None:
            raise NotConnectedError(f"connected user {local_id} is gone (disconnected?)")
        self._check_user_bound(local_id, record.bound_url)
        if isinstance(record.context, dict) and "api_base_url" in record.context:
            self._check_user_bound(local_id, record.context["api_base_url"])

        def save(ctx: ApiContext) -> None:
            self._save_connected(local_id, ctx)

        ctx = None
        if record.context:
            try:
                ctx = ApiContext.from_dict(record.context)
            except (ValueError, TypeError, KeyError):  # partial or damaged: a new session
                ctx = None
        reusable = ctx is not None and ctx.has_installation and ctx.secret == record.access_token
        return ConnectedLogin(ctx if reusable else None, record.access_token, save)

    # --- what an answer changes locally -------------------------------------------------------

    def _user_fetched(self, identity: Identity, ctx: ApiContext | None, user: User) -> User:
        # remember the name so the identity list needs no request on the next launch
        named = identity.kind == "self" and user.display_name
        if named and self.env.vault.get(OWN_NAME) != user.display_name:

            def change(doc: dict[str, Any]) -> None:
                # only while the stored login is still the one this name belongs to
                if ctx is not None and _same_login(doc.get(OWN_CONTEXT), ctx):
                    doc[OWN_NAME] = user.display_name

            self.env.vault.update(change)
        return user

    def _accounts_fetched(
        self, identity: Identity, found: list[MonetaryAccount]
    ) -> list[MonetaryAccount]:
        """The answer replaces the cached list."""
        self.cache.put_accounts(self._cache_key(identity), found)
        return found

    def _page_fetched(
        self, identity: Identity, account_id: int, page: Page[Payment], older_id: int | None
    ) -> PaymentPage:
        """A page from bunq, also cached when it joins what is cached."""
        if older_id is not None:
            _sync.check_older(page, older_id)
        _sync.store_page(self.cache, self._cache_key(identity), account_id, page, older_id=older_id)
        return PaymentPage(list(page.items), page.older_id if page.has_older else None)

    # --- the local cache (reads are synchronous and never ask bunq) ---------------------------

    @property
    def cache(self) -> Cache:
        if self._cache is None:
            self._cache = Cache(
                self.workspace.cache_path(self.profile.name),
                haystack,
                on_notice=add_notice,
                error=_cache_error,
            )
        return self._cache

    def _cache_key(self, identity: Identity) -> str:
        if identity.kind == "self":
            # keyed by bunq's user id too: a profile set up again with another key starts
            # afresh; the open client's user wins, so its data never lands under a newer
            # login's key
            client = self._clients.get(identity.key)
            ctx = client.context if client is not None else self.env.own_context()
            return f"self:{ctx.user_id}" if ctx is not None and ctx.user_id else "self"
        return identity.key

    def cached_accounts(self, identity: Identity) -> list[MonetaryAccount] | None:
        """The accounts as last fetched (no request); None if never fetched."""
        return self.cache.accounts(self._cache_key(identity))

    def cached_accounts_fetched_at(self, identity: Identity) -> dt.datetime | None:
        """When the cached accounts were fetched (UTC; no request); None if never."""
        return self.cache.accounts_fetched_at(self._cache_key(identity))

    def cached_payments(
        self, identity: Identity, account_id: int, *, offset: int = 0, limit: int = 200
    ) -> list[Payment]:
        """Cached payments, newest first (no request)."""
        return self.cache.payments(
            self._cache_key(identity), account_id, offset=offset, limit=limit
        )

    def cached_payment_count(self, identity: Identity, account_id: int) -> int:
        return self.cache.payment_count(self._cache_key(identity), account_id)

    def sync_status(self, identity: Identity, account_id: int) -> SyncStatus:
        return _sync.status(self.cache, self._cache_key(identity), account_id)

    def search_payments(
        self,
        query: str,
        *,
        identity: Identity | None = None,
        account_id: int | None = None,
        limit: int = 500,
    ) -> list[Payment]:
        """Cached payments matching the filter language of bunqtui.core.query, newest first
        (no request); across all identities and accounts unless narrowed. QueryError (a
        ConfigError and a ValueError) for a malformed query."""
        where, params = PaymentFilter.parse(query).sql()
        key = self._cache_key(identity) if identity is not None else None
        return self.cache.search(where, params, identity=key, account_id=account_id, limit=limit)


__all__ = [
    "OWN_NAME",
    "ConnectedLogin",
    "Home",
    "Identity",
    "OpenedProfile",
    "PaymentPage",
    "needs_tls",
    "same_base_url",
]
