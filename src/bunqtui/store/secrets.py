"""The secret store: one private JSON document per profile, in a 0700 directory.

API keys, private keys, installation and session tokens, OAuth client secrets and access
tokens live here, never in config.toml. Every change is a locked read-modify-write
(``update``), so two bunqtui processes never lose each other's writes. Nothing here logs or
prints a value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bunqtui.store.files import atomic_write, ensure_private_dir, file_lock, is_private

_PROFILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
LOCK_NAME = ".lock"

Document = dict[str, Any]


class SecretStoreError(Exception):
    """The store cannot be read or written (message never contains a secret)."""


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
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise SecretStoreError(f"cannot read {path}: {exc.strerror}") from None
        try:
            data = json.loads(text)
        except ValueError:
            raise SecretStoreError(
                f"{path} is damaged (not JSON); move it away and run setup again"
            ) from None
        if not isinstance(data, dict):
            raise SecretStoreError(f"{path} is damaged (not a JSON object)")
        return data

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

    def __repr__(self) -> str:
        return f"ProfileVault(profile={self.profile!r})"
