"""OAuth pieces that need no server: authorize URL, state, redirect parsing, exchange errors."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from bunqtui.api.environment import Environment
from bunqtui.api.errors import OAuthError, ProtocolError, StateMismatchError
from bunqtui.api.oauth import (
    AuthorizationRequest,
    StateGuard,
    authorize_url,
    exchange_code,
    new_state,
    parse_redirect,
)

REDIRECT = "http://127.0.0.1:8765/callback"


def test_new_state_is_long_and_unique() -> None:
    states = {new_state() for _ in range(100)}
    assert len(states) == 100 and all(len(s) >= 43 for s in states)


def test_authorize_url_encodes_every_parameter() -> None:
    url = authorize_url(Environment.sandbox(), "cid", REDIRECT, "a b&c")
    assert url.startswith("https://oauth.sandbox.bunq.com/auth?")
    assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcallback" in url
    query = parse_qs(urlsplit(url).query)
    assert query == {
        "response_type": ["code"],
        "client_id": ["cid"],
        "redirect_uri": [REDIRECT],
        "state": ["a b&c"],
    }
    emu = Environment.custom("http://127.0.0.1:9/v1")
    assert authorize_url(emu, "c", REDIRECT, "s").startswith("http://127.0.0.1:9/auth?")


def test_parse_redirect_checks_state() -> None:
    assert parse_redirect(f"{REDIRECT}?code=abc123&state=s1", "s1") == "abc123"
    assert parse_redirect("code=abc123&state=s1", "s1") == "abc123"
    with pytest.raises(StateMismatchError):
        parse_redirect(f"{REDIRECT}?code=abc123&state=s2", "s1")
    with pytest.raises(StateMismatchError):
        parse_redirect(f"{REDIRECT}?code=abc123", "s1")
    with pytest.raises(OAuthError) as denied:
        parse_redirect(f"{REDIRECT}?error=access_denied&state=s1", "s1")
    assert denied.value.error == "access_denied"
    with pytest.raises(OAuthError):
        parse_redirect(f"{REDIRECT}?state=s1", "s1")


def test_parse_redirect_accepts_a_bare_code_and_rejects_junk() -> None:
    assert parse_redirect("  " + "ab" * 32 + "\n", "s") == "ab" * 32
    with pytest.raises(OAuthError):
        parse_redirect("", "s")
    with pytest.raises(OAuthError):
        parse_redirect("not a code!", "s")


def test_state_guard_accepts_once() -> None:
    guard = StateGuard("s1")
    assert parse_redirect(f"{REDIRECT}?code=c&state=s1", guard) == "c"
    with pytest.raises(StateMismatchError, match="already used"):
        parse_redirect(f"{REDIRECT}?code=c&state=s1", guard)
    assert "s1" not in repr(guard)


def test_authorization_request_bundles_url_and_guard() -> None:
    req = AuthorizationRequest(Environment.sandbox(), "cid", REDIRECT)
    assert f"state={req.state}" in req.url
    assert req.accept(f"{REDIRECT}?code=x&state={req.state}") == "x"
    with pytest.raises(StateMismatchError):
        req.accept(f"{REDIRECT}?code=x&state={req.state}")
    assert req.listener().guard is req.guard


def _token_server(status: int, body: bytes, seen: list[httpx.Request]) -> httpx.AsyncClient:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, content=body)

    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


async def test_exchange_sends_query_parameters_and_no_body() -> None:
    seen: list[httpx.Request] = []
    body = b'{"access_token":"' + b"a" * 64 + b'","token_type":"bearer","state":"s1"}'
    async with _token_server(200, body, seen) as http:
        token = await exchange_code(
            Environment.sandbox(),
            "code1",
            REDIRECT,
            "cid",
            "csecret",
            http=http,
            expected_state="s1",
        )
    assert token.access_token == "a" * 64 and token.state == "s1"
    assert "a" * 64 not in repr(token)
    request = seen[0]
    assert request.method == "POST" and request.content == b""
    assert request.url.host == "api-oauth.sandbox.bunq.com" and request.url.path == "/v1/token"
    assert dict(request.url.params) == {
        "grant_type": "authorization_code",
        "code": "code1",
        "redirect_uri": REDIRECT,
        "client_id": "cid",
        "client_secret": "csecret",
    }


async def test_exchange_errors() -> None:
    seen: list[httpx.Request] = []
    bad = b'{"error":"invalid_grant","error_description":"The authorization code is invalid."}'
    async with _token_server(400, bad, seen) as http:
        with pytest.raises(OAuthError) as info:
            await exchange_code(Environment.sandbox(), "c", REDIRECT, "i", "s", http=http)
    assert info.value.error == "invalid_grant" and info.value.status == 400
    assert "csecret" not in str(info.value)
    async with _token_server(502, b"<html>bad gateway</html>", seen) as http:
        with pytest.raises(ProtocolError):
            await exchange_code(Environment.sandbox(), "c", REDIRECT, "i", "s", http=http)
    body = b'{"access_token":"t","token_type":"bearer","state":"other"}'
    async with _token_server(200, body, seen) as http:
        with pytest.raises(StateMismatchError):
            await exchange_code(
                Environment.sandbox(), "c", REDIRECT, "i", "s", http=http, expected_state="s1"
            )
