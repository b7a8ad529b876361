"""Resilience against the emulator's injected faults (docs/protocol.md#emulator fault injection),
through
both drivers (``make_client`` and ``client`` are parametrized over them)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest

from bunqtui.api.client import SUGAR_DADDY, BunqClient
from bunqtui.api.context import ApiContext
from bunqtui.api.environment import Environment
from bunqtui.api.errors import NetworkError, ServerError, SignatureError
from bunqtui.api.ratelimit import RateLimiter
from bunqtui.api.sync_client import SyncBunqClient

if TYPE_CHECKING:
    from api_helpers import Control


async def _funded(
    make_client: Callable[..., BunqClient], control: Control
) -> tuple[BunqClient, int]:
    user = await control.new_user("person", accounts=1, payments=0)
    client = make_client()
    await client.create_context(user["api_key"])
    (account,) = await client.list_monetary_accounts()
    await client.request_sugar_daddy(None, account.id, Decimal("100"))
    for _ in range(60):
        current = await client.get_monetary_account(None, account.id)
        if current.balance and current.balance.value >= 100:
            break
        await asyncio.sleep(0.05)
    return client, account.id


async def _payments(client: BunqClient, account_id: int) -> list[int]:
    return [p.id async for p in client.iter_payments(None, account_id) if p.amount.value < 0]


async def test_bad_signature_is_refused_and_data_never_returned(
    client: BunqClient, control: Control
) -> None:
    await control.faults(bad_signature=1)
    with pytest.raises(SignatureError) as info:
        await client.get_user()
    assert "discarded" in str(info.value)
    user = await client.get_user()  # the next, correctly signed answer is fine
    assert user.id == client.context.user_id  # type: ignore[union-attr]


async def test_burst_of_429s_is_absorbed(client: BunqClient, control: Control) -> None:
    await control.faults(http_429=3)
    accounts = await client.list_monetary_accounts()
    assert accounts
    assert client.transport.retries == 3


async def test_500_on_a_get_is_retried(client: BunqClient, control: Control) -> None:
    await control.faults(http_500=2)
    assert (await client.get_user()).id
    assert client.transport.retries == 2


async def test_491_maintenance_on_a_get_is_retried(client: BunqClient, control: Control) -> None:
    await control.faults(http_491=1)
    assert await client.list_monetary_accounts()


@pytest.mark.parametrize(("fault", "error"), [("http_500", ServerError), ("drop", NetworkError)])
async def test_failed_payment_post_never_creates_two_payments(
    make_client: Callable[..., BunqClient], control: Control, fault: str, error: type[Exception]
) -> None:
    client, account_id = await _funded(make_client, control)
    async with client:
        before = await _payments(client, account_id)
        await control.reset_stats()
        await control.faults(**{fault: 1})
        with pytest.raises(error, match="outcome is unknown"):
            await client.create_payment(None, account_id, Decimal("5.00"), SUGAR_DADDY, "once")
        stats = await control.stats()
        posts = {k: v for k, v in stats["by_route"].items() if k.startswith("POST")}
        assert sum(posts.values()) == 1, posts  # the client did not resend it
        await control.clear_faults()
        after = await _payments(client, account_id)
        assert len(after) - len(before) <= 1


async def test_expired_session_is_renewed_without_the_caller_noticing(
    make_client: Callable[..., BunqClient], control: Control, emulator: Any
) -> None:
    seen: list[ApiContext] = []
    async with make_client(on_context_change=seen.append) as client:
        ctx = await client.create_context(emulator.demo_api_key)
        await control.faults(expire_sessions=True)
        await control.reset_stats()
        accounts = await client.list_monetary_accounts()  # 401 → new session → retried
        assert accounts
        assert client.context is not None
        assert client.context.session_token != ctx.session_token
        assert seen[-1].session_token == client.context.session_token  # store can persist it
        stats = await control.stats()
        assert sum(v for k, v in stats["by_route"].items() if "session-server" in k) == 1


async def test_stale_session_is_renewed_only_once(
    make_client: Callable[..., BunqClient], control: Control, emulator: Any
) -> None:
    """If even the fresh session is refused, the error surfaces: never a renewal loop."""
    async with make_client() as client:
        await client.create_context(emulator.demo_api_key)
        await control.faults(expire_sessions=True)
        first = client.context

        async def expire_again(ctx: ApiContext) -> None:
            if ctx is not first:
                await control.faults(expire_sessions=True)

        client.on_context_change = expire_again
        with pytest.raises(Exception) as info:
            await client.get_user()
        assert getattr(info.value, "status", None) in (401, 403)


@pytest.mark.slow
async def test_client_pacing_meets_no_429_from_a_rate_limited_emulator(
    emulator_rate_limited: Any, control_rate_limited: Control
) -> None:
    env = Environment.custom(emulator_rate_limited.base_url)
    async with BunqClient(env, rate_limiter=RateLimiter(), backoff_base=0.01) as client:
        await client.create_context(emulator_rate_limited.demo_api_key)
        # the emulator counts a request only after its added latency; the limiter, which has
        # no slack, counts from the answer, which comes later still
        await control_rate_limited.faults(latency_ms=50)
        await control_rate_limited.reset_stats()
        # 5 GETs on one route at once: 3 go, 2 wait for the first answers + the 3-s window
        users = await asyncio.gather(*(client.get_user() for _ in range(5)))
        stats = await control_rate_limited.stats()
        assert stats["rate_limited"] == 0 and stats["total"] == 5
        assert len({u.id for u in users}) == 1
        assert client.transport.retries == 0
        assert client.rate_limiter.waited > 2.9


@pytest.mark.slow
async def test_sync_client_pacing_meets_no_429_from_a_rate_limited_emulator(
    emulator_rate_limited: Any, control_rate_limited: Control
) -> None:
    """The sync driver waits in its own thread, with no event loop: 5 GETs in a row on one
    route, the 4th waits for the first answer + the 3-s window."""
    env = Environment.custom(emulator_rate_limited.base_url)

    def run() -> tuple[list[int], SyncBunqClient]:
        with SyncBunqClient(env, rate_limiter=RateLimiter(), backoff_base=0.01) as client:
            client.create_context(emulator_rate_limited.demo_api_key)
            asyncio.run_coroutine_threadsafe(prepare(), loop).result()
            started = time.monotonic()
            ids = [client.get_user().id for _ in range(5)]
            assert time.monotonic() - started >= 3.0
            return ids, client

    async def prepare() -> None:
        await control_rate_limited.faults(latency_ms=50)
        await control_rate_limited.reset_stats()

    loop = asyncio.get_running_loop()
    ids, client = await asyncio.to_thread(run)
    stats = await control_rate_limited.stats()
    assert stats["rate_limited"] == 0 and stats["total"] == 5
    assert len(set(ids)) == 1
    assert client.transport.retries == 0
    assert client.rate_limiter.waited > 2.8
