"""One signed, verified, paced, retried HTTP exchange with bunq (§3, §4, §11, §12.4–12.8).

The body is serialised once; those bytes are signed and those bytes are sent. The server
signature is checked over ``response.content`` (raw bytes) before any JSON parsing, so the data
of a response that fails verification never reaches the caller.
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
from bunqtui.api.envelope import Envelope, error_from_response, parse_success
from bunqtui.api.errors import (
    BunqError,
    NetworkError,
    ProtocolError,
    ServerError,
    SignatureError,
)
from bunqtui.api.ratelimit import RateLimiter

log = logging.getLogger(__name__)

USER_AGENT = f"bunqtui/{__version__}"
SAFE_METHODS = frozenset({"GET", "HEAD"})
# statuses bunq answers without a signature (§4.4): rate limit, maintenance, gateway pages
UNSIGNED_STATUSES = frozenset({409, 429, 491})


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
        language: str = "en_US",
        region: str = "nl_NL",
        geolocation: str = "0 0 0 0 000",
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.http = http
        self.rate_limiter = rate_limiter
        self.backoff_base = backoff_base
        self.retry_base = retry_base
        self.max_retries = max_retries
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
                    response = await self.http.request(
                        method, url, content=body or None, headers=headers
                    )
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
        return self._finish(method, response, request_id, server_key)

    def _finish(
        self,
        method: str,
        response: httpx.Response,
        request_id: str,
        server_key: rsa.RSAPublicKey | None,
    ) -> Envelope:
        status = response.status_code
        content = response.content
        response_id = response.headers.get("x-bunq-client-response-id")  # case-insensitive
        signature = response.headers.get("x-bunq-server-signature")
        if server_key is not None and status < 500 and status not in UNSIGNED_STATUSES:
            # a 200 must be signed; a 4xx is checked when signed (an unsigned error carries no data)
            if signature is None and status == 200:
                raise SignatureError(
                    "bunq's answer carries no server signature, so its data was discarded.",
                    status=status,
                    response_id=response_id,
                    request_id=request_id,
                )
            if signature is not None and not crypto.verify(server_key, content, signature):
                raise SignatureError(status=status, response_id=response_id, request_id=request_id)
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
        error = error_from_response(status, content, response_id=response_id, request_id=request_id)
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
