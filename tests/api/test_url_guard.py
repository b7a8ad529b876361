"""No request of bunqtui.api goes over plain HTTP to a host that is not this machine, nor to
another host than the environment's: the Environment refuses to exist with such a URL, and the
transport, the shared HTTP client, pagination and the OAuth exchange refuse it again on their
own (a backstop for any code path that got hold of a bad URL).

Every test records connection attempts at the socket (``socket.socket.connect``,
``socket.create_connection``, ``socket.getaddrinfo``): an attempt to any address but loopback is
recorded and fails there, so even a broken guard sends nothing off this machine.

The backstops are checked through both drivers.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from bunqtui.api import crypto
from bunqtui.api.context import ApiContext
from bunqtui.api.environment import Environment
from bunqtui.api.errors import BunqError, InsecureURLError, ProtocolError
from bunqtui.api.ratelimit import RateLimiter

if TYPE_CHECKING:
    from api_helpers import Driver

REMOTE = "http://10.1.2.3:8080/v1"
SERVER_KEY = crypto.generate_key_pair()


class Recorder:
    """An httpx transport that records each request that reaches it (and answers 500)."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(500)


def tampered(env: Environment, **urls: str) -> Environment:
    """An Environment whose URLs were changed after its checks ran: what a code path that built
    one wrongly (or a future bug) would hand the client. Only the backstops stand in the way."""
    for name, value in urls.items():
        object.__setattr__(env, name, value)
    return env


def a_context(env: Environment) -> ApiContext:
    return ApiContext.for_environment(
        env,
        secret_kind="api_key",
        secret="sandbox_" + "ab" * 28,
        private_key_pem=crypto.private_key_to_pem(crypto.generate_key_pair()),
        installation_id=1,
        installation_token="installation-token",
        server_public_key_pem=crypto.public_key_pem(SERVER_KEY),
    )


# --- the environment ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        REMOTE,
        "http://example.com/v1",
        "http://192.168.1.5/v1",
        "http://0.0.0.0:8080/v1",
        "http://127.0.0.1.evil.example/v1",
        "http://localhost.evil.example/v1",
        "http://evil.localhost/v1",
        "http://127.0.0.1@evil.example/v1",  # userinfo: the host is evil.example
        "http://[::ffff:10.1.2.3]/v1",
        "http://2130706433/v1",  # 127.0.0.1 as one number: not literally loopback
        "HTTP://10.1.2.3/v1",
    ],
)
def test_plain_http_to_a_remote_host_is_refused(url: str) -> None:
    with pytest.raises(InsecureURLError, match="plain http") as info:
        Environment.custom(url)
    assert isinstance(info.value, ValueError)  # core turns it into a config error (exit 2)
    assert "https://" in str(info.value)  # says what to do
    with pytest.raises(ValueError, match="plain http"):
        Environment.from_name("emulator", url)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/v1",
        "http://127.8.9.10/v1",
        "http://localhost:9/v1",
        "http://LocalHost/v1",
        "http://[::1]:8080/v1",
        "https://10.1.2.3/v1",
        "https://bunq.example/v1",
    ],
)
def test_https_and_plain_http_to_loopback_are_allowed(url: str) -> None:
    env = Environment.custom(url)
    assert env.api_base_url == url.rstrip("/")


def test_every_url_of_an_environment_is_checked() -> None:
    with pytest.raises(InsecureURLError, match="plain http"):
        Environment.custom("http://127.0.0.1:8/v1", oauth_token_url="http://10.1.2.3/token")
    with pytest.raises(InsecureURLError, match="plain http"):
        Environment.custom("https://a.example/v1", oauth_authorize_url="http://b.example/auth")
    with pytest.raises(InsecureURLError):  # made directly, e.g. from a stored context
        Environment("custom", REMOTE, "https://a/auth", "https://a/token")
    stored = ApiContext("custom", REMOTE, "https://a/auth", "https://a/token")
    with pytest.raises(InsecureURLError):
        stored.environment  # noqa: B018  (a context written before the rule existed)


# --- the backstops --------------------------------------------------------------------------


async def test_the_transport_refuses_before_anything_is_sent(
    attempts: list[tuple[str, Any]], driver: Driver
) -> None:
    recorder = Recorder()
    async with driver.mock(recorder) as http:
        transport = driver.transport(http, rate_limiter=RateLimiter.disabled())
        for url in (REMOTE + "/user", "http://example.com/v1/user", "ftp://x/v1"):
            with pytest.raises(InsecureURLError):
                await transport.send("POST", url, payload={"secret": "k"}, token="tok")
        pinned = driver.transport(
            http, rate_limiter=RateLimiter.disabled(), origin="https://bunq.test"
        )
        for url in ("https://evil.example/v1/user", "https://bunq.test:444/v1/user"):
            with pytest.raises(InsecureURLError, match="another host"):
                await pinned.send("GET", url, token="session-token")
    assert recorder.requests == [] and attempts == []
    assert transport.requests_sent == 0 and pinned.requests_sent == 0


