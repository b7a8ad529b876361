"""The sans-IO core of bunqtui.api: bunq's protocol as plain code that never touches a socket,
a clock it does not own, or an event loop (design.md, "bunqtui.api is sans-IO").

**Why generator flows.** Every operation is a generator (a *flow*) that yields an effect —
:class:`Send` this request, :class:`Sleep` this long, :class:`Compute` this CPU-heavy step,
run this sub-flow :class:`Locked` under the client's session lock, :class:`Notify` a callback,
:class:`Emit` an item of a listing — and receives the outcome back through ``send()`` (a
:class:`Reply` or :class:`Failed` for a Send), or an exception through ``throw()``. That is how
httpx's own auth flows and psycopg's generators work. It was chosen over a set of pure
functions that each driver calls in order because bunq's operations are multi-step (handshake,
renew-and-retry once, retries with back-off, pagination with progress checks, get-or-create):
as flows, every step, branch and ``try/except`` is written exactly once, and a driver is one
small loop plus one handler per effect. It was chosen over generated code (unasync) because it
needs no build step and the protocol stays testable without any I/O at all.

Two drivers carry the effects out: :mod:`bunqtui.api.sync_client` over ``httpx.Client`` (no
event loop to start, for one-shot CLI commands) and :mod:`bunqtui.api.transport` over
``httpx.AsyncClient`` (the TUI and long syncs). A public operation is declared once with
:class:`operation` (or :class:`iteration` for a lazy listing) and each driver runs it.

This module holds the effects, one exchange (:class:`Exchange`: serialise once, sign those
bytes, retry policy, verify the raw answer, parse or raise the typed error) and the pure checks
(:func:`guard_url`, the body cap). It uses httpx only as a library of data types (``URL`` parses
exactly what a client would connect to; ``Headers`` is case-insensitive), never a client.
"""

from __future__ import annotations

import functools
import json
import logging
import random
import uuid
from collections.abc import Callable, Coroutine, Generator, Iterator
from dataclasses import dataclass, field
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, cast, overload

from cryptography.hazmat.primitives.asymmetric import rsa

from bunqtui import __version__
from bunqtui.api import crypto
from bunqtui.api._httpx import httpx
from bunqtui.api.envelope import error_from_response, parse_success
from bunqtui.api.environment import is_loopback_host
from bunqtui.api.errors import (
    BunqError,
    ConnectionLostError,
    InsecureURLError,
    NetworkError,
    ProtocolError,
    ResponseTooLargeError,
    ServerError,
    SignatureError,
)
from bunqtui.api.ratelimit import parse_limit

log = logging.getLogger("bunqtui.api.transport")  # the name users already filter on

T = TypeVar("T")
P = ParamSpec("P")

USER_AGENT = f"bunqtui/{__version__}"
SAFE_METHODS = frozenset({"GET", "HEAD"})
# statuses bunq answers without a signature (docs/protocol.md#response-signatures): rate limit,
# maintenance, gateway pages
UNSIGNED_STATUSES = frozenset({409, 429, 491})
# bunq's largest answers (200 payments) are a few hundred kB; anything near this is not bunq
MAX_BODY_BYTES = 32 * 1024 * 1024
_DEFAULT_PORTS = {"http": 80, "https": 443}


# --- effects: what a flow asks its driver to do ---------------------------------------------


@dataclass(frozen=True, slots=True)
class Send:
    """Send this request (paced by the driver's rate limiter, body read under ``max_body``);
    the driver answers with a :class:`Reply`, or :class:`Failed` if no answer came."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes = b""
    max_body: int = MAX_BODY_BYTES


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    headers: httpx.Headers
    content: bytes


@dataclass(frozen=True, slots=True)
class Failed:
    """No answer: ``reason`` names the failure; ``never_sent`` when the request certainly never
    left (the connection was never made), so resending it cannot do anything twice."""

    reason: str
    never_sent: bool

    @classmethod
    def of(cls, exc: httpx.HTTPError) -> Failed:
        return cls(type(exc).__name__, isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout))


@dataclass(frozen=True, slots=True)
class Sleep:
    seconds: float


@dataclass(frozen=True, slots=True)
class Compute:
    """A CPU-heavy step (an RSA key); the async driver runs it off the event loop."""

    fn: Callable[[], Any]


@dataclass(frozen=True, slots=True)
class Locked:
    """Run this sub-flow holding the client's session lock; answers with its result."""

    flow: Flow[Any]


