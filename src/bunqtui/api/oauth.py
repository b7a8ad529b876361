"""bunq OAuth (§8.2, §8.3): authorize URL, state, code exchange, redirect parsing.

The exchange is a plain POST with query parameters and an empty body (what bunq's own samples
do; sdk_python's OauthAccessToken is avoided, §13.14). The token endpoint is not part of the
signed API, so its answer is not signature-checked; its ``state`` echo is.

The token URL carries ``code`` and ``client_secret`` in its query, so it is only ever sent to
the environment's token URL over https (or loopback http), and the log filter of
:mod:`bunqtui.api._logging` redacts both from every httpx/httpcore/bunqtui log record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from bunqtui.api._httpx import httpx
from bunqtui.api._logging import install_log_redaction
from bunqtui.api.envelope import decode_json
from bunqtui.api.environment import Environment
from bunqtui.api.errors import NetworkError, OAuthError, ProtocolError, StateMismatchError
from bunqtui.api.loopback import LoopbackCallbackListener
from bunqtui.api.state import StateGuard, new_state, states_equal
from bunqtui.api.transport import guard_url, make_http_client, read_capped

__all__ = [
    "AuthorizationRequest",
    "LoopbackCallbackListener",
    "OAuthToken",
    "StateGuard",
    "authorize_url",
    "exchange_code",
    "new_state",
    "parse_redirect",
]

_BARE_CODE = re.compile(r"^[A-Za-z0-9._~-]{8,512}$")


@dataclass(frozen=True, slots=True)
class OAuthToken:
    access_token: str = field(repr=False)
    token_type: str | None = None
    state: str | None = None


def authorize_url(environment: Environment, client_id: str, redirect_uri: str, state: str) -> str:
    """The browser URL of bunq's authorize page, every parameter URL-encoded."""
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "state": state,
        },
        quote_via=quote,
        safe="",
    )
    return f"{environment.oauth_authorize_url}?{query}"


def parse_redirect(url_or_code: str, expected_state: str | StateGuard) -> str:
    """The code from a pasted redirect URL (state checked, once if a StateGuard) or a bare code.

    A bare code carries no state to check; it can only come from the user's own paste.
    """
    text = url_or_code.strip()
    if not text:
        raise OAuthError("invalid_request", "Paste the URL bunq sent the browser to, or the code.")
    if "?" not in text and "=" not in text:
        if not _BARE_CODE.match(text):
            raise OAuthError("invalid_request", "That does not look like a bunq login code or URL.")
        return text
    query = urlsplit(text).query if "?" in text else text
    params = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
    received = params.get("state")
    if isinstance(expected_state, StateGuard):
        expected_state.check(received)
    elif not states_equal(expected_state, received):
        raise StateMismatchError()
    if params.get("error"):
        raise OAuthError(params["error"], params.get("error_description") or None)
    code = params.get("code")
    if not code:
        raise OAuthError("invalid_request", "The pasted URL has no code.")
    return code


async def exchange_code(
    environment: Environment,
    code: str,
    redirect_uri: str,
    client_id: str,
    client_secret: str,
    *,
    http: httpx.AsyncClient | None = None,
    expected_state: str | None = None,
    timeout: float = 30.0,
) -> OAuthToken:
    """POST the token URL with query parameters and no body → the access token (1 request).

    Never retried: a code is single-use.
    """
    params = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": client_id,
        "client_secret": client_secret,
    }
    install_log_redaction()  # before the URL with the secret exists anywhere
    guard_url(environment.oauth_token_url)  # https, or http to this machine only
    own = http is None
    client = http or make_http_client(timeout=timeout)
    try:
        request = client.build_request("POST", environment.oauth_token_url, params=params)
        response = await client.send(request, stream=True)
        try:
            content = await read_capped(response)
        finally:
            await response.aclose()
    except httpx.HTTPError as exc:
        raise NetworkError(
            f"Could not reach bunq's OAuth server ({type(exc).__name__}); try the login again."
        ) from None
    finally:
        if own:
            await client.aclose()
    try:
        data = decode_json(content)
    except ProtocolError:
        raise ProtocolError(
            f"bunq's OAuth server sent an unreadable answer (HTTP {response.status_code}).",
            status=response.status_code,
        ) from None
    if not isinstance(data, dict):
        raise ProtocolError("bunq's OAuth server sent an unexpected answer.")
    if response.status_code != 200 or "error" in data:
        error = data.get("error")
        description = data.get("error_description")
        raise OAuthError(
            error if isinstance(error, str) else "server_error",
            description if isinstance(description, str) else None,
            status=response.status_code,
        )
    token = data.get("access_token")
    if not isinstance(token, str) or not token:
        raise ProtocolError("bunq's OAuth answer has no access token.")
    state = data.get("state")
    state = state if isinstance(state, str) else None
    if expected_state is not None and state is not None and not states_equal(expected_state, state):
        raise StateMismatchError("bunq's token answer belongs to another login (state mismatch).")
    token_type = data.get("token_type")
    return OAuthToken(token, token_type if isinstance(token_type, str) else None, state)


@dataclass(slots=True)
class AuthorizationRequest:
    """One login attempt: its URL, its once-only state, and the ways to receive the code."""

    environment: Environment
    client_id: str
    redirect_uri: str
    guard: StateGuard = field(default_factory=StateGuard)

    @property
    def state(self) -> str:
        return self.guard.state

    @property
    def url(self) -> str:
        return authorize_url(self.environment, self.client_id, self.redirect_uri, self.state)

    def accept(self, url_or_code: str) -> str:
        """Paste fallback: the code from a redirect URL, consuming the state."""
        return parse_redirect(url_or_code, self.guard)

    def listener(self, *, timeout: float = 300.0) -> LoopbackCallbackListener:
        """A loopback listener sharing this attempt's state guard."""
        return LoopbackCallbackListener(self.redirect_uri, self.guard, timeout=timeout)
