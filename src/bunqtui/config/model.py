"""The settings in config.toml, typed. No secrets: those live in bunqtui.store."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENVIRONMENTS = ("sandbox", "production", "custom")
DEFAULT_REDIRECT_URI = "http://127.0.0.1:8723/callback"


@dataclass(frozen=True)
class Profile:
    name: str
    connector: str
    environment: str = "sandbox"  # sandbox | production | custom (then base_url is set)
    base_url: str | None = None
    redirect_uri: str = DEFAULT_REDIRECT_URI
    rate_limit: bool = True  # pace requests to bunq's published limits on the client side
    options: dict[str, Any] = field(default_factory=dict)  # connector settings, no secrets

    def to_toml(self) -> dict[str, Any]:
        data: dict[str, Any] = {"connector": self.connector, "environment": self.environment}
        if self.base_url:
            data["base_url"] = self.base_url
        data["redirect_uri"] = self.redirect_uri
        if not self.rate_limit:
            data["rate_limit"] = False
        if self.options:
            data["options"] = dict(self.options)
        return data


@dataclass
class Config:
    path: Path
    default_profile: str | None = None
    profiles: dict[str, Profile] = field(default_factory=dict)
    ui: dict[str, Any] = field(default_factory=dict)

    def to_toml(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.default_profile:
            data["default_profile"] = self.default_profile
        if self.ui:
            data["ui"] = self.ui
        if self.profiles:
            data["profiles"] = {name: p.to_toml() for name, p in sorted(self.profiles.items())}
        return data