@dataclass(frozen=True, slots=True)
class Notify:
    """Call ``callback(value)`` (awaiting its result, in the async driver, if it is awaitable)."""

    callback: Callable[[Any], Any]
    value: Any


@dataclass(frozen=True, slots=True)
class Emit:
    """One item of a listing, for the caller iterating it."""

    item: Any


Effect = Send | Sleep | Compute | Locked | Notify | Emit
Flow = Generator[Effect, Any, T]


# --- declaring an operation once, for both drivers -------------------------------------------


class AsyncRunner:
    """A driver whose ``_run`` returns a coroutine (marks the type of its operations)."""

    def _run(self, flow: Flow[T]) -> Coroutine[Any, Any, T]:
        raise NotImplementedError

    def _iterate(self, flow: Flow[Any]) -> Any:
        raise NotImplementedError


class SyncRunner:
    """A driver whose ``_run`` returns the result itself."""

    def _run(self, flow: Flow[T]) -> T:
        raise NotImplementedError

    def _iterate(self, flow: Flow[Any]) -> Iterator[Any]:
        raise NotImplementedError


class operation(Generic[P, T]):
    """``name = operation(_name_flow)``: the flow, run by whichever driver the client has —
    ``await client.name(...)`` on BunqClient, ``client.name(...)`` on SyncBunqClient."""

    def __init__(self, flow: Callable[Concatenate[Any, P], Flow[T]]) -> None:
        self.flow = flow
        # typeshed wants a function as the wrapper; a descriptor takes the name and doc as well
        functools.update_wrapper(cast(Any, self), flow)

    @overload
    def __get__(self, obj: None, owner: type) -> operation[P, T]: ...
    @overload
    def __get__(self, obj: AsyncRunner, owner: type) -> Callable[P, Coroutine[Any, Any, T]]: ...
    @overload
    def __get__(self, obj: SyncRunner, owner: type) -> Callable[P, T]: ...
    def __get__(self, obj: Any, owner: type) -> Any:
        if obj is None:
            return self
        flow = self.flow

        def run(*args: P.args, **kwargs: P.kwargs) -> Any:
            return obj._run(flow(obj, *args, **kwargs))

        return functools.update_wrapper(run, flow)


class iteration(operation[P, T]):
    """``name = iteration(_name_flow)``: a flow that Emits items, as a lazy iterator —
    ``async for x in client.name(...)`` or ``for x in client.name(...)``. A page is fetched
    only when the caller has taken the items before it."""

    def __get__(self, obj: Any, owner: type) -> Any:
        if obj is None:
            return self
        flow = self.flow

        def run(*args: Any, **kwargs: Any) -> Any:
            return obj._iterate(flow(obj, *args, **kwargs))

        return functools.update_wrapper(run, flow)


# --- pure checks ----------------------------------------------------------------------------


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port or _DEFAULT_PORTS.get(url.scheme)


def guard_url(url: str | httpx.URL, origin: str | httpx.URL | None = None) -> httpx.URL:
    """The URL as httpx will use it, or InsecureURLError: plain http to a host that is not this
    machine, anything but http(s), or (with ``origin``) another scheme/host/port than that.

    Parsed by httpx itself, so what is checked is exactly what would be connected to.
    """
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        raise InsecureURLError("bunqtui refused a request to a URL it cannot parse.") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise InsecureURLError("bunqtui refused a request to a URL that is not http(s).")
    if parsed.scheme == "http" and not is_loopback_host(parsed.host):
        raise InsecureURLError(
            f"bunqtui refused to send a request over plain http:// to {parsed.host}: keys and "
            "tokens would travel unencrypted. Use https:// (plain http only to this machine)."
        )
    if origin is not None and _origin(parsed) != _origin(httpx.URL(origin)):
        raise InsecureURLError(
            f"bunqtui refused to send this environment's credentials to another host "
            f"({parsed.host}); only {httpx.URL(origin).host} is bunq here."
        )
    return parsed


