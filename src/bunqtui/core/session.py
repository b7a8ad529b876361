"""A ProfileSession: one profile opened for browsing, connecting users and exporting.

Contexts are loaded from the secret store and saved back whenever bunq renews a session, so a
second launch reuses the installation and (while it is fresh) the session. Connected users'
sessions are opened on the provider's installation with their access token
(docs/protocol.md#connected-users).

It runs on the asynchronous driver (the TUI, long syncs, connect). What it decides — the base
URL binding of stored logins, what a renewal may overwrite, what an answer writes to the cache
— is :class:`~bunqtui.core.opened.OpenedProfile`'s, shared with the synchronous
:class:`~bunqtui.core.oneshot.OneShotSession` of one-shot CLI commands.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import io
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from bunqtui.api.client import BunqClient, http_client
from bunqtui.api.context import KIND_OAUTH
from bunqtui.api.errors import BunqError
from bunqtui.api.models import MonetaryAccount, Payment, User, UserApiKey
from bunqtui.config import Profile
from bunqtui.core import sync as _sync
from bunqtui.core.balance import (
    TOP_UP_INTERVAL,
    TOP_UP_POLLS,
    BalanceWatch,
    balance_of,
    cache_behind,
    watch_balance,
)
from bunqtui.core.errors import ConfigError
from bunqtui.core.matches import PaymentQuery
from bunqtui.core.opened import (
    OWN_NAME,
    Home,
    Identity,
    OpenedProfile,
    PaymentPage,
    needs_tls,
    same_base_url,
)
from bunqtui.core.sync import Progress, SyncStatus
from bunqtui.plugins.connector import OAUTH_CLIENT, Connector
from bunqtui.store.files import atomic_stream
from bunqtui.store.rows import PaymentRow

if TYPE_CHECKING:
    from bunqtui.api.oauth import AuthorizationRequest


@dataclass(frozen=True)
class ConnectRequest:
    authorize_url: str
    redirect_uri: str
    state: str


Phase = Callable[[str], None]  # hears the steps of a QR login ("exchanging the code", …)


class ProfileSession(OpenedProfile[BunqClient]):
    """``async with workspace.open("p") as session: await session.accounts(identity)``

    The asynchronous driver (BunqClient) under every decision of :class:`OpenedProfile`."""

    def __init__(self, workspace: Home, profile: Profile, cls: type[Connector]) -> None:
        super().__init__(workspace, profile, cls)
        self._http = http_client(timeout=30.0, verify=needs_tls(self.env.environment))
        self.env.http = self._http
        self._pending: dict[str, AuthorizationRequest] = {}
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
        self._close_cache()

    # --- identities -------------------------------------------------------------------------

    async def identities(self) -> list[Identity]:
        return self._identities()

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

    async def _connected_client(self, identity: Identity) -> BunqClient:
        login = self._connected_login(identity)
        if login.context is not None:
            return self.env.client(login.context, on_context_change=login.save)
        client = self.env.client(None, on_context_change=login.save)
        await client.create_context_on_installation(
            self._own_context(), login.access_token, KIND_OAUTH
        )
        return client

    # --- reading ----------------------------------------------------------------------------

    async def user(self, identity: Identity) -> User:
        client = await self._client(identity)
        return self._user_fetched(identity, client.context, await client.get_user())

    async def accounts(self, identity: Identity) -> list[MonetaryAccount]:
        """One request; the answer replaces the cached list."""
        found = await (await self._client(identity)).list_monetary_accounts()
        return await asyncio.to_thread(self._accounts_fetched, identity, found)

    async def payments(
        self, identity: Identity, account_id: int, *, older_id: int | None = None, count: int = 200
    ) -> PaymentPage:
        """One page from bunq (1 request), also cached when it joins what is cached."""
        client = await self._client(identity)
        page = await client.list_payments(None, account_id, count=count, older_id=older_id)
        return await asyncio.to_thread(self._page_fetched, identity, account_id, page, older_id)

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

    def cached_balances(self, identity: Identity, account_id: int, count: int) -> list[Decimal]:
        """The balance after each of the account's newest ``count`` cached payments, oldest
        first (a picture of the balance), from the cache's columns: no request, no JSON parsed."""
        rows = self.cached_payment_rows(identity, account_id, limit=count)
        balances = [Decimal(r.balance_value) for r in rows if r.balance_value is not None]
        balances.reverse()
        return balances

    async def recent_balances(
        self, identity: Identity, account: MonetaryAccount, count: int = 200
    ) -> list[Decimal]:
        """``cached_balances``, with the cache brought up to date first when it is behind the
        account's balance (one request), or a page from bunq when none is cached (it joins the
        cache)."""
        newest = next(self.cached_payment_rows(identity, account.id, limit=1), None)
        if newest is None:
            status = self.sync_status(identity, account.id)
            if status.complete and not _moved(account):
                return []  # bunq said: no payments at all, and the balance agrees
            await self.payments(identity, account.id, count=count)
        elif cache_behind(_decimal(newest.balance_value), account):  # money moved since
            await self.refresh_payments(identity, account.id)
        return self.cached_balances(identity, account.id, count)

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

    async def wait_for_callback(
        self, request: ConnectRequest, timeout: float, phase: Phase | None = None
    ) -> Identity:
        async with self.listening(request, timeout, phase) as connected:
            return await connected()

    @contextlib.asynccontextmanager
    async def listening(
        self, request: ConnectRequest, timeout: float, phase: Phase | None = None
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
            code = await listener.wait()
            if phase is not None:
                phase("redirect received")
            return await self._finish(auth, code, phase)

        try:
            yield connected
        finally:
            await opened.__aexit__(None, None, None)

    async def complete_connect(
        self, request: ConnectRequest, pasted: str, phase: Phase | None = None
    ) -> Identity:
        auth = self._request(request)
        return await self._finish(auth, auth.accept(pasted), phase)

    async def _finish(
        self, auth: AuthorizationRequest, code: str, phase: Phase | None = None
    ) -> Identity:
        """The code → a token → a session for it → a stored user; ``phase`` hears each step
        (bunq allows one new session per 30 s, so the wait is said, not hidden)."""
        from bunqtui.api.oauth import exchange_code

        say = phase or (lambda _text: None)
        # the one place the state is used: a second path (a redirect after a pasted bare
        # code, which carries no state for the listener to refuse) must not use it again
        if self._pending.pop(auth.state, None) is None:
            raise ConfigError("this login attempt is unknown or finished; start it again")
        say("exchanging the code")
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
        wait = self.env.rate_limiter.delay("POST", f"{self.base_url}/session-server")
        say(
            f"opening a session (waiting {wait:.0f} s for bunq's limit)"
            if 1 <= wait < float("inf")
            else "opening a session"
        )
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
        await asyncio.to_thread(self.cache.forget, self._cache_key(identity))  # may wait for a lock
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

    async def top_up_and_watch(
        self,
        identity: Identity,
        account: MonetaryAccount,
        amount: Decimal,
        *,
        asked: Callable[[], None] | None = None,
        polls: int = TOP_UP_POLLS,
        interval: float = TOP_UP_INTERVAL,
    ) -> BalanceWatch:
        """Ask Sugar Daddy for ``amount``, then watch the balance until it arrives or
        ``polls`` looks have passed (``asked()`` hears when the request was accepted). Each
        look is one accounts request, whose answer replaces the cached list."""
        # the balance as bunq has it now (a screen may still show the cached one)
        fresh = next((a for a in await self.accounts(identity) if a.id == account.id), None)
        before = balance_of(fresh or account)
        await self.top_up(identity, account.id, amount)
        if asked is not None:
            asked()
        return await watch_balance(
            lambda: self.accounts(identity), account.id, before, polls=polls, interval=interval
        )

    def cached_payment_rows(
        self,
        identity: Identity,
        account_id: int,
        *,
        search: str | None = None,
        since: dt.datetime | None = None,
        limit: int | None = None,
    ) -> Iterator[PaymentRow]:
        """The account's cached payments that ``PaymentQuery.parse(search, since)`` selects,
        as rows (no JSON parsed), streamed from the cache a batch at a time, newest first
        (bunqtui.core.matches). No request; QueryError for a malformed query."""
        query = PaymentQuery.parse(search, since)
        where, params = query.sql()
        return self.cache.payment_rows(
            self._cache_key(identity),
            account_id,
            where=where,
            params=params,
            newest="created" if query.by_time else "id",
            limit=limit,
        )

    def cached_matches(
        self,
        identity: Identity,
        account_id: int,
        *,
        search: str | None = None,
        since: dt.datetime | None = None,
        limit: int = 500,
    ) -> list[Payment]:
        """The same payments as ``cached_payment_rows`` (the same query, the same rule), as
        whole ``Payment``s to show and open, newest first by time; at most ``limit``."""
        where, params = PaymentQuery.parse(search, since).sql()
        key = self._cache_key(identity)
        return self.cache.search(where, params, identity=key, account_id=account_id, limit=limit)

    def export_payments(
        self, payments: Iterable[Payment | PaymentRow], fmt: str, path: Path
    ) -> Path:
        """Write ``payments`` with the exporter ``fmt`` to ``path`` (a directory: a file named
        after the time in it), streamed into a private temp file that replaces ``path`` at the
        end: a reader never sees half a file, and a failed export leaves an older one as it
        was."""
        cls = self.workspace.plugins.exporters.get(fmt)
        if cls is None:
            known = ", ".join(self.workspace.exporters())
            raise ConfigError(f"there is no exporter {fmt!r}", f"exporters: {known}")
        if path.is_dir():
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
            path = path / f"bunqtui-payments-{stamp}{cls.suffix}"
        try:
            # 0600 like the cache: an export holds the same payments
            with atomic_stream(path) as raw:
                text = io.TextIOWrapper(
                    raw,
                    encoding="utf-8",
                    errors="backslashreplace",
                    newline="",
                    write_through=False,
                )
                cls().write(payments, text)
                text.flush()
                text.detach()  # the temp file is closed (and renamed) by atomic_stream
        except OSError as exc:
            raise ConfigError(
                f"cannot write the export to {path}: {exc.strerror or exc}",
                "choose a directory you can write to",
            ) from None
        return path

    def export_cached_payments(
        self,
        identity: Identity,
        account_id: int,
        fmt: str,
        path: Path,
        *,
        search: str | None = None,
    ) -> tuple[int, Path]:
        """Every cached payment of the account (or every match of ``search``) streamed
        through ``export_payments``; returns how many were written, and the file."""
        rows = _Counted(self.cached_payment_rows(identity, account_id, search=search))
        written = self.export_payments(rows, fmt, path)
        return rows.count, written


class _Counted:
    """An iterable that counts what went through it."""

    def __init__(self, items: Iterable[PaymentRow]) -> None:
        self._items = items
        self.count = 0

    def __iter__(self) -> Iterator[PaymentRow]:
        for item in self._items:
            self.count += 1
            yield item


__all__ = [
    "OWN_NAME",
    "BalanceWatch",
    "BunqError",
    "ConnectRequest",
    "Identity",
    "PaymentPage",
    "ProfileSession",
    "SyncStatus",
    "same_base_url",
]


def _decimal(text: str | None) -> Decimal | None:
    return Decimal(text) if text is not None else None


def _moved(account: MonetaryAccount) -> bool:
    """Money on an account that has no payments: some must have come since it was cached."""
    return account.balance is not None and account.balance.value != 0
