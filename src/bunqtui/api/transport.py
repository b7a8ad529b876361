"""One signed, verified, paced, retried HTTP exchange with bunq (§3, §4, §11, §12.4–12.8).

The body is serialised once; those bytes are signed and those bytes are sent. The server
signature is checked over the raw body bytes before any JSON parsing, so the data of a response
that fails verification never reaches the caller, and the text of an unverified error answer is
never shown as bunq's.

Every request passes :func:`guard_url` first (https, or plain http only to loopback, and only to
the environment's own host), and every body is read as a stream under a size cap.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from bunqtui import __version__
from bunqtui.api import crypto
from bunqtui.api._httpx import httpx
from bunqtui.api._logging import install_log_redaction
from bunqtui.api.envelope import Envelope, error_from_response, parse_success
from bunqtui.api.environment import is_loopback_host
from bunqtui.api.errors import (
    BunqError,
    InsecureURLError,
    NetworkError,
    ProtocolError,
    ResponseTooLargeError,
    ServerError,
    SignatureError,
)
from bunqtui.api.ratelimit import RateLimiter

log = logging.getLogger(__name__)

USER_AGENT = f"bunqtui/{__version__}"
SAFE_METHODS = frozenset({"GET", "HEAD"})
# statuses bunq answers without a signature (§4.4): rate limit, maintenance, gateway pages
UNSIGNED_STATUSES = frozenset({409, 429, 491})
# bunq's largest answers (200 payments) are a few hundred kB; anything near this is not bunq
MAX_BODY_BYTES = 32 * 1024 * 1024
_DEFAULT_PORTS = {"http": 80, "https": 443}


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


async def _guard_request(request: httpx.Request) -> None:
    """httpx event hook: the last check before any request leaves a client bunqtui made."""
    guard_url(request.url)


def make_http_client(*, verify: bool = True, timeout: float = 30.0) -> httpx.AsyncClient:
    """An AsyncClient that refuses plain-HTTP remote URLs on every request (redirects too, which
    it does not follow anyway) and whose logging never shows an OAuth secret or code."""
    install_log_redaction()
    return httpx.AsyncClient(
        timeout=timeout, verify=verify, event_hooks={"request": [_guard_request]}
    )


async def read_capped(response: httpx.Response, limit: int = MAX_BODY_BYTES) -> bytes:
    """The (decoded) body, read chunk by chunk; ResponseTooLargeError as soon as it passes
    ``limit``, so a huge or endless answer is never held whole."""
    too_large = ResponseTooLargeError(
        f"bunq's answer is larger than {limit // (1024 * 1024) or limit} "
        f"{'MB' if limit >= 1024 * 1024 else 'bytes'}, more than bunq ever sends; it was refused.",
        status=response.status_code,
    )
    declared = response.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    buffer = bytearray()
    async for chunk in response.aiter_bytes():
        buffer += chunk
        if len(buffer) > limit:
            raise too_large
    return bytes(buffer)


def serialise(payload: Any) -> bytes:
    """Compact JSON bytes: the exact bytes that are both signed and sent."""
    if payload is None:
        return b""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=True).encode("ascii")


class Transport:
    """Sends requests for one client; knows nothing about sessions or operations."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        rate_limiter: RateLimiter,
        backoff_base: float = 3.0,
        retry_base: float = 0.5,
        max_retries: int = 3,
        origin: str | None = None,
        max_body: int = MAX_BODY_BYTES,
        language: str = "en_US",
        region: str = "nl_NL",
        geolocation: str = "0 0 0 0 000",
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        install_log_redaction()  # whoever made ``http``, its URLs reach logs redacted
        self.http = http
        self.rate_limiter = rate_limiter
        self.backoff_base = backoff_base
        self.retry_base = retry_base
        self.max_retries = max_retries
        self.origin = origin  # scheme://host:port every request must go to (None: any)
        self.max_body = max_body
        self.language = language
        self.region = region
        self.geolocation = geolocation
        self.sleep = sleep
        self.retries = 0  # counters for diagnostics and tests
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

    async def _pause(self, attempt: int, base: float) -> None:
        # exponential with jitter, never less than the base (≥ 3 s for 429 in production)
        delay = min(base * 2 ** (attempt - 1), 30.0) * (1 + random.uniform(0, 0.5))
        self.retries += 1
        await self.sleep(delay)

    async def send(
        self,
        method: str,
        url: str,
        *,
        payload: Any = None,
        token: str | None = None,
        sign_with: rsa.RSAPrivateKey | None = None,
        server_key: rsa.RSAPublicKey | None = None,
        request_id: str | None = None,
        retry_unsafe: bool = False,
    ) -> Envelope:
        """One exchange. ``server_key`` None means "cannot verify" (installation, sandbox user).

        GETs are retried on 5xx/491/network failure; other methods only when the request
        certainly never left (connect error) or ``retry_unsafe`` is set, always with the same
        request id. 429 is retried for every method: bunq did not process the request.
        """
        method = method.upper()
        guard_url(url, self.origin)  # before anything is built, signed or sent
        body = serialise(payload)
        request_id = request_id or str(uuid.uuid4())
        signature = crypto.sign(sign_with, body) if sign_with is not None else None
        retry_failures = method in SAFE_METHODS or retry_unsafe
        headers = self.headers(request_id, token, bool(body))
        if signature:
            headers["X-Bunq-Client-Signature"] = signature
        attempt = 0
        while True:
            failure: httpx.HTTPError | None = None
            # the slot is stamped once the answer is in (or the attempt failed), never later
            async with self.rate_limiter.slot(method, url):
                self.requests_sent += 1
                try:
                    response, content = await self._exchange(method, url, body, headers)
                except httpx.HTTPError as exc:
                    failure = exc
            if failure is not None:
                never_sent = isinstance(failure, httpx.ConnectError | httpx.ConnectTimeout)
                if (retry_failures or never_sent) and attempt < self.max_retries:
                    attempt += 1
                    await self._pause(attempt, self.retry_base)
                    continue
                raise self._network_error(method, url, failure, request_id, never_sent) from None
            status = response.status_code
            if status in (409, 429) and attempt < self.max_retries:
                attempt += 1
                log.info("bunq rate limit on %s %s; backing off", method, httpx.URL(url).path)
                await self._pause(attempt, self.backoff_base)
                continue
            if (status >= 500 or status == 491) and retry_failures and attempt < self.max_retries:
                attempt += 1
                await self._pause(attempt, self.retry_base)
                continue
            break
        return self._finish(method, response, content, request_id, server_key)

    async def _exchange(
        self, method: str, url: str, body: bytes, headers: dict[str, str]
    ) -> tuple[httpx.Response, bytes]:
        """Send, then read the body as a stream under the cap (never whole before checking)."""
        request = self.http.build_request(method, url, content=body or None, headers=headers)
        response = await self.http.send(request, stream=True)
        try:
            return response, await read_capped(response, self.max_body)
        finally:
            await response.aclose()

    def _finish(
        self,
        method: str,
        response: httpx.Response,
        content: bytes,
        request_id: str,
        server_key: rsa.RSAPublicKey | None,
    ) -> Envelope:
        status = response.status_code
        response_id = response.headers.get("x-bunq-client-response-id")  # case-insensitive
        signature = response.headers.get("x-bunq-server-signature")
        # bunq signs every answer but 429 (and 409), maintenance and gateway pages (§4.4): any
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
            if not crypto.verify(server_key, content, signature):
                raise SignatureError(status=status, response_id=response_id, request_id=request_id)
            verified = True
        elif server_key is not None and signature is not None:
            verified = crypto.verify(server_key, content, signature)
        echoed = response.headers.get("x-bunq-client-request-id")
        if echoed is not None and echoed != request_id:
            raise ProtocolError(
                "bunq's answer belongs to another request (request id mismatch).",
                status=status,
                response_id=response_id,
            )
        if status == 200:
            envelope = parse_success(content)
            return envelope
        # an unsigned 429/5xx may come from anyone on the path: its text is not shown as bunq's
        # (with no server key yet, e.g. /installation, nothing can be verified at all)
        error = error_from_response(
            status,
            content,
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

    @staticmethod
    def _network_error(
        method: str, url: str, exc: httpx.HTTPError, request_id: str, never_sent: bool
    ) -> BunqError:
        host = httpx.URL(url).host
        reason = type(exc).__name__
        if never_sent or method in SAFE_METHODS:
            text = f"Could not reach bunq at {host} ({reason}); check the network and try again."
        else:
            text = (
                f"The connection to bunq at {host} broke ({reason}) after the request was sent; "
                "the outcome is unknown: check before trying again."
            )
        return NetworkError(text, request_id=request_id)