@dataclass(slots=True)
class CappedBody:
    """A body collected chunk by chunk; ResponseTooLargeError as soon as it passes ``limit``
    (or its declared length does), so a huge or endless answer is never held whole. Each driver
    feeds it from its own stream."""

    status: int
    headers: httpx.Headers
    limit: int = MAX_BODY_BYTES
    buffer: bytearray = field(default_factory=bytearray)

    def __post_init__(self) -> None:
        declared = self.headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > self.limit:
            raise self._too_large()

    def add(self, chunk: bytes) -> None:
        self.buffer += chunk
        if len(self.buffer) > self.limit:
            raise self._too_large()

    def _too_large(self) -> ResponseTooLargeError:
        limit = self.limit
        return ResponseTooLargeError(
            f"bunq's answer is larger than {limit // (1024 * 1024) or limit} "
            f"{'MB' if limit >= 1024 * 1024 else 'bytes'}, more than bunq ever sends; "
            "it was refused.",
            status=self.status,
        )


def serialise(payload: Any) -> bytes:
    """Compact JSON bytes: the exact bytes that are both signed and sent."""
    if payload is None:
        return b""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=True).encode("ascii")


# --- one exchange -----------------------------------------------------------------------------


class Exchange:
    """One signed, verified, retried exchange with bunq (docs/protocol.md#headers, #signing,
    #errors, #retries, #rate-limits), as a flow.

    The body is serialised once; those bytes are signed and those bytes are sent. The server
    signature is checked over the raw body bytes before any JSON parsing, so the data of an
    answer that fails verification never reaches the caller, and the text of an unverified
    error answer is never shown as bunq's. Every request passes :func:`guard_url` first.
    Knows nothing about sessions or operations; counts requests and retries for diagnostics.
    """

    def __init__(
        self,
        *,
        backoff_base: float = 3.0,
        retry_base: float = 0.5,
        max_retries: int = 3,
        origin: str | None = None,
        max_body: int = MAX_BODY_BYTES,
        language: str = "en_US",
        region: str = "nl_NL",
        geolocation: str = "0 0 0 0 000",
    ) -> None:
        self.backoff_base = backoff_base
        self.retry_base = retry_base
        self.max_retries = max_retries
        self.origin = origin  # scheme://host:port every request must go to (None: any)
        self.max_body = max_body
        self.language = language
        self.region = region
        self.geolocation = geolocation
        self.retries = 0
        self.requests_sent = 0

    def headers(self, request_id: str, token: str | None, has_body: bool) -> dict[str, str]:
        headers = {
            "User-Agent": USER_AGENT,
            "Cache-Control": "no-cache",
            "X-Bunq-Language": self.language,
            "X-Bunq-Region": self.region,
            "X-Bunq-Geolocation": self.geolocation,
            "X-Bunq-Client-Request-Id": request_id,
        }
        if token:
            headers["X-Bunq-Client-Authentication"] = token
        if has_body:
            headers["Content-Type"] = "application/json"
        return headers

    def retry_wait(
        self, method: str, outcome: Reply | Failed, attempt: int, retry_failures: bool
    ) -> float | None:
        """The retry policy: seconds to wait before attempt ``attempt + 1``, or None.

        429/409 (bunq did not process it) and a request that never left are retried for every
        method; 5xx, 491 and a broken connection only for GET/HEAD (or ``retry_failures``):
        money never moves twice. Exponential with jitter, never less than the base — except
        the first wait after a 429 that names its limit: at most one slot of that window.
        """
        if attempt >= self.max_retries:
            return None
        if isinstance(outcome, Failed):
            if not (retry_failures or outcome.never_sent):
                return None
            base = self.retry_base
        elif outcome.status in (409, 429):
            base = self.backoff_base
            named = parse_limit(outcome.content) if outcome.status == 429 else None
            if named is not None and attempt == 0:
                # the limiter now paces the retry by the window bunq named: wait one slot of it
                # at most (a limiter that is off gets the whole back-off from the next 429 on)
                return min(base * (1 + random.uniform(0, 0.5)), named.per_seconds / named.calls)
        elif (outcome.status >= 500 or outcome.status == 491) and retry_failures:
            base = self.retry_base
        else:
            return None
        return min(base * 2.0**attempt, 30.0) * (1 + random.uniform(0, 0.5))

    def exchange(
        self,
        method: str,
        url: str,
        *,
        payload: Any = None,
        token: str | None = None,
        sign_with: rsa.RSAPrivateKey | None = None,
        server_key: rsa.RSAPublicKey | None = None,
        request_id: str | None = None,
        raw: bool = False,
    ) -> Flow[Any]:
        """One exchange. ``server_key`` None means "cannot verify" (installation, sandbox user).

        Each attempt carries its own request id (``request_id`` is the first one's): bunq
        refuses an id it has seen on the device (docs/protocol.md#headers), and only a request
        bunq certainly did not process is ever resent.
        """
        method = method.upper()
        guard_url(url, self.origin)  # before anything is built, signed or sent
        body = serialise(payload)
        request_id = request_id or str(uuid.uuid4())
        headers = self.headers(request_id, token, bool(body))
        if sign_with is not None:
            headers["X-Bunq-Client-Signature"] = crypto.sign(sign_with, body)
        retry_failures = method in SAFE_METHODS  # never anything that may move money
        attempt = 0
        while True:
            self.requests_sent += 1
            outcome = yield Send(method, url, headers, body, self.max_body)
            wait = self.retry_wait(method, outcome, attempt, retry_failures)
            if wait is None:
                break
            if isinstance(outcome, Reply) and outcome.status in (409, 429):
                log.info("bunq rate limit on %s %s; backing off", method, httpx.URL(url).path)
            attempt += 1
            self.retries += 1
            yield Sleep(wait)
            request_id = str(uuid.uuid4())
            headers = {**headers, "X-Bunq-Client-Request-Id": request_id}
        if isinstance(outcome, Failed):
            raise network_error(method, url, outcome, request_id)
        return finish(method, outcome, request_id, server_key, raw=raw)

    send = operation(exchange)  # ``Transport.send`` / ``SyncTransport.send``


