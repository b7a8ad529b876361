"""The asynchronous driver: carries the effects of :mod:`bunqtui.api.protocol`'s flows out over
an ``httpx.AsyncClient`` (the TUI, long syncs). Its twin is :mod:`bunqtui.api.sync_client`.

It adds no protocol of its own: it sends (paced by the rate limiter, the body read as a stream
under the cap), sleeps, runs CPU-heavy steps in a thread, holds the session lock, and hands
outcomes back to the flow. httpx's errors become :class:`~bunqtui.api.protocol.Failed` values;
any other exception is thrown into the flow where it happened.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

from bunqtui.api._httpx import httpx
from bunqtui.api._logging import install_log_redaction
from bunqtui.api.protocol import (
    MAX_BODY_BYTES,
    SAFE_METHODS,
    UNSIGNED_STATUSES,
    USER_AGENT,
    AsyncRunner,
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
    guard_url,
    serialise,
)
from bunqtui.api.ratelimit import RateLimiter

__all__ = [
    "MAX_BODY_BYTES",
    "SAFE_METHODS",
    "UNSIGNED_STATUSES",
    "USER_AGENT",
    "AsyncDriver",
    "Transport",
    "guard_url",
    "make_http_client",
    "read_capped",
    "serialise",
]

T = TypeVar("T")


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
    """The (decoded) body, read chunk by chunk under ``limit`` (see CappedBody)."""
    body = CappedBody(response.status_code, response.headers, limit)
    async for chunk in response.aiter_bytes():
        body.add(chunk)
    return bytes(body.buffer)


class AsyncDriver(AsyncRunner):
    """Runs flows over ``http``; ``rate_limiter`` paces every Send (None: no pacing)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        rate_limiter: RateLimiter | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        own_http: bool = False,
    ) -> None:
        install_log_redaction()  # whoever made ``http``, its URLs reach logs redacted
        self.http = http
        self.rate_limiter = rate_limiter or RateLimiter.disabled()
        self.sleep = sleep
        self._own_http = own_http
        self._session_lock = asyncio.Lock()

    async def __aenter__(self: T) -> T:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._own_http:
            await self.http.aclose()

    async def _send(self, send: Send) -> Reply | Failed:
        # the slot is stamped once the answer is in (or the attempt failed), never later
        async with self.rate_limiter.slot(send.method, send.url):
            request = self.http.build_request(
                send.method, send.url, content=send.body or None, headers=send.headers
            )
            try:
                response = await self.http.send(request, stream=True)
                try:
                    content = await read_capped(response, send.max_body)
                finally:
                    await response.aclose()
            except httpx.HTTPError as exc:
                return Failed.of(exc)
            # before the slot is stamped: a 429 naming its limit paces what waits behind it
            self.rate_limiter.observe(send.method, send.url, response.status_code, content)
        return Reply(response.status_code, response.headers, content)

    async def _handle(self, effect: Effect) -> Any:
        if isinstance(effect, Send):
            return await self._send(effect)
        if isinstance(effect, Sleep):
            return await self.sleep(effect.seconds)
        if isinstance(effect, Compute):
            return await asyncio.to_thread(effect.fn)  # ~0.1 s of CPU off the loop
        if isinstance(effect, Locked):
            async with self._session_lock:
                return await self._run(effect.flow)
        if isinstance(effect, Notify):
            result = effect.callback(effect.value)
            if inspect.isawaitable(result):
                await result
            return None
        raise TypeError(f"a flow yielded {effect!r} where it cannot")

    async def _run(self, flow: Flow[T]) -> T:
        """Drive ``flow`` to its end; its result, or the exception it raised."""
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
                try:
                    value = await self._handle(effect)
                except Exception as exc:  # the flow decides; uncaught, it comes back out
                    error = exc
        finally:
            flow.close()  # cancelled mid-flow: its finally blocks run, nothing leaks

    async def _iterate(self, flow: Flow[Any]) -> AsyncIterator[Any]:
        """Drive ``flow``, yielding what it Emits; the next step runs when the caller asks."""
        try:
            value: Any = None
            error: Exception | None = None
            while True:
                try:
                    effect = flow.throw(error) if error is not None else flow.send(value)
                except StopIteration:
                    return
                value, error = None, None
                if isinstance(effect, Emit):
                    yield effect.item
                    continue
                try:
                    value = await self._handle(effect)
                except Exception as exc:
                    error = exc
        finally:
            flow.close()


class Transport(AsyncDriver, Exchange):
    """One exchange at a time over an AsyncClient: ``await transport.send(method, url, ...)``
    (see :meth:`Exchange.exchange`). ``sleep`` is the wait between retries."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        rate_limiter: RateLimiter,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        **options: Any,
    ) -> None:
        AsyncDriver.__init__(self, http, rate_limiter=rate_limiter, sleep=sleep)
        Exchange.__init__(self, **options)
