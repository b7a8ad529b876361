"""The transport against a scripted signing server (httpx.MockTransport as the seam).

The emulator tests cover the same behaviour end to end; these pin the exact rules: the signed
bytes are the sent bytes, verification happens on raw bytes before parsing, and which failures
are retried with which request id. Through both drivers (Transport and SyncTransport).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx
import pytest

from bunqtui.api import crypto
from bunqtui.api.client import BunqClient
from bunqtui.api.environment import Environment
from bunqtui.api.errors import (
    NetworkError,
    ProtocolError,
    RateLimitedError,
    ServerError,
    SignatureError,
)
from bunqtui.api.ratelimit import RateLimiter
from bunqtui.api.transport import USER_AGENT, Transport

if TYPE_CHECKING:
    from api_helpers import Driver

SERVER_KEY = crypto.generate_key_pair()
CLIENT_KEY = crypto.generate_key_pair()
SERVER_PUB = SERVER_KEY.public_key()
OK_BODY = b'{"Response":[{"Id":{"id":42}}]}'

Step = Callable[[httpx.Request], httpx.Response]


def signed(
    status: int,
    body: bytes,
    key=SERVER_KEY,
    request: httpx.Request | None = None,
    lower: bool = False,
) -> httpx.Response:
    sig_name = "x-bunq-server-signature" if lower else "X-Bunq-Server-Signature"
    headers = {sig_name: crypto.sign(key, body), "X-Bunq-Client-Response-Id": "resp-1"}
    if request is not None:
        headers["X-Bunq-Client-Request-Id"] = request.headers["X-Bunq-Client-Request-Id"]
    return httpx.Response(status, content=body, headers=headers)


class Script:
    """Answers requests with the given steps in order; records every request."""

    def __init__(self, *steps: Step) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        return step(request)


def make_transport(driver: Driver, script: Script, sleeps: list[float]) -> Transport:
    return driver.transport(
        driver.mock(script),
        rate_limiter=RateLimiter.disabled(),
        backoff_base=3.0,
        retry_base=0.5,
        sleep=driver.sleep(sleeps.append),
    )


URL = "https://bunq.test/v1/user/1/monetary-account/2/payment"


async def test_signs_the_exact_bytes_it_sends_and_sets_bunq_headers(driver: Driver) -> None:
    script = Script(lambda r: signed(200, OK_BODY, request=r))
    transport = make_transport(driver, script, [])
    payload = {"amount": {"value": "1.00", "currency": "EUR"}, "description": "caf\u00e9 /x"}
    env = await transport.send(
        "POST", URL, payload=payload, token="tok", sign_with=CLIENT_KEY, server_key=SERVER_PUB
    )
    assert env.id() == 42
    sent = script.requests[0]
    assert crypto.verify(
        crypto.public_key_pem(CLIENT_KEY), sent.content, sent.headers["X-Bunq-Client-Signature"]
    )
    assert json.loads(sent.content) == payload
    assert sent.headers["User-Agent"] == USER_AGENT and USER_AGENT.startswith("bunqtui/")
    assert sent.headers["Cache-Control"] == "no-cache"
    assert sent.headers["X-Bunq-Client-Authentication"] == "tok"
    assert sent.headers["X-Bunq-Geolocation"] == "0 0 0 0 000"
    assert sent.headers["X-Bunq-Language"] == "en_US"
    assert sent.headers["Content-Type"] == "application/json"


async def test_fresh_request_id_per_request(driver: Driver) -> None:
    script = Script(lambda r: signed(200, OK_BODY, request=r))
    transport = make_transport(driver, script, [])
    for _ in range(3):
        await transport.send("GET", URL, server_key=SERVER_PUB)
    ids = {r.headers["X-Bunq-Client-Request-Id"] for r in script.requests}
    assert len(ids) == 3


async def test_lower_cased_signature_header_verifies(driver: Driver) -> None:
    script = Script(lambda r: signed(200, OK_BODY, lower=True))
    env = await make_transport(driver, script, []).send("GET", URL, server_key=SERVER_PUB)
    assert env.id() == 42


@pytest.mark.parametrize(
    "response",
    [
        lambda r: signed(200, OK_BODY, key=CLIENT_KEY),  # signed by someone else
        lambda r: httpx.Response(
            200,
            content=OK_BODY,
            headers={"X-Bunq-Server-Signature": crypto.sign(SERVER_KEY, OK_BODY + b" ")},
        ),
        lambda r: httpx.Response(200, content=OK_BODY),  # no signature at all
        lambda r: signed(404, b'{"Error":[{"error_description":"x"}]}', key=CLIENT_KEY),
    ],
)
async def test_unverifiable_answers_are_refused(response: Step, driver: Driver) -> None:
    transport = make_transport(driver, Script(response), [])
    with pytest.raises(SignatureError) as info:
        await transport.send("GET", URL, server_key=SERVER_PUB)
    assert "discarded" in str(info.value)


async def test_re_encoded_json_would_not_verify_but_raw_bytes_do(driver: Driver) -> None:
    raw = b'{"Response":[{"Payment":{"id":1,"description":"a\\/b \\u00e9"}}]}'
    script = Script(lambda r: signed(200, raw))
    env = await make_transport(driver, script, []).send("GET", URL, server_key=SERVER_PUB)
    assert env.all("Payment")[0]["description"] == "a/b \u00e9"
    assert json.dumps(json.loads(raw), separators=(",", ":")).encode() != raw


async def test_burst_of_unsigned_429s_is_absorbed_with_backoff_at_least_base(
    driver: Driver,
) -> None:
    too_many = httpx.Response(
        429, content=b'{"Error":[{"error_description":"Too many requests."}]}'
    )
    script = Script(lambda r: too_many, lambda r: too_many, lambda r: signed(200, OK_BODY))
    sleeps: list[float] = []
    env = await make_transport(driver, script, sleeps).send("POST", URL, server_key=SERVER_PUB)
    assert env.id() == 42 and len(script.requests) == 3
    assert len(sleeps) == 2 and sleeps[0] >= 3.0 and sleeps[1] >= 6.0
    # a request id of its own on every attempt: bunq refuses one it has seen
    assert len({r.headers["X-Bunq-Client-Request-Id"] for r in script.requests}) == 3


async def test_429s_beyond_the_bound_surface_as_rate_limited(driver: Driver) -> None:
    script = Script(lambda r: httpx.Response(429, content=b"{}"))
    with pytest.raises(RateLimitedError):
        await make_transport(driver, script, []).send("GET", URL, server_key=SERVER_PUB)
    assert len(script.requests) == 4  # 1 + 3 retries


async def test_500_on_get_is_retried(driver: Driver) -> None:
    script = Script(lambda r: httpx.Response(500, content=b"oops"), lambda r: signed(200, OK_BODY))
    sleeps: list[float] = []
    env = await make_transport(driver, script, sleeps).send("GET", URL, server_key=SERVER_PUB)
    assert env.id() == 42 and len(script.requests) == 2 and sleeps


async def test_500_on_post_is_not_retried_and_says_outcome_unknown(driver: Driver) -> None:
    script = Script(lambda r: httpx.Response(500, content=b"oops"), lambda r: signed(200, OK_BODY))
    with pytest.raises(ServerError, match="outcome is unknown") as info:
        await make_transport(driver, script, []).send("POST", URL, server_key=SERVER_PUB)
    assert len(script.requests) == 1
    assert info.value.request_id == script.requests[0].headers["X-Bunq-Client-Request-Id"]


def _drop(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadError("connection reset", request=request)


def _refuse(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("refused", request=request)


async def test_dropped_connection_on_post_is_not_retried(driver: Driver) -> None:
    script = Script(_drop, lambda r: signed(200, OK_BODY))
    with pytest.raises(NetworkError, match="outcome is unknown"):
        await make_transport(driver, script, []).send("POST", URL, server_key=SERVER_PUB)
    assert len(script.requests) == 1


async def test_dropped_connection_on_get_is_retried(driver: Driver) -> None:
    script = Script(_drop, lambda r: signed(200, OK_BODY))
    env = await make_transport(driver, script, []).send("GET", URL, server_key=SERVER_PUB)
    assert env.id() == 42 and len(script.requests) == 2


async def test_connect_error_on_post_is_retried_with_a_new_request_id(driver: Driver) -> None:
    script = Script(_refuse, lambda r: signed(200, OK_BODY))
    env = await make_transport(driver, script, []).send(
        "POST", URL, server_key=SERVER_PUB, request_id="fixed-id"
    )
    assert env.id() == 42
    first, second = (r.headers["X-Bunq-Client-Request-Id"] for r in script.requests)
    assert first == "fixed-id" != second


async def test_echoed_request_id_must_match(driver: Driver) -> None:
    def wrong_echo(request: httpx.Request) -> httpx.Response:
        response = signed(200, OK_BODY)
        response.headers["X-Bunq-Client-Request-Id"] = "someone-else"
        return response

    with pytest.raises(ProtocolError, match="another request"):
        await make_transport(driver, Script(wrong_echo), []).send("GET", URL, server_key=SERVER_PUB)


async def test_errors_carry_bunq_texts_and_response_id(driver: Driver) -> None:
    body = (
        b'{"Error":[{"error_description":"Monetary account not found.",'
        b'"error_description_translated":"Rekening niet gevonden."}]}'
    )
    script = Script(lambda r: signed(404, body))
    with pytest.raises(Exception) as info:
        await make_transport(driver, script, []).send("GET", URL, server_key=SERVER_PUB)
    assert str(info.value) == "Rekening niet gevonden. (HTTP 404) [bunq response id resp-1]"


def test_pagination_urls_join_with_scheme_and_host_only() -> None:  # pure: no driver
    client = BunqClient(Environment.custom("http://127.0.0.1:5000/v1"))
    joined = client._follow_url("/v1/user/1/monetary-account/2/payment?count=200&older_id=9")
    assert (
        joined == "http://127.0.0.1:5000/v1/user/1/monetary-account/2/payment?count=200&older_id=9"
    )
    assert "/v1/v1" not in joined
    same = client._follow_url("http://127.0.0.1:5000/v1/user/1/payment?older_id=3")
    assert same == "http://127.0.0.1:5000/v1/user/1/payment?older_id=3"
    with pytest.raises(ProtocolError):
        client._follow_url("https://evil.example/v1/user/1/payment?older_id=3")
    with pytest.raises(ProtocolError):
        client._follow_url("user/1/payment")


HOSTILE_TEXT = "Your account is blocked: call +31 20 000 0000 or visit evil.example now."
HOSTILE_ERROR = json.dumps(
    {"Error": [{"error_description": HOSTILE_TEXT, "error_description_translated": HOSTILE_TEXT}]}
).encode()


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 466, 490])
@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(lambda status: httpx.Response(status, content=HOSTILE_ERROR), id="unsigned"),
        pytest.param(lambda status: signed(status, HOSTILE_ERROR, key=CLIENT_KEY), id="bad-sig"),
    ],
)
async def test_an_unverified_4xx_is_refused_like_a_2xx_and_its_text_is_not_shown(
    status: int, answer: Callable[[int], httpx.Response], driver: Driver
) -> None:
    script = Script(lambda r: answer(status))
    with pytest.raises(SignatureError) as info:
        await make_transport(driver, script, []).send("GET", URL, server_key=SERVER_PUB)
    assert info.value.status == status
    text = f"{info.value} {info.value.description} {info.value.translated} {info.value!r}"
    assert "evil.example" not in text and "blocked" not in text
    assert "discarded" in str(info.value)


async def test_an_unsigned_answer_to_bad_credentials_is_not_taken_for_bunqs(driver: Driver) -> None:
    # bunq's credentials text would become a CredentialsError blaming the key: unsigned, it
    # proves nothing about the key
    body = b'{"Error":[{"error_description":"User credentials are incorrect. Incorrect API key."}]}'
    script = Script(lambda r: httpx.Response(400, content=body))
    with pytest.raises(SignatureError):
        await make_transport(driver, script, []).send("POST", URL, server_key=SERVER_PUB)


@pytest.mark.parametrize(
    ("status", "kind"),
    [(429, RateLimitedError), (500, ServerError), (503, Exception), (491, Exception)],
)
async def test_unsigned_rate_limit_and_server_errors_keep_their_meaning_but_not_their_text(
    status: int, kind: type[Exception], driver: Driver
) -> None:
    script = Script(lambda r: httpx.Response(status, content=HOSTILE_ERROR))
    transport = make_transport(driver, script, [])
    transport.max_retries = 0
    with pytest.raises(kind) as info:
        await transport.send("GET", URL, server_key=SERVER_PUB)
    assert "evil.example" not in str(info.value) and getattr(info.value, "status", None) == status


async def test_a_signed_rate_limit_text_is_bunqs_and_is_shown(driver: Driver) -> None:
    script = Script(lambda r: signed(429, HOSTILE_ERROR))
    transport = make_transport(driver, script, [])
    transport.max_retries = 0
    with pytest.raises(RateLimitedError, match=r"evil\.example"):
        await transport.send("GET", URL, server_key=SERVER_PUB)