def finish(
    method: str,
    reply: Reply,
    request_id: str,
    server_key: rsa.RSAPublicKey | None,
    *,
    raw: bool = False,
) -> Any:
    """Verify the raw answer, then parse it: the Envelope (``raw``: a 200's verified bytes, for
    a file such as a statement's content), or the typed error raised."""
    status = reply.status
    response_id = reply.headers.get("x-bunq-client-response-id")  # case-insensitive
    signature = reply.headers.get("x-bunq-server-signature")
    # bunq signs every answer but 429 (and 409), maintenance and gateway pages
    # (docs/protocol.md#response-signatures): any
    # other answer without a valid signature is refused whole, a 4xx exactly like a 200
    verified = False
    if server_key is not None and status < 500 and status not in UNSIGNED_STATUSES:
        if signature is None:
            raise SignatureError(
                "bunq's answer carries no server signature, so its data was discarded.",
                status=status,
                response_id=response_id,
                request_id=request_id,
            )
        if not crypto.verify(server_key, reply.content, signature):
            raise SignatureError(status=status, response_id=response_id, request_id=request_id)
        verified = True
    elif server_key is not None and signature is not None:
        verified = crypto.verify(server_key, reply.content, signature)
    echoed = reply.headers.get("x-bunq-client-request-id")
    if echoed is not None and echoed != request_id:
        raise ProtocolError(
            "bunq's answer belongs to another request (request id mismatch).",
            status=status,
            response_id=response_id,
        )
    if status == 200:
        return reply.content if raw else parse_success(reply.content)
    # an unsigned 429/5xx may come from anyone on the path: its text is not shown as bunq's
    # (with no server key yet, e.g. /installation, nothing can be verified at all)
    error = error_from_response(
        status,
        reply.content,
        response_id=response_id,
        request_id=request_id,
        trusted_text=verified or server_key is None,
    )
    if method not in SAFE_METHODS and isinstance(error, ServerError):
        error = ServerError(
            f"{error.description} The outcome is unknown: check before trying again.",
            status=status,
            translated=f"{error.translated} The outcome is unknown: check before trying again.",
            response_id=response_id,
            request_id=request_id,
        )
    raise error


def network_error(method: str, url: str, failed: Failed, request_id: str) -> BunqError:
    host = httpx.URL(url).host
    if failed.never_sent or method in SAFE_METHODS:
        text = f"Could not reach bunq at {host} ({failed.reason}); check the network and try again."
        return NetworkError(text, request_id=request_id)
    text = (
        f"The connection to bunq at {host} broke ({failed.reason}) after the request was "
        "sent; the outcome is unknown: check before trying again."
    )
    return ConnectionLostError(text, request_id=request_id)
