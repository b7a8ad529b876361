"""The secret store: one private JSON document per profile, in a 0700 directory.

API keys, private keys, installation and session tokens, OAuth client secrets and access
tokens live here, never in config.toml. Every change is a locked read-modify-write
(``update``), so two bunqtui processes never lose each other's writes. Nothing here logs or
prints a value.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeGuard

from bunqtui.api.context import ApiContext
from bunqtui.store.files import atomic_write, ensure_private_dir, file_lock, is_private

_PROFILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
LOCK_NAME = ".lock"
# no document of ours nests deeper than ~6; a deeper one is damaged (and json.dumps of a very
# deep one would fail with RecursionError on the next write)
MAX_DEPTH = 32

Document = dict[str, Any]


class SecretStoreError(Exception):
    """The store cannot be read or written (message never contains a secret).

    ``str()`` is the one-line message; ``hint`` (if any) says what to do. Exit code 2.
    """

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message)


class _Damaged(Exception):
    """What is wrong with a secret document, for SecretStoreError's message."""


def _depth(value: Any) -> int:
    """How deeply ``value`` nests, without recursion (a hostile file must not overflow it)."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, level = todo.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level > MAX_DEPTH:
                return level
            children = item.values() if isinstance(item, dict) else item
            todo.extend((child, level + 1) for child in children)
    return deepest


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_context(value: Any, where: str, *, complete: bool = True) -> None:
    """A stored context: an object whose secrets are text; ``complete``: one ApiContext
    reads back (a connected user's may be partial: a new session replaces it)."""
    if not isinstance(value, dict):
        raise _Damaged(f"{where} is not an object")
    for key in ("secret", "private_key_pem", "installation_token", "server_public_key_pem",
                "session_token", "secret_kind", "user_kind", "description"):  # fmt: skip
        if value.get(key) is not None and not isinstance(value[key], str):
            raise _Damaged(f"{where}.{key} is not text")
    if not complete:
        return
    try:
        ApiContext.from_dict(value)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise _Damaged(f"{where}: {exc}") from None


def _check_users(value: Any) -> None:
    if not isinstance(value, dict):
        raise _Damaged("connected_users is not an object")
    if "next_id" in value and not (_is_int(value["next_id"]) and value["next_id"] >= 1):
        raise _Damaged("connected_users.next_id is not a positive number")
    users = value.get("users", {})
    if not isinstance(users, dict):
        raise _Damaged("connected_users.users is not an object")
    for key, user in users.items():
        where = f"connected user {key!r}"
        if not isinstance(user, dict):
            raise _Damaged(f"{where} is not an object")
        if not (_is_int(user.get("local_id")) and str(user["local_id"]) == key):
            raise _Damaged(f"{where} has no matching local_id")
        if not isinstance(user.get("access_token"), str):
            raise _Damaged(f"{where} has no access token")
        for text in ("display_name", "created", "base_url"):
            if user.get(text) is not None and not isinstance(user[text], str):
                raise _Damaged(f"{where}: {text} is not text")
        for number in ("user_api_key_id", "granted_by_user_id"):
            if user.get(number) is not None and not _is_int(user[number]):
                raise _Damaged(f"{where}: {number} is not a number")
        if user.get("context") is not None:
            _check_context(user["context"], f"{where}'s context", complete=False)


def check_document(data: Any) -> Document:
    """``data`` if it has the shape bunqtui writes, else _Damaged saying what is wrong.

    Only the parts bunqtui itself reads are checked in depth (the own context, connected
    users, the display name); a connector's other keys need only be JSON of sane depth.
    """
    if not isinstance(data, dict):
        raise _Damaged("not a JSON object")
    if _depth(data) > MAX_DEPTH:
        raise _Damaged("nested too deeply")
    if data.get("context") is not None:
        _check_context(data["context"], "the saved context")
    if "connected_users" in data:
        _check_users(data["connected_users"])
    name = data.get("own_display_name")
    if name is not None and not isinstance(name, str):
        raise _Damaged("own_display_name is not text")
    return data


def parse_document(path: Path, raw: bytes) -> Document:
    """The secret document in ``raw`` (the bytes of ``path``), or SecretStoreError (the
    file is left as it is: it may hold the only copy of a key)."""
    try:
        text = raw.decode("utf-8")
        data = json.loads(text)
        return check_document(data)
    except UnicodeDecodeError:
        problem = "not UTF-8 text"
    except RecursionError:
        problem = "nested too deeply"
    except ValueError:  # JSONDecodeError, and ints too long to convert
        problem = "not JSON"
    except _Damaged as exc:
        problem = str(exc)
    raise SecretStoreError(
        f"the secret store {path} is damaged ({problem}); bunqtui left it untouched",
        "restore it from a backup, or move it away and run `bunqtui setup` again",
    )


def check_profile_name(name: str) -> str:
    if not _PROFILE.match(name) or ".." in name:
        raise ValueError(
            f"invalid profile name {name!r}: use letters, digits, '-', '_' or '.' (max 64)"
        )
    return name


class SecretStore:
    """``store.read(profile)`` → dict; ``store.update(profile, fn)`` under the lock."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, profile: str) -> Path:
        return self.directory / f"{check_profile_name(profile)}.json"

    def _ensure(self) -> None:
        ensure_private_dir(self.directory)

    def _load(self, path: Path) -> Document:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise SecretStoreError(f"cannot read {path}: {exc.strerror}") from None
        return parse_document(path, raw)

    def read(self, profile: str) -> Document:
        path = self._path(profile)
        if not path.exists():
            return {}
        self._ensure()
        with file_lock(self.directory / LOCK_NAME):
            return self._load(path)

    def update(self, profile: str, change: Callable[[Document], Document | None]) -> Document:
        """Apply ``change`` to the stored document and write it back, all under the lock.

        ``change`` may mutate the document in place (return None) or return a new one.
        """
        path = self._path(profile)
        self._ensure()
        with file_lock(self.directory / LOCK_NAME):
            doc = self._load(path)
            result = change(doc)
            if result is not None:
                doc = result
            data = json.dumps(doc, indent=2, sort_keys=True).encode("utf-8")
            atomic_write(path, data)
            return doc

    def delete(self, profile: str) -> None:
        path = self._path(profile)
        if not path.exists():
            return
        with file_lock(self.directory / LOCK_NAME):
            path.unlink(missing_ok=True)

    def files_are_private(self) -> bool:
        """The directory is 0700 and every file in it 0600 (or stricter)."""
        if not self.directory.exists():
            return True
        return is_private(self.directory) and all(is_private(p) for p in self.directory.iterdir())


def _expiry(context: dict[str, Any]) -> dt.datetime | None:
    value = context.get("session_expiry")
    try:
        parsed = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def same_login(stored: Any, context: dict[str, Any]) -> TypeGuard[dict[str, Any]]:
    """``stored`` (a context dict from the store) is the login ``context`` (a context's
    ``to_dict()``) was loaded from: same base URL, installation and secret. A renewed session
    may be written back over it; anything else is a newer setup and must stay."""
    if not isinstance(stored, dict):
        return False
    url = stored.get("api_base_url")
    mine = context.get("api_base_url")
    return (
        isinstance(url, str)
        and isinstance(mine, str)
        and url.rstrip("/").lower() == mine.rstrip("/").lower()
        and stored.get("installation_token") == context.get("installation_token")
        and stored.get("secret") == context.get("secret")
    )


class ProfileVault:
    """The secret document of one profile: ``vault.get(key)``, ``vault.set(key, value)``."""

    def __init__(self, store: SecretStore, profile: str) -> None:
        self.store = store
        self.profile = check_profile_name(profile)

    def read(self) -> Document:
        return self.store.read(self.profile)

    def get(self, key: str, default: Any = None) -> Any:
        return self.read().get(key, default)

    def set(self, key: str, value: Any) -> None:
        def change(doc: Document) -> None:
            if value is None:
                doc.pop(key, None)
            else:
                doc[key] = value

        self.store.update(self.profile, change)

    def update(self, change: Callable[[Document], Document | None]) -> Document:
        return self.store.update(self.profile, change)

    def save_renewed(self, key: str, context: dict[str, Any]) -> bool:
        """Write a renewed context under ``key`` only over the same login (checked under the
        lock), and never over a session renewed later; False if the login was replaced."""
        kept: list[bool] = []

        def change(doc: Document) -> None:
            stored = doc.get(key)
            if not same_login(stored, context):
                kept.append(False)
                return
            kept.append(True)
            theirs, mine = _expiry(stored), _expiry(context)
            if theirs is not None and mine is not None and theirs > mine:
                return  # another process renewed later: its session is the newer one
            doc[key] = context

        self.update(change)
        return kept[0]

    def __repr__(self) -> str:
        return f"ProfileVault(profile={self.profile!r})"
