"""bunq OAuth (docs/protocol.md#authorize, docs/protocol.md#token-exchange): authorize URL, state,
code exchange, redirect parsing.

The exchange is a plain POST with query parameters and an empty body (what bunq's own samples
do; sdk_python's OauthAccessToken is avoided, docs/protocol.md#token-exchange). The token endpoint
is not part of the
signed API, so its answer is not signature-checked; its ``state`` echo is.

The exchange is a sans-IO flow (:func:`exchange_flow`) with two entry points:
:func:`exchange_code` (async) and :func:`exchange_code_sync`.

The token URL carries ``code`` and ``client_secret`` in its query, so it is only ever sent to
the environment's token URL over https (or loopback http), and the log filter of
:mod:`bunqtui.api._logging` redacts both from every httpx/httpcore/bunqtui log record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from bunqtui.api._httpx import httpx
from bunqtui.api._logging import install_log_redaction
from bunqtui.api.envelope import decode_json
from bunqtui.api.environment import Environment
from bunqtui.api.errors import NetworkError, OAuthError, ProtocolError, StateMismatchError
from bunqtui.api.protocol import USER_AGENT, Failed, Flow, Reply, Send, guard_url
from bunqtui.api.state import StateGuard, new_state, states_equal

if TYPE_CHECKING:
    from bunqtui.api.loopback import LoopbackCallbackListener

__all__ = [
    "AuthorizationRequest",
    "LoopbackCallbackListener",
    "OAuthToken",
    "StateGuard",
    "authorize_url",
    "exchange_code",
    "exchange_code_sync",
    "exchange_flow",
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


def exchange_flow(
    environment: Environment,
    code: str,
    redirect_uri: str,
    client_id: str,
    client_secret: str,
    *,
    expected_state: str | None = None,
) -> Flow[OAuthToken]:
    """The token exchange as a sans-IO flow: POST the token URL with query parameters and no
    body → the access token (1 request). Never retried: a code is single-use."""
    params = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": client_id,
        "client_secret": client_secret,
    }
    install_log_redaction()  # before the URL with the secret exists anywhere
    guard_url(environment.oauth_token_url)  # https, or http to this machine only
    url = str(httpx.URL(environment.oauth_token_url, params=params))
    outcome = yield Send("POST", url, {"User-Agent": USER_AGENT})
    if isinstance(outcome, Failed):
        raise NetworkError(
            f"Could not reach bunq's OAuth server ({outcome.reason}); try the login again."
        )
    return _token(outcome, expected_state)


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
    """:func:`exchange_flow` over an AsyncClient (``http``, or one of its own)."""
    from bunqtui.api.transport import AsyncDriver, make_http_client

    flow = exchange_flow(
        environment, code, redirect_uri, client_id, client_secret, expected_state=expected_state
    )
    own = http is None
    async with AsyncDriver(http or make_http_client(timeout=timeout), own_http=own) as driver:
        return await driver._run(flow)


def exchange_code_sync(
    environment: Environment,
    code: str,
    redirect_uri: str,
    client_id: str,
    client_secret: str,
    *,
    http: httpx.Client | None = None,
    expected_state: str | None = None,
    timeout: float = 30.0,
) -> OAuthToken:
    """:func:`exchange_flow` over an httpx.Client (``http``, or one of its own)."""
    from bunqtui.api.sync_client import SyncDriver, sync_http_client

    flow = exchange_flow(
        environment, code, redirect_uri, client_id, client_secret, expected_state=expected_state
    )
    own = http is None
    with SyncDriver(http or sync_http_client(timeout=timeout), own_http=own) as driver:
        return driver._run(flow)


def _token(reply: Reply, expected_state: str | None) -> OAuthToken:
    status = reply.status
    try:
        data = decode_json(reply.content)
    except ProtocolError:
        raise ProtocolError(
            f"bunq's OAuth server sent an unreadable answer (HTTP {status}).", status=status
        ) from None
    if not isinstance(data, dict):
        raise ProtocolError("bunq's OAuth server sent an unexpected answer.")
    if status != 200 or "error" in data:
        error = data.get("error")
        description = data.get("error_description")
        raise OAuthError(
            error if isinstance(error, str) else "server_error",
            description if isinstance(description, str) else None,
            status=status,
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
        from bunqtui.api.loopback import LoopbackCallbackListener

        return LoopbackCallbackListener(self.redirect_uri, self.guard, timeout=timeout)


def __getattr__(name: str) -> Any:
    # the listener (uvicorn, starlette, asyncio) loads only when asked for: the sync path and
    # a pasted-code login never need it
    if name == "LoopbackCallbackListener":
        from bunqtui.api.loopback import LoopbackCallbackListener

        return LoopbackCallbackListener
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
