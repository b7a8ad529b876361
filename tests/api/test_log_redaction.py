"""The token exchange URL carries ``code`` and ``client_secret`` (bunq wants them as query
parameters). With every logger a user can turn up at DEBUG (root, httpx, httpcore, bunqtui), a
real OAuth exchange against the emulator leaves neither in any log record: not in the message,
the arguments, a traceback or a stack, as pytest's handler sees it and as a plain StreamHandler
on the root logger prints it. Through both drivers."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import httpx
import pytest
from api_helpers import Control, Driver

from bunqtui.api._logging import REDACTED, redact
from bunqtui.api.client import BunqClient
from bunqtui.api.environment import Environment
from bunqtui.api.errors import OAuthError
from bunqtui.api.oauth import AuthorizationRequest

LOGGERS = ("", "httpx", "httpcore", "bunqtui")


@pytest.fixture
def printed(caplog: pytest.LogCaptureFixture) -> Iterator[io.StringIO]:
    """Everything at DEBUG; also a real StreamHandler on root, formatted with tracebacks."""
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name or None)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


def _record_texts(caplog: pytest.LogCaptureFixture) -> list[str]:
    texts = []
    for record in caplog.records:
        texts += [record.getMessage(), str(record.msg), repr(record.args)]
        texts += [record.exc_text or "", record.stack_info or ""]
    return texts


async def _code(client: BunqClient, control: Control, environment: Environment) -> tuple:
    oauth = await client.get_or_create_oauth_client()
    redirect_uri = "http://127.0.0.1:8799/callback"
    await client.ensure_callback_url(None, oauth.id, redirect_uri)
    request = AuthorizationRequest(environment, oauth.client_id or "", redirect_uri)
    end_user = await control.new_user("person", accounts=1, payments=0)
    code = request.accept(await control.approve(request.url, end_user["api_key"]))
    return oauth, redirect_uri, request, code


async def test_the_token_exchange_logs_neither_the_code_nor_the_client_secret(
    client: BunqClient,
    control: Control,
    environment: Environment,
    caplog: pytest.LogCaptureFixture,
    printed: io.StringIO,
    driver: Driver,
) -> None:
    oauth, redirect_uri, request, code = await _code(client, control, environment)
    secret = oauth.secret or ""
    assert len(code) >= 8 and len(secret) >= 8
    caplog.clear()
    # once with a client of its own, once with the shared client core uses
    token = await driver.exchange_code(
        environment, code, redirect_uri, oauth.client_id or "", secret, expected_state=request.state
    )
    assert token.access_token
    async with driver.http_client(verify=False) as http:
        with pytest.raises(OAuthError):  # the code is single-use: a second exchange fails
            await driver.exchange_code(
                environment, code, redirect_uri, oauth.client_id or "", secret, http=http
            )
    texts = _record_texts(caplog)
    assert any("/token" in t for t in texts), "the exchange was not logged at all?"
    assert any(REDACTED in t for t in texts)  # httpx's request line, redacted
    output = printed.getvalue()
    assert "/token" in output
    for leaked in (code, secret, token.access_token):
        assert not any(leaked in t for t in texts)
        assert leaked not in output


async def test_a_logged_traceback_is_redacted_too(
    caplog: pytest.LogCaptureFixture, printed: io.StringIO
) -> None:
    from bunqtui.api._logging import install_log_redaction

    install_log_redaction()
    url = "https://bunq.test/v1/token?grant_type=authorization_code&code=SECRETCODE1&client_secret=S3CRET"
    try:
        raise httpx.ConnectError(f"failed for {url}")
    except httpx.ConnectError:
        logging.getLogger("httpx").debug("request to %s failed", httpx.URL(url), exc_info=True)
        logging.getLogger("httpcore.http11").debug("send %s", url, stack_info=True)
    texts = _record_texts(caplog)
    for leaked in ("SECRETCODE1", "S3CRET"):
        assert not any(leaked in t for t in texts)
        assert leaked not in printed.getvalue()
    assert "Traceback" in printed.getvalue()


def test_redact_keeps_everything_but_the_secret_values() -> None:
    url = (
        "/v1/token?grant_type=authorization_code&code=abc&redirect_uri=x&client_id=id"
        "&client_secret=s"
    )
    assert redact(url) == (
        "/v1/token?grant_type=authorization_code&code=[redacted]&redirect_uri=x&client_id=id"
        "&client_secret=[redacted]"
    )
    assert redact("postcode=1234AB&country_code=NL") == "postcode=1234AB&country_code=NL"
    assert redact("code%3Dabc") == "code%3D[redacted]"
