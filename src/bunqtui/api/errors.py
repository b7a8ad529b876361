"""Typed errors for everything that can go wrong talking to bunq.

Every error has a user-facing ``str()`` that says what happened and, where it helps, what to
do. None of them ever carries a secret (API key, token, private key) in its message or repr.
"""

from __future__ import annotations


class BunqError(Exception):
    """Base class: bunq (or the way to it) refused or failed a request.

    ``status`` is the HTTP status (None when no answer arrived), ``description`` bunq's English
    ``error_description``, ``translated`` its ``error_description_translated`` and
    ``response_id`` the ``X-Bunq-Client-Response-Id`` that bunq support asks for.
    """

    default_message = "bunq refused the request."

    def __init__(
        self,
        description: str | None = None,
        *,
        status: int | None = None,
        translated: str | None = None,
        response_id: str | None = None,
        request_id: str | None = None,
    ) -> None:
        self.status = status
        self.description = description or self.default_message
        self.translated = translated or self.description
        self.response_id = response_id
        self.request_id = request_id
        super().__init__(self.description)

    def __str__(self) -> str:
        text = self.translated
        if self.status is not None:
            text = f"{text} (HTTP {self.status})"
        if self.response_id:
            text = f"{text} [bunq response id {self.response_id}]"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, description={self.description!r}, "
            f"response_id={self.response_id!r})"
        )


class BadRequestError(BunqError):
    """400 (and 405/466/490): the request itself was wrong."""


class UnauthorizedError(BunqError):
    """401: token or signature not valid, e.g. an expired session."""


class ForbiddenError(BunqError):
    """403: not allowed (OAuth/PSD2 scope, or a stale-session variant)."""


class NotFoundError(BunqError):
    """404: the object does not exist (or is not visible to this user)."""


class RateLimitedError(BunqError):
    """429 after all retries: bunq's rate limit was still hit."""

    default_message = "bunq's rate limit was hit; wait a few seconds and try again."


class MaintenanceError(BunqError):
    """491/503: bunq is in maintenance or its gateway is unavailable."""

    default_message = "bunq is temporarily unavailable (maintenance); try again later."


class ServerError(BunqError):
    """500/502 and other 5xx: bunq failed. For a POST the outcome is unknown."""

    default_message = "bunq had an internal error; try again later."


class SignatureError(BunqError):
    """The response signature was missing or did not verify: its data was discarded."""

    default_message = (
        "The response from bunq could not be verified (its server signature is missing or "
        "wrong), so its data was discarded. If this persists, the connection may be tampered "
        "with or the stored context is stale: log in again."
    )


class CredentialsError(BadRequestError):
    """bunq's 'User credentials are incorrect. Incorrect API key or IP address.'"""

    def __init__(
        self,
        *,
        masked_secret: str,
        environment: str,
        permitted_ips: tuple[str, ...] = (),
        status: int | None = 400,
        translated: str | None = None,
        response_id: str | None = None,
        request_id: str | None = None,
    ) -> None:
        ips = ", ".join(permitted_ips) if permitted_ips else "this machine's IP address"
        description = (
            f"bunq did not accept the API key {masked_secret} from this IP address. Check that "
            f"the key is right, belongs to the {environment} environment and has not been "
            f"revoked, and that this machine's IP is permitted for it (permitted IPs: {ips})."
        )
        super().__init__(
            description,
            status=status,
            translated=description,
            response_id=response_id,
            request_id=request_id,
        )
        self.bunq_text = translated
        self.masked_secret = masked_secret


class NetworkError(BunqError):
    """No (complete) answer arrived: connection refused, dropped or timed out."""

    default_message = "Could not reach bunq; check the network connection and try again."


class ConnectionLostError(NetworkError):
    """The connection broke after the request was sent: bunq may have acted on it (for a
    request that moves money, the outcome is unknown until it is looked up)."""


class ProtocolError(BunqError):
    """The answer could not be understood (unparseable or unexpected envelope)."""

    default_message = "bunq sent an answer bunqtui could not understand."


class PaginationError(ProtocolError):
    """bunq's pagination did not move strictly older (a loop, a repeat, or no progress)."""

    default_message = (
        "bunq's answer does not page through the list correctly (it repeats or goes back), "
        "so bunqtui stopped reading it."
    )


class ResponseTooLargeError(ProtocolError):
    """An answer's body went over the size cap; it was refused while it arrived."""


class InsecureURLError(BunqError, ValueError):
    """A URL that secrets must not be sent to: plain HTTP to a host that is not this machine,
    or another host than the environment's. A ValueError too, so configuration code that
    turns ValueError into a config error reports it as one."""

    default_message = "bunqtui refused to send the request to an unsafe URL."


class OAuthError(BunqError):
    """The OAuth authorisation or token exchange failed; ``error`` is the RFC 6749 code."""

    def __init__(
        self, error: str, description: str | None = None, *, status: int | None = None
    ) -> None:
        self.error = error
        text = description or _OAUTH_TEXTS.get(error, f"The bunq login failed ({error}).")
        super().__init__(text, status=status)


class CallbackTimeoutError(OAuthError):
    """The browser never came back to the loopback callback in time."""

    def __init__(self, timeout: float) -> None:
        super().__init__(
            "timeout",
            f"No answer from the browser within {timeout:g} s. Approve the login in the bunq "
            "app, or paste the URL the browser was sent to.",
        )


class StateMismatchError(OAuthError):
    """The OAuth ``state`` was missing, wrong or already used (possible CSRF)."""

    def __init__(self, description: str | None = None) -> None:
        super().__init__(
            "state_mismatch",
            description
            or "The login answer does not belong to this login attempt (state mismatch or "
            "already used). Start the login again.",
        )


_OAUTH_TEXTS = {
    "access_denied": "The bunq user declined the connection.",
    "invalid_grant": "The authorisation code is invalid or expired; start the login again.",
    "invalid_client": "bunq did not accept the OAuth client id or secret.",
}


def mask_secret(secret: str | None) -> str:
    """Show enough of a key to recognise it, never enough to use it."""
    if not secret:
        return "(none)"
    if len(secret) <= 12:
        return "…" + secret[-2:]
    prefix = "sandbox_" if secret.startswith("sandbox_") else ""
    rest = secret[len(prefix) :]
    return f"{prefix}{rest[:4]}…{rest[-4:]}"
