"""A ProfileSession: one profile opened for browsing, connecting users and exporting.

Contexts are loaded from the secret store and saved back whenever bunq renews a session, so a
second launch reuses the installation and (while it is fresh) the session. Connected users'
sessions are opened on the provider's installation with their access token (§8.4).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from bunqtui.api.client import BunqClient, http_client
from bunqtui.api.context import KIND_OAUTH, ApiContext
from bunqtui.api.errors import BunqError
from bunqtui.api.models import MonetaryAccount, Payment, User, UserApiKey
from bunqtui.config import Profile
from bunqtui.core import sync as _sync
from bunqtui.core.errors import ConfigError, NotConnectedError
from bunqtui.core.query import PaymentFilter, haystack
from bunqtui.core.sync import Progress, SyncStatus
from bunqtui.plugins.connector import OAUTH_CLIENT, Connector
from bunqtui.store.cache import Cache
from bunqtui.store.files import atomic_write

if TYPE_CHECKING:
    from bunqtui.api.oauth import AuthorizationRequest
    from bunqtui.core.workspace import ProfileInfo, Workspace

OWN_NAME = "own_display_name"


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

    def __init__(self, workspace: Workspace, profile: Profile, cls: type[Connector]) -> None:
        self.workspace = workspace
        self.profile = profile
        from bunqtui.core.workspace import environment_for

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
        self.info: ProfileInfo = workspace._info(profile)
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

    def _own_context(self) -> ApiContext:
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
            client = self.env.client(self._own_context())
        else:
            client = await self._connected_client(identity)
        self._clients[identity.key] = client
        return client

    async def _connected_client(self, identity: Identity) -> BunqClient:
        local_id = identity.local_id
        assert local_id is not None
        users = self.env.connected_users()
        record = users.get(local_id)
        if record is None:
            raise NotConnectedError(f"connected user {local_id} is gone (disconnected?)")

        def save(ctx: ApiContext) -> None:
            users.save_context(local_id, ctx.to_dict())

        ctx = None
        if record.context:
            try:
                ctx = ApiContext.from_dict(record.context)
            except ValueError:
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
            self.env.vault.set(OWN_NAME, user.display_name)
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
        _sync.store_page(self.cache, self._cache_key(identity), account_id, page, older_id=older_id)
        return PaymentPage(list(page.items), page.older_id if page.has_older else None)

    # --- the local cache (reads are synchronous and never ask bunq) ---------------------------

    @property
    def cache(self) -> Cache:
        if self._cache is None:
            self._cache = Cache(self.workspace.cache_path(self.profile.name), haystack)
        return self._cache

    def _cache_key(self, identity: Identity) -> str:
        if identity.kind == "self":
            # keyed by bunq's user id too: a profile set up again with another key starts afresh
            ctx = self.env.own_context()
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
        auth = self._request(request)
        try:
            async with auth.listener(timeout=timeout) as listener:
                code = await listener.wait()
        except ValueError as exc:  # a redirect URI the listener cannot bind
            raise ConfigError(
                str(exc), "paste the redirect URL instead, or set up a loopback redirect URI"
            ) from None
        return await self._finish(auth, code)

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
        )
        local_id = record.local_id
        client.on_context_change = lambda c: users.save_context(local_id, c.to_dict())
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
        if record is not None and record.context:
            client = await self._client(identity)
            if client.context is not None and client.context.session_token:
                await client.delete_session()
        client = self._clients.pop(identity.key, None)
        if client is not None:
            await client.aclose()
        self.env.connected_users().remove(local_id)
        self.cache.forget(self._cache_key(identity))

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
        atomic_write(path, buffer.getvalue().encode("utf-8"), mode=0o644)
        return path


__all__ = [
    "BunqError",
    "ConnectRequest",
    "Identity",
    "PaymentPage",
    "ProfileSession",
    "SyncStatus",
]
