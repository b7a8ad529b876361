"""Context lifecycle rules against a scripted bunq (httpx.MockTransport as the seam, whose one
handler serves both drivers' clients).

The emulator tests run the same flows end to end; these pin the lifecycle rules precisely with
an injected clock: which token each step uses, what is signed, when sessions are renewed.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import TYPE_CHECKING

import httpx
import pytest

from bunqtui.api import crypto
from bunqtui.api.client import BunqClient
from bunqtui.api.context import ApiContext
from bunqtui.api.environment import Environment
from bunqtui.api.errors import CredentialsError, UnauthorizedError
from bunqtui.api.ratelimit import RateLimiter

if TYPE_CHECKING:
    from api_helpers import Driver

SERVER_KEY = crypto.generate_key_pair()
API_KEY = "sandbox_" + "ab" * 28
ENV = Environment.custom("https://bunq.test/v1")


class FakeBunq:
    """Just enough of bunq for the handshake, one GET, and stale sessions."""

    def __init__(self) -> None:
        self.client_pem: str | None = None
        self.installation_token = secrets.token_hex(32)
        self.sessions: set[str] = set()
        self.requests: list[httpx.Request] = []
        self.session_timeout = 604800
        self.device_secrets: set[str] = set()

    def reply(self, request: httpx.Request, status: int, obj: object) -> httpx.Response:
        body = json.dumps(obj, separators=(",", ":")).replace("/", "\\/").encode()
        headers = {
            "X-Bunq-Server-Signature": crypto.sign(SERVER_KEY, body),
            "X-Bunq-Client-Request-Id": request.headers["X-Bunq-Client-Request-Id"],
        }
        return httpx.Response(status, content=body, headers=headers)

    def error(self, request: httpx.Request, status: int, text: str) -> httpx.Response:
        return self.reply(request, status, {"Error": [{"error_description": text}]})

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        auth = request.headers.get("X-Bunq-Client-Authentication")
        body = json.loads(request.content) if request.content else {}
        if path == "/v1/installation":
            self.client_pem = body["client_public_key"]
            return self.reply(
                request,
                200,
                {
                    "Response": [
                        {"Id": {"id": 1}},
                        {"Token": {"id": 2, "token": self.installation_token}},
                        {
                            "ServerPublicKey": {
                                "server_public_key": crypto.public_key_pem(SERVER_KEY)
                            }
                        },
                    ]
                },
            )
        if path in ("/v1/device-server", "/v1/session-server"):
            if auth != self.installation_token:
                return self.error(request, 401, "Insufficient authorisation.")
            if body.get("secret") != API_KEY:
                return self.error(
                    request, 400, "User credentials are incorrect. Incorrect API key or IP address."
                )
            if path == "/v1/device-server":
                self.device_secrets.add(body["secret"])
                return self.reply(request, 200, {"Response": [{"Id": {"id": 3}}]})
            signature = request.headers.get("X-Bunq-Client-Signature", "")
            assert self.client_pem and crypto.verify(self.client_pem, request.content, signature)
            token = secrets.token_hex(32)
            self.sessions.add(token)
            return self.reply(
                request,
                200,
                {
                    "Response": [
                        {"Id": {"id": 10 + len(self.sessions)}},
                        {"Token": {"id": 10 + len(self.sessions), "token": token}},
                        {"UserPerson": {"id": 77, "session_timeout": self.session_timeout}},
                    ]
                },
            )
        if auth not in self.sessions:
            return self.error(request, 401, "Insufficient authorisation.")
        if path == "/v1/user/77":
            return self.reply(request, 200, {"Response": [{"UserPerson": {"id": 77}}]})
        return self.error(request, 404, "Not found.")

    def paths(self) -> list[str]:
        return [f"{r.method} {r.url.path}" for r in self.requests]


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


def make(driver: Driver, fake: FakeBunq, clock: Clock | None = None, **kw: object) -> BunqClient:
    return driver.client(
        ENV,
        http=driver.mock(fake),
        rate_limiter=RateLimiter.disabled(),
        clock=clock,
        **kw,  # type: ignore[arg-type]
    )


async def test_handshake_uses_the_right_tokens_and_signs_the_session(driver: Driver) -> None:
    fake, clock = FakeBunq(), Clock()
    async with make(driver, fake, clock) as client:
        ctx = await client.create_context(API_KEY)
    assert fake.paths() == [
        "POST /v1/installation",
        "POST /v1/device-server",
        "POST /v1/session-server",
    ]
    install, device, session = fake.requests
    assert "X-Bunq-Client-Authentication" not in install.headers
    assert device.headers["X-Bunq-Client-Authentication"] == fake.installation_token
    assert json.loads(device.content) == {
        "description": "bunqtui",
        "secret": API_KEY,
        "permitted_ips": ["*"],
    }
    assert "X-Bunq-Client-Signature" in session.headers
    assert ctx.user_id == 77 and ctx.user_kind == "UserPerson" and ctx.device_id == 3
    assert ctx.session_expiry == clock.now + dt.timedelta(seconds=604800)
    assert ctx.installation_id == 1 and ctx.secret == API_KEY


async def test_session_renewed_before_expiry_and_after_a_stale_answer(driver: Driver) -> None:
    fake, clock = FakeBunq(), Clock()
    changes: list[ApiContext] = []
    async with make(driver, fake, clock, on_context_change=changes.append) as client:
        await client.create_context(API_KEY)
        await client.get_user()
        assert fake.paths()[-1] == "GET /v1/user/77"

        # proactive: less than 30 s left → a new session before the call
        clock.now += dt.timedelta(seconds=604800 - 20)
        await client.get_user()
        assert fake.paths()[-2:] == ["POST /v1/session-server", "GET /v1/user/77"]

        # reactive: bunq forgot the session → one renewal, one retry, each its own request id
        fake.sessions.clear()
        await client.get_user()
        assert fake.paths()[-3:] == [
            "GET /v1/user/77",
            "POST /v1/session-server",
            "GET /v1/user/77",
        ]
        ids = [r.headers["X-Bunq-Client-Request-Id"] for r in fake.requests[-3:]]
        assert len(set(ids)) == 3
        assert len(changes) == 3 and changes[-1] is client.context


async def test_renewal_is_not_a_loop(driver: Driver) -> None:
    fake = FakeBunq()
    async with make(driver, fake) as client:
        await client.create_context(API_KEY)
        fake.sessions.clear()
        original = fake.reply

        def forget(request: httpx.Request, status: int, obj: object) -> httpx.Response:
            fake.sessions.clear()  # every new session is dropped at once
            return original(request, status, obj)

        fake.reply = forget  # type: ignore[method-assign]
        with pytest.raises(UnauthorizedError):
            await client.get_user()
    assert fake.paths()[-3:] == ["GET /v1/user/77", "POST /v1/session-server", "GET /v1/user/77"]


async def test_wrong_key_is_a_credentials_error_naming_the_masked_key(driver: Driver) -> None:
    fake = FakeBunq()
    async with make(driver, fake) as client:
        with pytest.raises(CredentialsError) as info:
            await client.create_context("sandbox_" + "cd" * 28, permitted_ips=["1.2.3.4", "*"])
    text = str(info.value)
    assert "sandbox_cdcd…cdcd" in text and "cd" * 28 not in text
    assert "1.2.3.4, *" in text and "custom environment" in text


async def test_restored_context_reuses_installation_and_opens_only_a_session(
    driver: Driver,
) -> None:
    fake = FakeBunq()
    async with make(driver, fake) as client:
        ctx = await client.create_context(API_KEY)
    stored = ApiContext.from_dict(ctx.without_session().to_dict())
    fake.requests.clear()
    async with make(driver, fake, context=stored) as client:
        await client.get_user()
    assert fake.paths() == ["POST /v1/session-server", "GET /v1/user/77"]


async def test_operations_without_a_context_say_what_to_do(driver: Driver) -> None:
    async with make(driver, FakeBunq()) as client:
        with pytest.raises(Exception, match="log in"):
            await client.get_user()
