"""Where bunq lives: the API base URL and the (asymmetric) OAuth hosts, per environment
(docs/protocol.md#environments)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from bunqtui.api.errors import InsecureURLError

PRODUCTION = "production"
SANDBOX = "sandbox"
CUSTOM = "custom"


def is_loopback_host(host: str | None) -> bool:
    """``localhost`` or a loopback address (127.0.0.0/8, ::1): traffic that never leaves this
    machine. Names that merely resolve to loopback (``foo.localhost``, ``127.1``) do not count:
    what they resolve to is not ours to promise."""
    name = (host or "").strip().lower()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_secure_url(url: str, what: str = "bunq") -> None:
    """InsecureURLError unless ``url`` is https, or plain http to this machine (the emulator).

    API keys, tokens and the OAuth client secret travel in these requests: over plain HTTP
    anyone on the path reads them.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise InsecureURLError(f"{what} URL {url!r} is not a valid URL.") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not host:
        raise InsecureURLError(f"{what} URL {url!r} is not an http(s) URL.")
    if scheme == "http" and not is_loopback_host(host):
        raise InsecureURLError(
            f"refusing plain http:// to {host}: the API key and tokens would travel "
            "unencrypted. Use https://, or http:// only to this machine "
            "(127.0.0.1, localhost, [::1]) for the emulator."
        )


@dataclass(frozen=True, slots=True)
class Environment:
    """Where one bunq lives. Every URL is checked when the object is made, so no Environment
    (from a flag, config.toml or a stored context) can name a plain-HTTP remote host."""

    name: str
    api_base_url: str
    oauth_authorize_url: str
    oauth_token_url: str

    def __post_init__(self) -> None:
        check_secure_url(self.api_base_url, "the API base")
        # the authorize page is where the user logs in; the token URL carries the client secret
        check_secure_url(self.oauth_authorize_url, "the OAuth authorize")
        check_secure_url(self.oauth_token_url, "the OAuth token")

    @classmethod
    def production(cls) -> Environment:
        return cls(
            PRODUCTION,
            "https://api.bunq.com/v1",
            "https://oauth.bunq.com/auth",
            "https://api.oauth.bunq.com/v1/token",
        )

    @classmethod
    def sandbox(cls) -> Environment:
        return cls(
            SANDBOX,
            "https://public-api.sandbox.bunq.com/v1",
            "https://oauth.sandbox.bunq.com/auth",
            "https://api-oauth.sandbox.bunq.com/v1/token",
        )

    @classmethod
    def custom(
        cls,
        base_url: str,
        *,
        oauth_authorize_url: str | None = None,
        oauth_token_url: str | None = None,
        name: str = CUSTOM,
    ) -> Environment:
        """Any base URL (the emulator): authorize at scheme+host+/auth, token at base+/token."""
        base = base_url.rstrip("/")
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"not an http(s) base URL: {base_url!r}")
        check_secure_url(base, "the API base")  # before deriving the OAuth URLs from it
        root = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        return cls(
            name,
            base,
            oauth_authorize_url or root + "/auth",
            oauth_token_url or base + "/token",
        )

    @classmethod
    def from_name(cls, name: str, base_url: str | None = None) -> Environment:
        """ "production", "sandbox", or anything else with a base URL (e.g. "emulator")."""
        key = name.strip().lower()
        if key == PRODUCTION and base_url is None:
            return cls.production()
        if key == SANDBOX and base_url is None:
            return cls.sandbox()
        if base_url is None:
            raise ValueError(
                f"unknown bunq environment {name!r}: use production, sandbox, or give a base URL"
            )
        if key == PRODUCTION:
            raise ValueError("the production environment cannot have a custom base URL")
        return cls.custom(base_url, name=key or CUSTOM)

    @property
    def is_sandbox(self) -> bool:
        """Sandbox rules apply (sandbox users, Sugar Daddy) everywhere but production."""
        return self.name != PRODUCTION

    @property
    def root_url(self) -> str:
        """scheme://host[:port] of the API: relative pagination URLs are joined to this."""
        parts = urlsplit(self.api_base_url)
        return urlunsplit((parts.scheme, parts.netloc, "", "", ""))
