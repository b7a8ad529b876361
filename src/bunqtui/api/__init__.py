"""bunqtui.api: bunq's wire protocol (crypto, signed transport, context lifecycle, OAuth, models).

Depends on httpx, cryptography, starlette and uvicorn only; imports no other bunqtui package and
no Textual. Import from the submodules: ``bunqtui.api.client.BunqClient``,
``bunqtui.api.environment.Environment``, ``bunqtui.api.context.ApiContext``,
``bunqtui.api.errors``, ``bunqtui.api.models``, ``bunqtui.api.oauth``, ``bunqtui.api.crypto``,
``bunqtui.api.ratelimit.RateLimiter``.
"""
