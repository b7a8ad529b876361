"""Connected users (the seed's "database of users"), kept in the profile's secret document.

Each OAuth grant gets a local id (1, 2, …, never reused), the granting user's display name,
the bunq ``UserApiKey`` id, the granting user's id, when it was made, and its access token and
API context, and the API base URL the grant was made on (its token is only ever sent there).
Reconnecting the same bunq user replaces its grant instead of piling up rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from bunqtui.store.secrets import Document, ProfileVault

KEY = "connected_users"


@dataclass(frozen=True)
class ConnectedUser:
    local_id: int
    display_name: str
    user_api_key_id: int | None
    granted_by_user_id: int | None
    created: str  # ISO 8601, UTC
    access_token: str = field(repr=False)
    context: dict[str, Any] | None = field(default=None, repr=False)
    base_url: str | None = None  # None: a record from before bunqtui stored it

    @property
    def bound_url(self) -> str | None:
        """The API base URL this grant belongs to (older records: their context's)."""
        if self.base_url:
            return self.base_url
        url = (self.context or {}).get("api_base_url")
        return url if isinstance(url, str) else None

    def to_json(self) -> dict[str, Any]:
        data = {
            "local_id": self.local_id,
            "display_name": self.display_name,
            "user_api_key_id": self.user_api_key_id,
            "granted_by_user_id": self.granted_by_user_id,
            "created": self.created,
            "access_token": self.access_token,
        }
        if self.context is not None:
            data["context"] = self.context
        if self.base_url is not None:
            data["base_url"] = self.base_url
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ConnectedUser:
        return cls(
            local_id=int(data["local_id"]),
            display_name=str(data.get("display_name") or ""),
            user_api_key_id=data.get("user_api_key_id"),
            granted_by_user_id=data.get("granted_by_user_id"),
            created=str(data.get("created") or ""),
            access_token=str(data["access_token"]),
            context=data.get("context"),
            base_url=data.get("base_url"),
        )


def _table(doc: Document) -> dict[str, Any]:
    table: dict[str, Any] = doc.setdefault(KEY, {})
    table.setdefault("next_id", 1)
    table.setdefault("users", {})
    return table


class ConnectedUsers:
    def __init__(self, vault: ProfileVault) -> None:
        self.vault = vault

    def list(self) -> list[ConnectedUser]:
        users = self.vault.read().get(KEY, {}).get("users", {})
        return sorted(
            (ConnectedUser.from_json(u) for u in users.values()), key=lambda u: u.local_id
        )

    def get(self, local_id: int) -> ConnectedUser | None:
        data = self.vault.read().get(KEY, {}).get("users", {}).get(str(local_id))
        return None if data is None else ConnectedUser.from_json(data)

    def add(
        self,
        *,
        display_name: str,
        user_api_key_id: int | None,
        granted_by_user_id: int | None,
        access_token: str,
        context: dict[str, Any] | None,
        base_url: str | None = None,
        now: dt.datetime | None = None,
    ) -> ConnectedUser:
        """Store a grant; a second grant by the same bunq user replaces the first (same id)."""
        created = (now or dt.datetime.now(dt.UTC)).isoformat()
        holder: list[ConnectedUser] = []

        def change(doc: Document) -> None:
            table = _table(doc)
            local_id = None
            for key, existing in table["users"].items():
                if granted_by_user_id is not None and (
                    existing.get("granted_by_user_id") == granted_by_user_id
                ):
                    local_id = int(key)
            if local_id is None:
                local_id = int(table["next_id"])
                table["next_id"] = local_id + 1
            user = ConnectedUser(
                local_id,
                display_name,
                user_api_key_id,
                granted_by_user_id,
                created,
                access_token,
                context,
                base_url,
            )
            table["users"][str(local_id)] = user.to_json()
            holder.append(user)

        self.vault.update(change)
        return holder[0]

    def save_context(self, local_id: int, context: dict[str, Any]) -> bool:
        """Store a renewed context, under the lock, only if it still belongs to the stored
        grant: same access token, same installation. A process that started before a
        disconnect or a reconnect must not bring back (or overwrite) what the user changed.
        Returns whether it was written."""
        written: list[bool] = []

        def change(doc: Document) -> None:
            user = _table(doc)["users"].get(str(local_id))
            ok = user is not None and user.get("access_token") == context.get("secret")
            stored = (user or {}).get("context") or {}
            if ok and stored:
                ok = stored.get("installation_token") == context.get("installation_token")
            if ok:
                user["context"] = context
            written.append(ok)

        self.vault.update(change)
        return written[0]

    def remove(self, local_id: int) -> bool:
        removed: list[bool] = []

        def change(doc: Document) -> None:
            removed.append(_table(doc)["users"].pop(str(local_id), None) is not None)

        self.vault.update(change)
        return removed[0]
