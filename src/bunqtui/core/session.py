"""A ProfileSession: one profile opened for browsing, connecting users and exporting.

Contexts are loaded from the secret store and saved back whenever bunq renews a session, so a
second launch reuses the installation and (while it is fresh) the session. Connected users'
sessions are opened on the provider's installation with their access token
(docs/protocol.md#connected-users).

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

import asyncio
import contextlib
import datetime as dt
import io
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from bunqtui.api.client import BunqClient, http_client
from bunqtui.api.context import KIND_OAUTH, ApiContext
from bunqtui.api.errors import BunqError
from bunqtui.api.models import MonetaryAccount, Payment, User, UserApiKey
from bunqtui.config import Profile
from bunqtui.core import sync as _sync
from bunqtui.core.environment import environment_for
from bunqtui.core.errors import ConfigError, CoreError, NotConnectedError
from bunqtui.core.notices import add_notice
from bunqtui.core.query import PaymentFilter, haystack
from bunqtui.core.sync import Progress, SyncStatus
from bunqtui.plugins.connector import OAUTH_CLIENT, OWN_CONTEXT, Connector, ConnectorEnv
from bunqtui.plugins.manager import PluginRegistry
from bunqtui.store.cache import Cache, CacheError, ForgottenError
from bunqtui.store.files import atomic_write
from bunqtui.store.secrets import same_login

if TYPE_CHECKING:
    from bunqtui.api.oauth import AuthorizationRequest

OWN_NAME = "own_display_name"


def same_base_url(a: str, b: str) -> bool:
    """The same API base URL (scheme and host compared case-insensitively, no trailing /)."""

    def key(url: str) -> tuple[str, str, str]:
        parts = urlsplit(url.strip())
        return parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/")

    try:
        return key(a) == key(b)
    except ValueError:
        return False


def _same_login(stored: Any, ctx: ApiContext) -> bool:
    """``stored`` (a context dict from the store) is the login ``ctx`` was loaded from."""
    return same_login(stored, ctx.to_dict())


def _cache_error(exc: CacheError) -> CoreError:
    if isinstance(exc, ForgottenError):
        return NotConnectedError(exc.message, "see `bunqtui users`")
    return CoreError(exc.message, exc.hint)


class Home(Protocol):
    """What a session uses of the Workspace that opened it (so session.py never imports
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
class ConnectRequest:
    authorize_url: str
    redirect_uri: str
    state: str


class ProfileSession:
    """``async with workspace.open("p") as session: await session.accounts(identity)``"""

    def __init__(self, workspace: Home, profile: Profile, cls: type[Connector]) -> None:
        self.workspace = workspace
        self.profile = profile
        urls = environment_for(profile.environment, profile.base_url)
        plain = all(
            u.startswith("http://")
            for u in (urls.api_base_url, urls.oauth_authorize_url, urls.oauth_token_url)
        )
        # building a TLS context (the CA bundle) costs ~0.1 s a launch; a plain-HTTP
        # environment (the local emulator) never uses one
        self._http = http_client(timeout=30.0, verify=not plain)
        self.env = workspace.connector_env(profile, http=self._http)
        self.connector = cls(self.env)
        self._clients: dict[str, BunqClient] = {}
        self._pending: dict[str, AuthorizationRequest] = {}
        self._cache: Cache | None = None
        self._syncs: dict[tuple[str, int], asyncio.Lock] = {}

    async def __aenter__(self) -> ProfileSession:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()
        await self._http.aclose()
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

    async def identities(self) -> list[Identity]:
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

    async def _client(self, identity: Identity) -> BunqClient:
        client = self._clients.get(identity.key)
        if client is not None:
            return client
        if identity.kind == "self":
            client = self.env.client(self._own_context(), on_context_change=self._save_own)
        else:
            client = await self._connected_client(identity)
        self._clients[identity.key] = client
        return client

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

    async def _connected_client(self, identity: Identity) -> BunqClient:
        local_id = identity.local_id
        assert local_id is not None
        users = self.env.connected_users()
        record = users.get(local_id)
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
        if ctx is not None and ctx.has_installation and ctx.secret == record.access_token:
            return self.env.client(ctx, on_context_change=save)
        client = self.env.client(None, on_context_change=save)
        await client.create_context_on_installation(
            self._own_context(), record.access_token, KIND_OAUTH
        )
        return client

    # --- reading ----------------------------------------------------------------------------

    async def user(self, identity: Identity) -> User:
        client = await self._client(identity)
        user = await client.get_user()
        # remember the name so the identity list needs no request on the next launch
        named = identity.kind == "self" and user.display_name
        if named and self.env.vault.get(OWN_NAME) != user.display_name:
            ctx = client.context

            def change(doc: dict[str, Any]) -> None:
                # only while the stored login is still the one this name belongs to
                if ctx is not None and _same_login(doc.get(OWN_CONTEXT), ctx):
                    doc[OWN_NAME] = user.display_name

            self.env.vault.update(change)
        return user

    async def accounts(self, identity: Identity) -> list[MonetaryAccount]:
        """One request; the answer replaces the cached list."""
        found = await (await self._client(identity)).list_monetary_accounts()
        self.cache.put_accounts(self._cache_key(identity), found)
        return found

    async def payments(
        self, identity: Identity, account_id: int, *, older_id: int | None = None, count: int = 200
    ) -> PaymentPage:
        """One page from bunq (1 request), also cached when it joins what is cached."""
        client = await self._client(identity)
        page = await client.list_payments(None, account_id, count=count, older_id=older_id)
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

    async def refresh_payments(self, identity: Identity, account_id: int) -> int:
        """Fetch payments newer than the cached ones (1 request unless > 200 are new; the
        first time, the newest 200); returns how many were new."""
        client = await self._client(identity)
        return await _sync.refresh(client, self.cache, self._cache_key(identity), account_id)

    async def sync_payments(
        self, identity: Identity, account_id: int, progress: Progress | None = None
    ) -> SyncStatus:
        """The account's whole history into the cache, 200 per request, paced at bunq's GET
        limit; resumes an interrupted sync. ``progress(fetched, status)`` after each page."""
        key = self._cache_key(identity)
        lock = self._syncs.setdefault((key, account_id), asyncio.Lock())
        async with lock:  # a second sync of the same account waits, then finds it done
            client = await self._client(identity)
            return await _sync.sync(client, self.cache, key, account_id, progress)

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

    async def payment(self, identity: Identity, account_id: int, payment_id: int) -> Payment:
        return await (await self._client(identity)).get_payment(None, account_id, payment_id)

    # --- connecting users (OAuth) -----------------------------------------------------------

    def can_connect(self) -> bool:
        return self.connector.can_connect

    async def begin_connect(self) -> ConnectRequest:
        if not self.can_connect():
            raise ConfigError(f"the {self.profile.connector} connector cannot connect users")
        own = await self._client(self._owner_identity())
        oauth = await self.connector.ensure_oauth_client(own)
        from bunqtui.api.oauth import AuthorizationRequest  # loads the callback listener

        request = AuthorizationRequest(
            self.env.environment, str(oauth["client_id"]), self.profile.redirect_uri
        )
        self._pending[request.state] = request
        return ConnectRequest(request.url, request.redirect_uri, request.state)

    def _owner_identity(self) -> Identity:
        self._own_context()
        return Identity("self", "owner", "self", None)

    def _request(self, request: ConnectRequest) -> AuthorizationRequest:
        auth = self._pending.get(request.state)
        if auth is None:
            raise ConfigError("this login attempt is unknown or finished; start it again")
        return auth

    def cancel_connect(self, request: ConnectRequest) -> None:
        """Forget a login attempt: its state is accepted no more."""
        self._pending.pop(request.state, None)

    def pending_states(self) -> set[str]:
        return set(self._pending)

    async def wait_for_callback(self, request: ConnectRequest, timeout: float) -> Identity:
        async with self.listening(request, timeout) as connected:
            return await connected()

    @contextlib.asynccontextmanager
    async def listening(
        self, request: ConnectRequest, timeout: float
    ) -> AsyncIterator[Callable[[], Awaitable[Identity]]]:
        """The loopback listener, bound before the ``with`` body runs (so the login URL can be
        shown knowing a redirect will be heard); yields what waits for it and connects the user."""
        auth = self._request(request)
        try:
            opened = auth.listener(timeout=timeout)
            listener = await opened.__aenter__()
        except ValueError as exc:  # a redirect URI the listener cannot bind
            raise ConfigError(
                str(exc), "paste the redirect URL instead, or set up a loopback redirect URI"
            ) from None

        async def connected() -> Identity:
            return await self._finish(auth, await listener.wait())

        try:
            yield connected
        finally:
            await opened.__aexit__(None, None, None)

    async def complete_connect(self, request: ConnectRequest, pasted: str) -> Identity:
        auth = self._request(request)
        return await self._finish(auth, auth.accept(pasted))

    async def _finish(self, auth: AuthorizationRequest, code: str) -> Identity:
        from bunqtui.api.oauth import exchange_code

        self._pending.pop(auth.state, None)
        oauth = self.env.vault.get(OAUTH_CLIENT) or {}
        token = await exchange_code(
            self.env.environment,
            code,
            auth.redirect_uri,
            str(oauth.get("client_id")),
            str(oauth.get("secret")),
            http=self._http,
            expected_state=auth.state,
        )
        client = self.env.client(None, on_context_change=lambda ctx: None)
        try:
            ctx = await client.create_context_on_installation(
                self._own_context(), token.access_token, KIND_OAUTH
            )
        except BaseException:
            await client.aclose()
            raise
        user = client.session_user
        granted = user.granted_by if isinstance(user, UserApiKey) else None
        name = (granted.display_name if granted else None) or (user.display_name if user else None)
        users = self.env.connected_users()
        record = users.add(
            display_name=name or f"bunq user {ctx.granted_user_id}",
            user_api_key_id=ctx.user_id,
            granted_by_user_id=ctx.granted_user_id,
            access_token=token.access_token,
            context=ctx.to_dict(),
            base_url=self.base_url,
        )
        local_id = record.local_id
        client.on_context_change = lambda c: self._save_connected(local_id, c)
        identity = Identity(f"user:{local_id}", record.display_name, "connected", local_id)
        old = self._clients.pop(identity.key, None)
        if old is not None:
            await old.aclose()
        self._clients[identity.key] = client
        return identity

    async def disconnect(self, local_id: int) -> None:
        """Delete the user's bunq session, every secret kept for it and its cached data."""
        identity = self.identity(local_id)
        record = self.env.connected_users().get(local_id)
        made_for = record.bound_url if record is not None else None
        # a grant made on another base URL: its session token goes nowhere else, so its
        # session there is left to expire; the local secrets and data still go
        here = made_for is not None and same_base_url(made_for, self.base_url)
        if record is not None and record.context and here:
            client = await self._client(identity)
            if client.context is not None and client.context.session_token:
                await client.delete_session()
        opened = self._clients.pop(identity.key, None)
        if opened is not None:
            await opened.aclose()
        # the cache first: its tombstone (same transaction as the delete) stops a sync of this
        # user still running elsewhere from writing it back; then the secrets
        self.cache.forget(self._cache_key(identity))
        self.env.connected_users().remove(local_id)

    # --- sandbox and export -----------------------------------------------------------------

    def is_sandbox(self) -> bool:
        return self.env.environment.is_sandbox

    async def top_up(self, identity: Identity, account_id: int, amount: Decimal) -> None:
        if not self.is_sandbox():
            raise ConfigError("Sugar Daddy top-ups exist only in the sandbox")
        client = await self._client(identity)
        try:
            await client.request_sugar_daddy(None, account_id, amount)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None

    def export_payments(self, payments: list[Payment], fmt: str, path: Path) -> Path:
        cls = self.workspace.plugins.exporters.get(fmt)
        if cls is None:
            known = ", ".join(self.workspace.exporters())
            raise ConfigError(f"there is no exporter {fmt!r}", f"exporters: {known}")
        if path.is_dir():
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
            path = path / f"bunqtui-payments-{stamp}{cls.suffix}"

        buffer = io.StringIO()
        cls().write(payments, buffer)
        try:
            # 0600 like the cache: an export holds the same payments; atomic, so a reader
            # never sees half a file and a failed export leaves an older one as it was
            atomic_write(path, buffer.getvalue().encode("utf-8", "backslashreplace"))
        except OSError as exc:
            raise ConfigError(
                f"cannot write the export to {path}: {exc.strerror or exc}",
                "choose a directory you can write to",
            ) from None
        return path


__all__ = [
    "BunqError",
    "ConnectRequest",
    "Identity",
    "PaymentPage",
    "ProfileSession",
    "SyncStatus",
]
