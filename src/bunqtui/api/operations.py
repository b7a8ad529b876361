"""bunq's operations and the context lifecycle, written once as sans-IO flows.

:class:`BunqOperations` holds one :class:`ApiContext` (installation → device → session) and
defines every operation as a flow (see :mod:`bunqtui.api.protocol`): sessions are opened when
missing, renewed 30 s before they expire, and renewed once (then the call retried once) when
bunq answers that the session is stale; listings walk ``older_url`` with progress checks. It
does no I/O: :class:`~bunqtui.api.client.BunqClient` (async) and
:class:`~bunqtui.api.sync_client.SyncBunqClient` (sync) are this class plus a driver, so each
``name = operation(_name)`` below is ``await client.name(...)`` on one and ``client.name(...)``
on the other.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

from cryptography.hazmat.primitives.asymmetric import rsa

from bunqtui.api import crypto
from bunqtui.api._httpx import httpx
from bunqtui.api.cards import CardOperations
from bunqtui.api.context import KIND_API_KEY, KIND_OAUTH, KIND_PSD2, ApiContext
from bunqtui.api.envelope import Envelope, is_credentials_error, is_stale_session
from bunqtui.api.environment import Environment
from bunqtui.api.errors import (
    BadRequestError,
    BunqError,
    CredentialsError,
    ForbiddenError,
    PaginationError,
    ProtocolError,
    SignatureError,
    UnauthorizedError,
    mask_secret,
)
from bunqtui.api.events import EventOperations
from bunqtui.api.host import MAX_COUNT, check_count
from bunqtui.api.models import (
    Amount,
    CredentialPasswordIp,
    MonetaryAccount,
    OauthCallbackUrl,
    OauthClient,
    Page,
    Payment,
    Pointer,
    RequestInquiry,
    User,
    UserApiKey,
    anchor,
    format_amount,
    user_from_anchor,
)
from bunqtui.api.money import MoneyOperations
from bunqtui.api.notes import NoteOperations
from bunqtui.api.protocol import (
    Compute,
    Emit,
    Exchange,
    Flow,
    Locked,
    Notify,
    iteration,
    operation,
)
from bunqtui.api.statements import StatementOperations

T = TypeVar("T")
AmountLike = Amount | Decimal | int | str
# may return an awaitable, which the async driver awaits (the sync driver refuses one)
ContextCallback = Callable[[ApiContext], Any]

SUGAR_DADDY = Pointer("EMAIL", "sugardaddy@bunq.com", "Sugar Daddy")
SUGAR_DADDY_CAP = Decimal("500.00")
DEFAULT_SESSION_TIMEOUT = 3600  # only if bunq's user object lacks session_timeout
PSD2_FIRST_SESSION = 3600  # "The first session will last 1 hour" (docs/protocol.md#sessions)


def _amount_json(amount: AmountLike, currency: str = "EUR") -> dict[str, str]:
    if isinstance(amount, Amount):
        return {"value": format_amount(amount.value), "currency": amount.currency}
    return {"value": format_amount(amount), "currency": currency}


def _page_key(url: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """A page's identity: its path and its query parameters in any order."""
    parts = urlsplit(url)
    return parts.path.rstrip("/"), tuple(sorted(parse_qsl(parts.query, keep_blank_values=True)))


