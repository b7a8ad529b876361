"""An injected 429 (faults ``http_429``) names the limit configured for the endpoint it hit, as
bunq's own 429 does, so a client's limiter learns that endpoint's real window from it (before,
every injected 429 said "3 calls per 3 second", whatever the emulator was told)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from emu_client import BunqClient, control

from bunqtui.api.environment import Environment
from bunqtui.api.ratelimit import Limit, RateLimiter
from bunqtui.api.sync_client import SyncBunqClient
from bunqtui.emulator.config import EmulatorConfig
from bunqtui.emulator.ratelimit import limits_from_flags
from bunqtui.emulator.server import EmulatorServer

ACCOUNTS = "GET /v1/user/{id}/monetary-account"


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    limits = limits_from_flags(["GET=10/3", f"{ACCOUNTS}=70/30"])
    # limits not enforced: only the injected 429s answer 429
    config = EmulatorConfig(rate_limit=False, rate_limits=limits, sugar_daddy_delay=0.0)
    with EmulatorServer(config=config) as running:
        yield running


def sentence(calls: int, seconds: int) -> str:
    return (
        f"Too many requests. You can do a maximum of {calls} calls per {seconds} second "
        "to this endpoint."
    )


def test_an_injected_429_names_the_endpoints_configured_limit(server: EmulatorServer) -> None:
    client = BunqClient(server.base_url)
    client.login(server.demo_api_key)
    try:
        account = client.accounts("monetary-account-bank")
        control(server.root_url, "POST", "faults", {"http_429": 3})
        user = client.get("/user")
        accounts = client.get(f"/user/{client.user_id}/monetary-account")
        inquiry = client.post(
            f"/user/{client.user_id}/monetary-account/{account[0]['id']}/request-inquiry", {}
        )
    finally:
        client.close()
    assert (user.status, user.error) == (429, sentence(10, 3))  # the GET method's limit
    assert (accounts.status, accounts.error) == (429, sentence(70, 30))  # this endpoint's
    assert (inquiry.status, inquiry.error) == (429, sentence(5, 3))  # POST: bunq's published


def test_the_client_learns_the_limit_an_injected_429_names(server: EmulatorServer) -> None:
    learnt: list[tuple[str, str, Limit]] = []
    limiter = RateLimiter(on_learn=lambda *found: learnt.append(found))
    env = Environment.custom(server.base_url)
    with SyncBunqClient(env, rate_limiter=limiter, backoff_base=0.01) as client:
        client.create_context(server.demo_api_key, description="fault 429 test")
        control(server.root_url, "POST", "faults", {"http_429": 1})
        assert client.list_monetary_accounts()  # the retry after the 429 succeeds
    assert learnt == [("GET", "/v1/user/{id}/monetary-account", Limit(70, 30.0))]
