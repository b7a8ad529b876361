"""The asynchronous bunq client: :class:`BunqOperations` driven over ``httpx.AsyncClient``.

For the TUI and long syncs. Every operation is defined once, as a flow, in
:mod:`bunqtui.api.operations`; :mod:`bunqtui.api.sync_client` runs the same flows without an
event loop, for one-shot CLI commands.
"""

from __future__ import annotations

from typing import Any

from bunqtui.api._httpx import httpx
from bunqtui.api.environment import Environment
from bunqtui.api.host import MAX_COUNT
from bunqtui.api.operations import (
    DEFAULT_SESSION_TIMEOUT,
    PSD2_FIRST_SESSION,
    SUGAR_DADDY,
    SUGAR_DADDY_CAP,
    AmountLike,
    BunqOperations,
    ContextCallback,
)
from bunqtui.api.ratelimit import RateLimiter
from bunqtui.api.transport import AsyncDriver, make_http_client

__all__ = [
    "DEFAULT_SESSION_TIMEOUT",
    "MAX_COUNT",
    "PSD2_FIRST_SESSION",
    "SUGAR_DADDY",
    "SUGAR_DADDY_CAP",
    "AmountLike",
    "BunqClient",
    "ContextCallback",
    "http_client",
]


def http_client(*, verify: bool = True, timeout: float = 30.0) -> httpx.AsyncClient:
    """An HTTP client for BunqClients to share (``http=``); ``verify=False`` builds no TLS
    context, for a plain-HTTP environment (the local emulator) that never uses one. It refuses
    plain http:// to any host but this machine on every request, whoever sends it."""
    return make_http_client(timeout=timeout, verify=verify)


class BunqClient(AsyncDriver, BunqOperations):
    """Async bunq API client. Use as ``async with BunqClient(env, context=ctx) as client:``.

    ``options`` are :class:`BunqOperations`'s (context, on_context_change — which may be a
    coroutine function —, backoff_base, retry_base, max_retries, language, region, clock).
    """

    def __init__(
        self,
        environment: Environment,
        *,
        http: httpx.AsyncClient | None = None,
        rate_limiter: RateLimiter | None = None,
        timeout: float = 30.0,
        **options: Any,
    ) -> None:
        BunqOperations.__init__(self, environment, **options)
        AsyncDriver.__init__(
            self,
            http or make_http_client(timeout=timeout),
            rate_limiter=rate_limiter or RateLimiter(),
            own_http=http is None,
        )

    @classmethod
    async def create_sandbox_user(
        cls,
        environment: Environment,
        kind: str = "person",
        *,
        http: httpx.AsyncClient | None = None,
        rate_limiter: RateLimiter | None = None,
    ) -> str:
        """POST /sandbox-user-person|company → a new sandbox API key (1 request, unsigned)."""
        async with cls(environment, http=http, rate_limiter=rate_limiter) as client:
            return await client._run(client._create_sandbox_user(kind))
