"""The synchronous driver and client: the flows of :mod:`bunqtui.api.protocol` and
:mod:`bunqtui.api.operations` over ``httpx.Client``, with no event loop to start.

For one-shot CLI commands (``with SyncBunqClient(env, context=ctx) as client:
client.list_monetary_accounts()``). Importing it loads neither asyncio nor anyio (httpcore
loads anyio, without asyncio, when the first ``httpx.Client`` is made). It is the twin of
:mod:`bunqtui.api.transport` and adds no protocol of its own: not thread-safe (one client per
thread), so it needs no session lock.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Generator
from typing import Any, TypeVar

from bunqtui.api._httpx import httpx
from bunqtui.api._logging import install_log_redaction
from bunqtui.api.environment import Environment
from bunqtui.api.operations import BunqOperations
from bunqtui.api.protocol import (
    MAX_BODY_BYTES,
    CappedBody,
    Compute,
    Effect,
    Emit,
    Exchange,
    Failed,
    Flow,
    Locked,
    Notify,
    Reply,
    Send,
    Sleep,
    SyncRunner,
    guard_url,
)
from bunqtui.api.ratelimit import RateLimiter

__all__ = [
    "SyncBunqClient",
    "SyncDriver",
    "SyncTransport",
    "read_capped_sync",
    "sync_http_client",
]

T = TypeVar("T")


def _guard_request(request: httpx.Request) -> None:
    """httpx event hook: the last check before any request leaves a client bunqtui made."""
    guard_url(request.url)


def sync_http_client(*, verify: bool = True, timeout: float = 30.0) -> httpx.Client:
    """``http_client`` for the sync driver: refuses plain http:// to any host but this machine
    on every request; its logging never shows an OAuth secret or code."""
    install_log_redaction()
    return httpx.Client(timeout=timeout, verify=verify, event_hooks={"request": [_guard_request]})


def read_capped_sync(response: httpx.Response, limit: int = MAX_BODY_BYTES) -> bytes:
    """The (decoded) body, read chunk by chunk under ``limit`` (see CappedBody)."""
    body = CappedBody(response.status_code, response.headers, limit)
    for chunk in response.iter_bytes():
        body.add(chunk)
    return bytes(body.buffer)


class SyncDriver(SyncRunner):
    """Runs flows over ``http``; ``rate_limiter`` paces every Send (None: no pacing)."""

    def __init__(
        self,
        http: httpx.Client,
        *,
        rate_limiter: RateLimiter | None = None,
        sleep: Callable[[float], object] = time.sleep,
        own_http: bool = False,
    ) -> None:
        install_log_redaction()  # whoever made ``http``, its URLs reach logs redacted
        self.http = http
        self.rate_limiter = rate_limiter or RateLimiter.disabled()
        self.sleep = sleep
        self._own_http = own_http

    def __enter__(self: T) -> T:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._own_http:
            self.http.close()

    def _send(self, send: Send) -> Reply | Failed:
        # the slot is stamped once the answer is in (or the attempt failed), never later
        with self.rate_limiter.hold(send.method, send.url, self.sleep):
            request = self.http.build_request(
                send.method, send.url, content=send.body or None, headers=send.headers
            )
            try:
                response = self.http.send(request, stream=True)
                try:
                    content = read_capped_sync(response, send.max_body)
                finally:
                    response.close()
            except httpx.HTTPError as exc:
                return Failed.of(exc)
            # before the slot is stamped: a 429 naming its limit paces what waits behind it
            self.rate_limiter.observe(send.method, send.url, response.status_code, content)
        return Reply(response.status_code, response.headers, content)

    def _handle(self, effect: Effect) -> Any:
        if isinstance(effect, Send):
            return self._send(effect)
        if isinstance(effect, Sleep):
            return self.sleep(effect.seconds)
        if isinstance(effect, Compute):
            return effect.fn()
        if isinstance(effect, Locked):
            return self._run(effect.flow)  # one thread: nothing to exclude
        if isinstance(effect, Notify):
            if inspect.isawaitable(result := effect.callback(effect.value)):
                if inspect.iscoroutine(result):
                    result.close()
                raise TypeError("SyncBunqClient's on_context_change must not be a coroutine")
            return None
        raise TypeError(f"a flow yielded {effect!r} where it cannot")

    def _iterate(self, flow: Flow[T]) -> Generator[Any, None, T]:
        """Drive ``flow``, yielding what it Emits; returns its result (StopIteration.value)."""
        try:
            value: Any = None
            error: Exception | None = None
            while True:
                try:
                    effect = flow.throw(error) if error is not None else flow.send(value)
                except StopIteration as stop:
                    result: T = stop.value  # the flow's return value
                    return result
                value, error = None, None
                if isinstance(effect, Emit):
                    yield effect.item
                    continue
                try:
                    value = self._handle(effect)
                except Exception as exc:  # the flow decides; uncaught, it comes back out
                    error = exc
        finally:
            flow.close()

    def _run(self, flow: Flow[T]) -> T:
        """Drive ``flow`` to its end; its result, or the exception it raised."""
        steps = self._iterate(flow)
        try:
            item = next(steps)
        except StopIteration as stop:
            result: T = stop.value  # the flow's return value
            return result
        steps.close()
        raise TypeError(f"an operation emitted {item!r}: iterate it instead")


class SyncTransport(SyncDriver, Exchange):
    """One exchange at a time over an httpx.Client: ``transport.send(method, url, ...)`` (see
    :meth:`Exchange.exchange`). ``sleep`` is the wait between retries (and for the limiter)."""

    def __init__(
        self,
        http: httpx.Client,
        *,
        rate_limiter: RateLimiter,
        sleep: Callable[[float], object] = time.sleep,
        **options: Any,
    ) -> None:
        SyncDriver.__init__(self, http, rate_limiter=rate_limiter, sleep=sleep)
        Exchange.__init__(self, **options)


class SyncBunqClient(SyncDriver, BunqOperations):
    """Synchronous bunq API client: ``with SyncBunqClient(env, context=ctx) as client:``.

    The same operations as :class:`~bunqtui.api.client.BunqClient`, without ``await``;
    ``iter_payments`` is a plain iterator. ``options`` are :class:`BunqOperations`'s.
    """

    def __init__(
        self,
        environment: Environment,
        *,
        http: httpx.Client | None = None,
        rate_limiter: RateLimiter | None = None,
        timeout: float = 30.0,
        **options: Any,
    ) -> None:
        BunqOperations.__init__(self, environment, **options)
        SyncDriver.__init__(
            self,
            http or sync_http_client(timeout=timeout),
            rate_limiter=rate_limiter or RateLimiter(),
            own_http=http is None,
        )

    @classmethod
    def create_sandbox_user(
        cls,
        environment: Environment,
        kind: str = "person",
        *,
        http: httpx.Client | None = None,
        rate_limiter: RateLimiter | None = None,
    ) -> str:
        """POST /sandbox-user-person|company → a new sandbox API key (1 request, unsigned)."""
        with cls(environment, http=http, rate_limiter=rate_limiter) as client:
            return client._run(client._create_sandbox_user(kind))
