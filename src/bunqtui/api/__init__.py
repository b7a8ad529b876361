"""bunqtui.api: bunq's wire protocol (crypto, signed transport, context lifecycle, OAuth, models).

Depends on httpx, cryptography, starlette and uvicorn only; imports no other bunqtui package and
no Textual. Sans-IO: the protocol is plain code (``protocol`` — one exchange, the retry policy,
the effects; ``operations`` — the context lifecycle and every operation, as flows), driven by
two thin drivers: ``client.BunqClient`` over httpx.AsyncClient (TUI, long syncs) and
``sync_client.SyncBunqClient`` over httpx.Client (one-shot CLI commands; no asyncio, no anyio
at import). Import from the submodules: ``bunqtui.api.client.BunqClient``,
``bunqtui.api.sync_client.SyncBunqClient``, ``bunqtui.api.environment.Environment``,
``bunqtui.api.context.ApiContext``, ``bunqtui.api.errors``, ``bunqtui.api.models``,
``bunqtui.api.oauth``, ``bunqtui.api.crypto``, ``bunqtui.api.ratelimit.RateLimiter``.
"""