class BunqOperations(
    MoneyOperations, CardOperations, NoteOperations, EventOperations, StatementOperations
):
    """The state of one bunq client and its operations as flows; a driver runs them.

    Share one ``rate_limiter`` (given to the driver) between clients that run from the same IP.
    ``backoff_base`` is the first wait after a 429 (≥ 3 s against bunq; tests inject less),
    ``retry_base`` the first wait before retrying a GET after a 5xx or a dropped connection.
    """

    def __init__(
        self,
        environment: Environment,
        *,
        context: ApiContext | None = None,
        on_context_change: ContextCallback | None = None,
        backoff_base: float = 3.0,
        retry_base: float = 0.5,
        max_retries: int = 3,
        language: str = "en_US",
        region: str = "nl_NL",
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.environment = environment
        self.context = context
        self.on_context_change = on_context_change
        self.session_user: User | None = None  # the user the last session-server returned
        self.transport = Exchange(
            origin=environment.root_url,  # no request of this client goes to another host
            backoff_base=backoff_base,
            retry_base=retry_base,
            max_retries=max_retries,
            language=language,
            region=region,
        )
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._keys: dict[str, Any] = {}

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(environment={self.environment.name!r}, "
            f"context={self.context!r})"
        )

    # --- plumbing ---------------------------------------------------------------------------

    def _url(self, path: str, params: dict[str, Any] | None = None) -> str:
        url = self.environment.api_base_url.rstrip("/") + "/" + path.lstrip("/")
        if params:
            clean = {k: v for k, v in params.items() if v is not None}
            return str(httpx.URL(url, params=clean))
        return url

    def _follow_url(self, relative: str) -> str:
        """Join a pagination URL (``/v1/...``) with scheme+host only: never ``/v1/v1``."""
        parts = urlsplit(relative)
        root = urlsplit(self.environment.api_base_url)
        if parts.netloc and (parts.scheme, parts.netloc) != (root.scheme, root.netloc):
            # never send the session token to a host bunq's answer named
            raise ProtocolError("bunq sent a pagination URL on another host.")
        if not parts.path.startswith("/"):
            raise ProtocolError("bunq sent a pagination URL that is not absolute.")
        query = f"?{parts.query}" if parts.query else ""
        return f"{root.scheme}://{root.netloc}{parts.path}{query}"

    def _private_key(self, ctx: ApiContext) -> rsa.RSAPrivateKey:
        pem = ctx.private_key_pem or ""
        key = self._keys.get(pem)
        if key is None:
            try:
                key = crypto.private_key_from_pem(pem)
            except ValueError as exc:
                raise ProtocolError("The stored bunq context has no usable private key.") from exc
            self._keys[pem] = key
        return key

    def _server_key(self, ctx: ApiContext) -> rsa.RSAPublicKey:
        pem = ctx.server_public_key_pem or ""
        key = self._keys.get(pem)
        if key is None:
            try:
                key = crypto.load_public_key(pem)
            except ValueError as exc:
                raise ProtocolError("bunq's server public key is unreadable.") from exc
            self._keys[pem] = key
        return key

    def _set_context(self, ctx: ApiContext) -> Flow[None]:
        self.context = ctx
        if self.on_context_change is not None:
            yield Notify(self.on_context_change, ctx)

    def _require_context(self) -> ApiContext:
        if self.context is None or not self.context.has_installation:
            raise BunqError(
                "There is no bunq connection yet: log in (create an API context) first."
            )
        return self.context

    def _credentials_error(self, ctx: ApiContext, exc: BunqError) -> BunqError:
        if not is_credentials_error(exc):
            return exc
        return CredentialsError(
            masked_secret=mask_secret(ctx.secret),
            environment=ctx.environment_name,
            permitted_ips=ctx.permitted_ips,
            status=exc.status,
            translated=exc.translated,
            response_id=exc.response_id,
            request_id=exc.request_id,
        )

    def _installation_call(
        self, ctx: ApiContext, path: str, payload: Any, *, signed: bool = False
    ) -> Flow[Envelope]:
        """A call authenticated with the installation token (device, session, PSD2 credential)."""
        try:
            envelope: Envelope = yield from self.transport.exchange(
                "POST",
                self._url(path),
                payload=payload,
                token=ctx.installation_token,
                sign_with=self._private_key(ctx) if signed else None,
                server_key=self._server_key(ctx),
            )
            return envelope
        except BadRequestError as exc:
            raise self._credentials_error(ctx, exc) from None

    # --- context lifecycle ------------------------------------------------------------------

    def _install(
        self, *, description: str, permitted_ips: tuple[str, ...], secret_kind: str
    ) -> Flow[ApiContext]:
        """POST /installation with a fresh RSA-2048 key (1 request)."""
        key = yield Compute(crypto.generate_key_pair)
        envelope = yield from self.transport.exchange(
            "POST",
            self._url("/installation"),
            payload={"client_public_key": crypto.public_key_pem(key)},
        )
        installation_id = envelope.id()
        token = envelope.first("Token").get("token")
        server_pem = envelope.first("ServerPublicKey").get("server_public_key")
        if not isinstance(token, str) or not isinstance(server_pem, str):
            raise ProtocolError("bunq's installation answer lacks its token or server key.")
        ctx = ApiContext.for_environment(
            self.environment,
            secret_kind=secret_kind,
            private_key_pem=crypto.private_key_to_pem(key),
            installation_id=installation_id,
            installation_token=token,
            server_public_key_pem=server_pem,
            description=description,
            permitted_ips=tuple(permitted_ips),
        )
        self._server_key(ctx)  # fail now, not on the next answer, if the key is unreadable
        self._keys[ctx.private_key_pem or ""] = key
        return ctx

    def _register_device(self, ctx: ApiContext, secret: str) -> Flow[int]:
        """POST /device-server binding ``secret`` to this installation (1 request)."""
        envelope = yield from self._installation_call(
            ctx,
            "/device-server",
            {
                "description": ctx.description,
                "secret": secret,
                "permitted_ips": list(ctx.permitted_ips),
            },
        )
        return envelope.id()

    def _open_session(self, ctx: ApiContext) -> Flow[ApiContext]:
        """POST /session-server (signed) → a context with a fresh session (1 request)."""
        if not ctx.secret:
            raise BunqError("The stored bunq context has no API key or token to log in with.")
        envelope = yield from self._installation_call(
            ctx, "/session-server", {"secret": ctx.secret}, signed=True
        )
        if len(envelope.items) < 3:
            raise ProtocolError("bunq's session answer lacks the user.")
        session_id = envelope.id()
        token = envelope.first("Token").get("token")
        if not isinstance(token, str):
            raise ProtocolError("bunq's session answer lacks its token.")
        user = user_from_anchor(envelope.items[2])
        timeout = user.session_timeout or DEFAULT_SESSION_TIMEOUT
        granted = user.granted_by.id if isinstance(user, UserApiKey) and user.granted_by else None
        self.session_user = user
        return replace(
            ctx,
            session_id=session_id,
            session_token=token,
            session_expiry=self._clock() + dt.timedelta(seconds=timeout),
            user_kind=user.kind,
            user_id=user.id,
            granted_user_id=granted,
        )

    def _create_context(
        self,
        secret: str,
        *,
        description: str = "bunqtui",
        permitted_ips: tuple[str, ...] | list[str] = ("*",),
        secret_kind: str = KIND_API_KEY,
    ) -> Flow[ApiContext]:
        """Installation → device-server → session-server for an API key or token (3 requests)."""
        ctx = yield from self._install(
            description=description, permitted_ips=tuple(permitted_ips), secret_kind=secret_kind
        )
        ctx.secret = secret
        ctx.device_id = yield from self._register_device(ctx, secret)
        ctx = yield from self._open_session(ctx)
        yield from self._set_context(ctx)
        return ctx

    create_context = operation(_create_context)

    def _create_context_on_installation(
        self, base: ApiContext, secret: str, secret_kind: str = KIND_OAUTH
    ) -> Flow[ApiContext]:
        """A context for another secret (an OAuth access token) on ``base``'s installation.

        bunq binds a not-yet-used secret to the installation's existing device
        (docs/protocol.md#connected-users), so this
        is one session-server call. If bunq refuses, the secret gets its own device on the same
        installation and the session is retried.
        """
        if not base.has_installation:
            raise BunqError("The base bunq context has no installation to reuse.")
        ctx = replace(
            base.without_session(),
            secret=secret,
            secret_kind=secret_kind,
            user_kind=None,
            user_id=None,
            granted_user_id=None,
        )
        try:
            ctx = yield from self._open_session(ctx)
        except CredentialsError:
            ctx.device_id = yield from self._register_device(ctx, secret)
            ctx = yield from self._open_session(ctx)
        yield from self._set_context(ctx)
        return ctx

    create_context_on_installation = operation(_create_context_on_installation)

    def _register_psd2_credential(
        self,
        cert_pem: str,
        chain_pem: str | None,
        cert_private_key: rsa.RSAPrivateKey | str,
        *,
        context: ApiContext | None = None,
    ) -> Flow[CredentialPasswordIp]:
        """POST /payment-service-provider-credential on an installation (1 request)."""
        ctx = context or self._require_context()
        key = (
            crypto.private_key_from_pem(cert_private_key)
            if isinstance(cert_private_key, str)
            else cert_private_key
        )
        client_public = crypto.public_key_pem(self._private_key(ctx))
        envelope = yield from self._installation_call(
            ctx,
            "/payment-service-provider-credential",
            {
                "client_payment_service_provider_certificate": cert_pem,
                "client_payment_service_provider_certificate_chain": chain_pem or cert_pem,
                "client_public_key_signature": crypto.psd2_key_signature(
                    key, client_public, ctx.installation_token or ""
                ),
            },
        )
        return CredentialPasswordIp.from_json(envelope.first("CredentialPasswordIp"))

    register_psd2_credential = operation(_register_psd2_credential)

    def _create_psd2_context(
        self,
        certificate_pem: str,
        private_key_pem: str,
        chain_pem: str | None = None,
        *,
        description: str = "bunqtui",
        permitted_ips: tuple[str, ...] | list[str] = ("*",),
    ) -> Flow[ApiContext]:
        """Installation → PSD2 credential → device → session (4 requests)."""
        ctx = yield from self._install(
            description=description, permitted_ips=tuple(permitted_ips), secret_kind=KIND_PSD2
        )
        credential = yield from self._register_psd2_credential(
            certificate_pem, chain_pem, private_key_pem, context=ctx
        )
        if not credential.token_value:
            raise ProtocolError("bunq's PSD2 credential answer lacks its token.")
        ctx.secret = credential.token_value
        ctx.device_id = yield from self._register_device(ctx, ctx.secret)
        ctx = yield from self._open_session(ctx)
        if ctx.session_expiry is not None:
            first = self._clock() + dt.timedelta(seconds=PSD2_FIRST_SESSION)
            ctx.session_expiry = min(ctx.session_expiry, first)
        yield from self._set_context(ctx)
        return ctx

    create_psd2_context = operation(_create_psd2_context)

    def _ensure_session(self) -> Flow[ApiContext]:
        """Open a session if there is none or it has < 30 s left (0 or 1 request)."""
        ctx = self._require_context()
        if ctx.session_valid(self._clock()):
            return ctx
        return (yield from self._renew_session(ctx.session_token))

    ensure_session = operation(_ensure_session)

    def _installation_known(self) -> Flow[bool]:
        """GET /installation with the installation token: does bunq still know it? (1 request)

        False when bunq refuses the token (401/403, verified or not: an emulator restarted
        without its state, or a sandbox reset, signs with a key we do not have). Any other
        failure — network, 5xx, 429 — is raised: it says nothing about the installation."""
        ctx = self._require_context()
        try:
            yield from self.transport.exchange(
                "GET",
                self._url("/installation"),
                token=ctx.installation_token,
                server_key=self._server_key(ctx),
            )
        except (UnauthorizedError, ForbiddenError):
            return False
        except SignatureError as exc:
            if exc.status in (401, 403):
                return False
            raise
        return True

    installation_known = operation(_installation_known)

    def _renew_session(self, stale_token: str | None) -> Flow[ApiContext]:
        ctx: ApiContext = yield Locked(self._renew_locked(stale_token))  # the sub-flow's result
        return ctx

    def _renew_locked(self, stale_token: str | None) -> Flow[ApiContext]:
        ctx = self._require_context()
        # another task may already have renewed it while we waited for the lock
        if ctx.session_token != stale_token and ctx.session_valid(self._clock()):
            return ctx
        ctx = yield from self._open_session(ctx)
        yield from self._set_context(ctx)
        return ctx

    def _delete_session(self) -> Flow[None]:
        """DELETE /session/{id}; the context keeps its installation (1 request)."""
        ctx = self._require_context()
        if ctx.session_token:
            try:
                yield from self.transport.exchange(
                    "DELETE",
                    self._url(f"/session/{ctx.session_id or 0}"),
                    token=ctx.session_token,
                    server_key=self._server_key(ctx),
                )
            except (UnauthorizedError, ForbiddenError) as exc:
                if not is_stale_session(exc):
                    raise  # a stale session is already gone: that is what we wanted
        yield from self._set_context(ctx.without_session())

    delete_session = operation(_delete_session)

    # --- authenticated requests -------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        signed: bool = False,
        request_id: str | None = None,
        url: str | None = None,
    ) -> Flow[Envelope]:
        """A session-authenticated call; a stale session is renewed once and the call retried."""
        target = url or self._url(path, params)
        request_id = request_id or str(uuid.uuid4())
        ctx = yield from self._ensure_session()
        try:
            return (yield from self._session_send(ctx, method, target, json, signed, request_id))
        except (UnauthorizedError, ForbiddenError) as exc:
            if not is_stale_session(exc):
                raise
        # bunq dropped the session early: one new session, one retry, never a loop
        # (docs/protocol.md#stale-sessions); bunq refuses a request id it has seen
        ctx = yield from self._renew_session(ctx.session_token)
        return (yield from self._session_send(ctx, method, target, json, signed, str(uuid.uuid4())))

    request = operation(_request)

    def _session_send(
        self,
        ctx: ApiContext,
        method: str,
        url: str,
        payload: Any,
        signed: bool,
        request_id: str,
    ) -> Flow[Envelope]:
        envelope: Envelope = yield from self.transport.exchange(
            method,
            url,
            payload=payload,
            token=ctx.session_token,
            sign_with=self._private_key(ctx) if signed else None,
            server_key=self._server_key(ctx),
            request_id=request_id,
        )
        return envelope

    def _user(self, user_id: int | None) -> int:
        if user_id is not None:
            return user_id
        ctx = self._require_context()
        if ctx.user_id is None:
            raise BunqError("The bunq context has no user yet: open a session first.")
        return ctx.user_id

    def _page(
        self,
        path: str,
        parse: Callable[[Any], T],
        *,
        params: dict[str, Any] | None = None,
        url: str | None = None,
    ) -> Flow[Page[T]]:
        envelope = yield from self._request("GET", path, params=params, url=url)
        pagination = envelope.pagination or {}
        return Page(
            [parse(item) for item in envelope.items],
            older_url=pagination.get("older_url"),
            newer_url=pagination.get("newer_url"),
            future_url=pagination.get("future_url"),
        )

    def _walk(
        self,
        path: str,
        parse: Callable[[Any], T],
        *,
        count: int,
        newer_id: int | None,
        collect: bool = False,
    ) -> Flow[list[T]]:
        """Newest first along ``older_url``; with ``newer_id``, stop at the first id ≤ it.
        Each item is Emitted (``collect``: gathered and returned instead).

        A hostile or broken server cannot make this loop: every page after the first must hold
        only ids older than every id before it, and its URL must be new with a smaller
        ``older_id``; otherwise PaginationError.
        """
        url = self._url(path, {"count": check_count(count)})
        seen = {_page_key(url)}
        floor: int | None = None  # the oldest id of the pages so far
        cursor: int | None = None  # the last older_id followed
        collected: list[T] = []
        page = yield from self._page(path, parse, url=url)
        while True:
            ids = []
            for item in page.items:
                item_id = getattr(item, "id", 0)
                if floor is not None and item_id >= floor:
                    raise PaginationError(
                        "bunq's next page repeats or goes back to items it already sent "
                        f"(id {item_id} after {floor}); stopped reading the list."
                    )
                if newer_id is not None and item_id <= newer_id:
                    return collected
                ids.append(item_id)
                if collect:
                    collected.append(item)
                else:
                    yield Emit(item)
            if not page.older_url:
                return collected
            if not ids:
                raise PaginationError(
                    "bunq sent an empty page that points to an older one; stopped reading the list."
                )
            floor = min([*ids, floor] if floor is not None else ids)
            url = self._follow_url(page.older_url)
            key = _page_key(url)
            if key in seen:
                raise PaginationError(
                    "bunq's pagination points back to a page it already sent (a loop); "
                    "stopped reading the list."
                )
            seen.add(key)
            older = page.older_id
            if older is not None:
                if cursor is not None and older >= cursor:
                    raise PaginationError(
                        "bunq's pagination does not move to older items; stopped reading the list."
                    )
                cursor = older
            page = yield from self._page(path, parse, url=url)

    # --- sandbox ----------------------------------------------------------------------------

    def _create_sandbox_user(self, kind: str = "person") -> Flow[str]:
        """POST /sandbox-user-person|company → a new sandbox API key (1 request, unsigned).
        The drivers' ``create_sandbox_user`` classmethods run it on a client of their own."""
        if not self.environment.is_sandbox:
            raise ValueError("sandbox users exist only in the sandbox (and the emulator)")
        if kind not in ("person", "company"):
            raise ValueError(f"sandbox user kind must be person or company, not {kind!r}")
        # no installation yet, so nothing to verify against (as in every bunq client)
        envelope = yield from self.transport.exchange("POST", self._url(f"/sandbox-user-{kind}"))
        api_key = envelope.first("ApiKey").get("api_key")
        if not isinstance(api_key, str):
            raise ProtocolError("bunq's sandbox-user answer lacks the API key.")
        return api_key

    def _request_sugar_daddy(
        self,
        user_id: int | None,
        account_id: int,
        amount: AmountLike = SUGAR_DADDY_CAP,
        description: str = "bunqtui sandbox top-up",
    ) -> Flow[int]:
        """Ask Sugar Daddy for up to €500 (sandbox only, accepted asynchronously; 1 request)."""
        if not self.environment.is_sandbox:
            raise ValueError("Sugar Daddy exists only in the sandbox")
        value = Decimal(_amount_json(amount)["value"])
        if not Decimal("0") < value <= SUGAR_DADDY_CAP:
            raise ValueError("Sugar Daddy gives between €0.01 and €500.00 per request")
        return (
            yield from self._create_request_inquiry(
                user_id, account_id, _amount_json(amount), SUGAR_DADDY, description
            )
        )

    request_sugar_daddy = operation(_request_sugar_daddy)

    # --- users and accounts -----------------------------------------------------------------

    def _get_user(self, user_id: int | None = None) -> Flow[User]:
        """GET /user/{id} (1 request)."""
        envelope = yield from self._request("GET", f"/user/{self._user(user_id)}")
        if not envelope.items:
            raise ProtocolError("bunq's user answer is empty.")
        return user_from_anchor(envelope.items[0])

    get_user = operation(_get_user)

    def _list_monetary_accounts(
        self, user_id: int | None = None, *, count: int = MAX_COUNT
    ) -> Flow[list[MonetaryAccount]]:
        """Every monetary account of every type (1 request per 200 accounts)."""
        path = f"/user/{self._user(user_id)}/monetary-account"
        return (
            yield from self._walk(
                path, MonetaryAccount.from_anchor, count=count, newer_id=None, collect=True
            )
        )

    list_monetary_accounts = operation(_list_monetary_accounts)

    def _get_monetary_account(self, user_id: int | None, account_id: int) -> Flow[MonetaryAccount]:
        envelope = yield from self._request(
            "GET", f"/user/{self._user(user_id)}/monetary-account/{account_id}"
        )
        if not envelope.items:
            raise ProtocolError("bunq's monetary account answer is empty.")
        return MonetaryAccount.from_anchor(envelope.items[0])

    get_monetary_account = operation(_get_monetary_account)

    # --- payments ---------------------------------------------------------------------------

    def _payments_path(self, user_id: int | None, account_id: int) -> str:
        return f"/user/{self._user(user_id)}/monetary-account/{account_id}/payment"

    @staticmethod
    def _payment(item: Any) -> Payment:
        kind, obj = anchor(item, "a payment")
        if kind != "Payment":
            raise ProtocolError(f"bunq sent a {kind} where a Payment was expected.")
        return Payment.from_json(obj)

    def _list_payments(
        self,
        user_id: int | None,
        account_id: int,
        *,
        count: int = MAX_COUNT,
        older_id: int | None = None,
        newer_id: int | None = None,
    ) -> Flow[Page[Payment]]:
        """One page, newest first (1 request)."""
        params = {"count": check_count(count), "older_id": older_id, "newer_id": newer_id}
        return (
            yield from self._page(
                self._payments_path(user_id, account_id), self._payment, params=params
            )
        )

    list_payments = operation(_list_payments)

    def _iter_payments(
        self,
        user_id: int | None,
        account_id: int,
        *,
        count: int = MAX_COUNT,
        newer_id: int | None = None,
    ) -> Flow[list[Payment]]:
        """All payments newest first, following ``older_url``; only those after ``newer_id``
        if given (one request when fewer than ``count`` are new)."""
        return (
            yield from self._walk(
                self._payments_path(user_id, account_id),
                self._payment,
                count=count,
                newer_id=newer_id,
            )
        )

    iter_payments = iteration(_iter_payments)

    def _get_payment(self, user_id: int | None, account_id: int, payment_id: int) -> Flow[Payment]:
        envelope = yield from self._request(
            "GET", f"{self._payments_path(user_id, account_id)}/{payment_id}"
        )
        if not envelope.items:
            raise ProtocolError("bunq's payment answer is empty.")
        return self._payment(envelope.items[0])

    get_payment = operation(_get_payment)

    def _create_payment(
        self,
        user_id: int | None,
        account_id: int,
        amount: AmountLike,
        counterparty: Pointer,
        description: str,
    ) -> Flow[int]:
        """A signed payment POST (1 request). Never sent twice by the client itself: a 5xx
        or a broken connection raises with "outcome unknown"; check the payments before
        paying again (core/money.py looks it up)."""
        envelope = yield from self._request(
            "POST",
            self._payments_path(user_id, account_id),
            json={
                "amount": _amount_json(amount),
                "counterparty_alias": counterparty.to_json(),
                "description": description,
            },
            signed=True,
        )
        return envelope.id()

    create_payment = operation(_create_payment)

    # --- requests ---------------------------------------------------------------------------

    def _requests_path(self, user_id: int | None, account_id: int) -> str:
        return f"/user/{self._user(user_id)}/monetary-account/{account_id}/request-inquiry"

    @staticmethod
    def _request_inquiry(item: Any) -> RequestInquiry:
        kind, obj = anchor(item, "a request")
        if kind != "RequestInquiry":
            raise ProtocolError(f"bunq sent a {kind} where a RequestInquiry was expected.")
        return RequestInquiry.from_json(obj)

    def _create_request_inquiry(
        self,
        user_id: int | None,
        account_id: int,
        amount: AmountLike | dict[str, str],
        counterparty: Pointer,
        description: str,
        *,
        allow_bunqme: bool = False,
    ) -> Flow[int]:
        """POST .../request-inquiry (1 request)."""
        amount_json = amount if isinstance(amount, dict) else _amount_json(amount)
        envelope = yield from self._request(
            "POST",
            self._requests_path(user_id, account_id),
            json={
                "amount_inquired": amount_json,
                "counterparty_alias": counterparty.to_json(),
                "description": description,
                "allow_bunqme": allow_bunqme,
            },
        )
        return envelope.id()

    create_request_inquiry = operation(_create_request_inquiry)

    def _list_request_inquiries(
        self,
        user_id: int | None,
        account_id: int,
        *,
        count: int = MAX_COUNT,
        older_id: int | None = None,
        newer_id: int | None = None,
    ) -> Flow[Page[RequestInquiry]]:
        params = {"count": check_count(count), "older_id": older_id, "newer_id": newer_id}
        return (
            yield from self._page(
                self._requests_path(user_id, account_id), self._request_inquiry, params=params
            )
        )

    list_request_inquiries = operation(_list_request_inquiries)

    # --- OAuth client management ------------------------------------------------------------

    def _get_or_create_oauth_client(self, user_id: int | None = None) -> Flow[OauthClient]:
        """bunq allows one OAuth client per user: reuse it (1 request) or create it (3)."""
        path = f"/user/{self._user(user_id)}/oauth-client"
        envelope = yield from self._request("GET", path)
        clients = [OauthClient.from_json(obj) for obj in envelope.all("OauthClient")]
        usable = [c for c in clients if c.status in (None, "ACTIVE")]
        if usable:
            return usable[0]
        if clients:
            raise BunqError(
                "This bunq user's OAuth client is cancelled; reactivate it in the bunq app."
            )
        client_id = (yield from self._request("POST", path, json={"status": "ACTIVE"})).id()
        created = yield from self._request("GET", f"{path}/{client_id}")
        return OauthClient.from_json(created.first("OauthClient"))

    get_or_create_oauth_client = operation(_get_or_create_oauth_client)

    def _ensure_callback_url(
        self, user_id: int | None, oauth_client_id: int, url: str
    ) -> Flow[OauthCallbackUrl]:
        """Register ``url`` on the OAuth client (its numeric ``id``) unless it is there already
        (1 request if present, 2 if added)."""
        path = f"/user/{self._user(user_id)}/oauth-client/{oauth_client_id}/callback-url"
        envelope = yield from self._request("GET", path)
        for obj in envelope.all("OauthCallbackUrl"):
            existing = OauthCallbackUrl.from_json(obj)
            if existing.url == url:  # bunq matches redirect URIs exactly
                return existing
        new_id = (yield from self._request("POST", path, json={"url": url})).id()
        return OauthCallbackUrl(id=new_id, url=url, raw={"id": new_id, "url": url})

    ensure_callback_url = operation(_ensure_callback_url)
