"""The persistent API context: everything needed to talk to bunq again without a new handshake.

It serialises to plain data (``to_dict``) for the store, which keeps it in a 0600 file; its
``repr`` never shows a secret, so it is safe in logs and tracebacks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields, replace
from typing import Any

from bunqtui.api.environment import Environment
from bunqtui.api.errors import mask_secret

# what kind of secret opens the sessions (not secrets themselves)
KIND_API_KEY, KIND_OAUTH, KIND_PSD2 = "api_key", "oauth", "psd2"
SECRET_KINDS = (KIND_API_KEY, KIND_OAUTH, KIND_PSD2)
# renew when less than this is left (the SDK's margin, docs/protocol.md#sessions)
SESSION_MARGIN = dt.timedelta(seconds=30)

_SECRET_FIELDS = frozenset({"secret", "private_key_pem", "installation_token", "session_token"})


@dataclass(slots=True)
class ApiContext:
    environment_name: str
    api_base_url: str
    oauth_authorize_url: str
    oauth_token_url: str
    secret_kind: str = KIND_API_KEY
    secret: str | None = None
    private_key_pem: str | None = None
    installation_id: int | None = None
    installation_token: str | None = None
    server_public_key_pem: str | None = None
    device_id: int | None = None
    session_id: int | None = None
    session_token: str | None = None
    session_expiry: dt.datetime | None = None
    user_kind: str | None = None
    user_id: int | None = None
    granted_user_id: int | None = None
    description: str = "bunqtui"
    permitted_ips: tuple[str, ...] = ("*",)
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def for_environment(cls, environment: Environment, **values: Any) -> ApiContext:
        return cls(
            environment.name,
            environment.api_base_url,
            environment.oauth_authorize_url,
            environment.oauth_token_url,
            **values,
        )

    @property
    def environment(self) -> Environment:
        return Environment(
            self.environment_name,
            self.api_base_url,
            self.oauth_authorize_url,
            self.oauth_token_url,
        )

    @property
    def has_installation(self) -> bool:
        return bool(self.installation_token and self.private_key_pem and self.server_public_key_pem)

    def session_valid(self, now: dt.datetime | None = None) -> bool:
        """A session token exists and more than the 30 s margin is left on it."""
        if not self.session_token or self.session_expiry is None:
            return False
        now = now or dt.datetime.now(dt.UTC)
        return self.session_expiry - now > SESSION_MARGIN

    def without_session(self) -> ApiContext:
        return replace(self, session_id=None, session_token=None, session_expiry=None)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON/TOML-able data (secrets included: the store must keep it private)."""
        data: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            if isinstance(value, dt.datetime):
                value = value.isoformat()
            elif isinstance(value, tuple):
                value = list(value)
            data[f.name] = value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ApiContext:
        """Inverse of ``to_dict``; unknown keys are ignored, bad values raise ValueError."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for required in ("environment_name", "api_base_url", "oauth_authorize_url"):
            if not isinstance(values.get(required), str):
                raise ValueError(f"stored bunq context lacks {required}")
        values.setdefault("oauth_token_url", values["api_base_url"].rstrip("/") + "/token")
        expiry = values.get("session_expiry")
        if isinstance(expiry, str):
            parsed = dt.datetime.fromisoformat(expiry)
            values["session_expiry"] = parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
        elif expiry is not None and not isinstance(expiry, dt.datetime):
            raise ValueError("stored bunq context has an unreadable session_expiry")
        if "permitted_ips" in values:
            values["permitted_ips"] = tuple(str(ip) for ip in values["permitted_ips"])
        if values.get("secret_kind", "api_key") not in SECRET_KINDS:
            raise ValueError(f"stored bunq context has unknown secret_kind {values['secret_kind']}")
        for key in ("installation_id", "device_id", "session_id", "user_id", "granted_user_id"):
            if values.get(key) is not None:
                values[key] = int(values[key])
        return cls(**values)

    def __repr__(self) -> str:
        shown = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _SECRET_FIELDS:
                if f.name == "secret":
                    shown.append(f"secret={mask_secret(value)}")
                else:
                    shown.append(f"{f.name}={'<set>' if value else None}")
            elif f.name != "extra":
                shown.append(f"{f.name}={value!r}")
        return f"ApiContext({', '.join(shown)})"

    __str__ = __repr__
