"""The secret store: private modes, atomic writes, and no lost writes between processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bunqtui.store import ConnectedUsers, ProfileVault, SecretStore, SecretStoreError

WRITER = """
import sys
from pathlib import Path
from bunqtui.store import SecretStore
store = SecretStore(Path(sys.argv[1]))
prefix = sys.argv[2]
for i in range(int(sys.argv[3])):
    store.update("shared", lambda doc, i=i: doc.__setitem__(f"{prefix}-{i}", i))
"""


def test_files_are_0600_in_a_0700_directory(tmp_path: Path) -> None:
    old = os.umask(0o022)  # a permissive umask must not leak into the modes
    try:
        store = SecretStore(tmp_path / "secrets")
        store.update("p", lambda doc: doc.__setitem__("api_key", "sandbox_x"))
    finally:
        os.umask(old)
    assert (tmp_path / "secrets").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "secrets" / "p.json").stat().st_mode & 0o777 == 0o600
    assert store.files_are_private()
    assert store.read("p") == {"api_key": "sandbox_x"}
    # an existing directory with loose permissions is tightened
    os.chmod(tmp_path / "secrets", 0o755)  # noqa: S103 - loosened on purpose
    store.update("p", lambda doc: None)
    assert (tmp_path / "secrets").stat().st_mode & 0o777 == 0o700


def test_writes_are_atomic_and_leave_no_temp_files(tmp_path: Path) -> None:
    store = SecretStore(tmp_path)
    for i in range(5):
        store.update("p", lambda doc, i=i: doc.__setitem__("n", i))
    assert sorted(p.name for p in tmp_path.iterdir()) == [".lock", "p.json"]

    def explode(doc: dict) -> None:
        doc["n"] = 99
        raise RuntimeError("crash in the middle of a change")

    with pytest.raises(RuntimeError):
        store.update("p", explode)
    assert store.read("p") == {"n": 4}  # the file still holds the last complete write


def test_two_processes_lose_no_writes(tmp_path: Path) -> None:
    n = 60
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), name, str(n)])
        for name in ("a", "b")
    ]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    doc = json.loads((tmp_path / "shared.json").read_text())
    assert len(doc) == 2 * n
    assert all(doc[f"{who}-{i}"] == i for who in "ab" for i in range(n))


def test_damaged_file_is_reported_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text("{not json")
    store = SecretStore(tmp_path)
    with pytest.raises(SecretStoreError, match="damaged"):
        store.update("p", lambda doc: None)
    assert (tmp_path / "p.json").read_text() == "{not json"


def test_profile_names_cannot_escape_the_directory(tmp_path: Path) -> None:
    store = SecretStore(tmp_path)
    for bad in ("../x", "a/b", "", ".hidden"):
        with pytest.raises(ValueError):
            store.read(bad)


def test_connected_users_get_stable_local_ids(tmp_path: Path) -> None:
    users = ConnectedUsers(ProfileVault(SecretStore(tmp_path), "tpp"))

    def add(name: str, granted: int, token: str) -> int:
        return users.add(
            display_name=name,
            user_api_key_id=granted + 1000,
            granted_by_user_id=granted,
            access_token=token,
            context={"secret": token},
        ).local_id

    assert add("Ann", 1, "t1") == 1
    assert add("Bob", 2, "t2") == 2
    assert add("Ann again", 1, "t3") == 1  # same bunq user: the grant is replaced
    assert [(u.local_id, u.display_name) for u in users.list()] == [(1, "Ann again"), (2, "Bob")]
    assert users.get(1) is not None and users.get(1).access_token == "t3"
    assert "t3" not in repr(users.get(1))
    assert users.remove(1) and not users.remove(1)
    assert add("Cy", 3, "t4") == 3  # ids are never reused
    users.save_context(3, {"secret": "t4", "session_token": "s"})
    assert users.get(3).context == {"secret": "t4", "session_token": "s"}