async def test_the_shared_http_client_refuses_any_request_to_a_remote_plain_http_url(
    attempts: list[tuple[str, Any]], driver: Driver
) -> None:
    async with driver.http_client(verify=False) as http:
        with pytest.raises(InsecureURLError):
            await http.post(REMOTE + "/installation", json={"client_public_key": "x"})
        with pytest.raises(InsecureURLError):
            await http.get("http://example.com/")
    assert attempts == []


async def test_a_client_with_a_tampered_environment_sends_nothing(
    attempts: list[tuple[str, Any]], driver: Driver
) -> None:
    env = tampered(Environment.custom("http://127.0.0.1:9/v1"), api_base_url=REMOTE)
    client = driver.client(env, rate_limiter=RateLimiter.disabled(), retry_base=0.001)
    async with client:
        with pytest.raises(InsecureURLError):
            await client.create_context("sandbox_" + "ab" * 28)
        client.context = a_context(env)
        with pytest.raises(InsecureURLError):
            await client.get_user(1)
        assert client.transport.requests_sent == 0
    with pytest.raises(InsecureURLError):
        await driver.create_sandbox_user(env)
    assert attempts == []


async def test_the_oauth_exchange_never_sends_the_secret_to_a_remote_plain_http_url(
    attempts: list[tuple[str, Any]], driver: Driver
) -> None:
    env = tampered(
        Environment.custom("http://127.0.0.1:9/v1"), oauth_token_url="http://10.1.2.3/v1/token"
    )
    recorder = Recorder()
    async with driver.mock(recorder) as http:
        with pytest.raises(InsecureURLError):
            await driver.exchange_code(
                env, "the-code", "http://127.0.0.1:1/cb", "id", "secret", http=http
            )
    with pytest.raises(InsecureURLError):  # with a client of its own, through the socket
        await driver.exchange_code(env, "the-code", "http://127.0.0.1:1/cb", "id", "secret")
    assert recorder.requests == [] and attempts == []


def _signed_page(request: httpx.Request, items: list[Any], older_url: str | None) -> httpx.Response:
    body = json.dumps(
        {"Response": items, "Pagination": {"older_url": older_url, "newer_url": None}}
    ).encode()
    headers = {
        "X-Bunq-Server-Signature": crypto.sign(SERVER_KEY, body),
        "X-Bunq-Client-Request-Id": request.headers["X-Bunq-Client-Request-Id"],
    }
    return httpx.Response(200, content=body, headers=headers)


@pytest.mark.parametrize(
    "older_url",
    [
        "https://evil.example/v1/user/1/monetary-account?count=200&older_id=5",
        "http://10.1.2.3:8080/v1/user/1/monetary-account?count=200&older_id=5",
        "//evil.example/v1/user/1/monetary-account?older_id=5",  # scheme-relative
        "https://bunq.test:8443/v1/user/1/monetary-account?older_id=5",  # another port
    ],
)
async def test_a_pagination_url_on_another_host_is_refused(
    older_url: str, attempts: list[tuple[str, Any]], driver: Driver
) -> None:
    seen: list[httpx.Request] = []

    def bunq(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        account = {"MonetaryAccountBank": {"id": 9, "description": "a"}}
        return _signed_page(request, [account], older_url)

    env = Environment.custom("https://bunq.test/v1")
    async with driver.mock(bunq) as http:
        client = driver.client(env, context=a_context(env), http=http)
        client.context.session_token = "session-token"  # type: ignore[union-attr]
        client.context.session_expiry = client._clock().replace(year=2100)  # type: ignore[union-attr]
        client.context.user_id = 1  # type: ignore[union-attr]
        with pytest.raises(ProtocolError):
            await client.list_monetary_accounts()
    assert [r.url.host for r in seen] == ["bunq.test"] and attempts == []


def test_refusals_are_bunq_errors_with_a_reason() -> None:
    with pytest.raises(BunqError) as info:
        Environment.custom(REMOTE)
    text = str(info.value)
    assert "10.1.2.3" in text and "unencrypted" in text and "127.0.0.1" in text


async def test_the_connection_recorder_sees_an_unguarded_attempt(
    attempts: list[tuple[str, Any]],
) -> None:
    # the recorder is what makes "attempts == []" above mean something: a plain httpx client,
    # without bunqtui's guard, is caught at the socket (and refused there, so nothing leaves)
    async with httpx.AsyncClient() as plain:
        with pytest.raises(httpx.ConnectError):
            await plain.get("http://10.1.2.3:8080/v1/user")
    assert attempts and attempts[0][1][0] == "10.1.2.3"
