"""Where bunq lives: the API base URL and the (asymmetric) OAuth hosts, per environment (§1)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

PRODUCTION = "production"
SANDBOX = "sandbox"
CUSTOM = "custom"


@dataclass(frozen=True, slots=True)
class Environment:
    name: str
    api_base_url: str
    oauth_authorize_url: str
    oauth_token_url: str

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
