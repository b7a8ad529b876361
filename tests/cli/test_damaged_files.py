"""Damaged or hostile files: one or two lines on stderr and the documented exit code, never a
traceback; the damaged file is left byte for byte as it was (the cache, only a copy of what
bunq has, is moved aside whole and rebuilt, with a notice)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import Result

from bunqtui.core.notices import take_notices


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def set_up(cli: Callable[..., Result], emulator: Any) -> None:
    result = cli("setup", "api-key", "--profile", "me", "--base-url", emulator.base_url,
                 "--api-key", emulator.demo_api_key)  # fmt: skip
    assert result.code == 0, result.err


def assert_refused(result: Result, code: int = 2) -> None:
    assert result.code == code, (result.out, result.err)
    assert "Traceback" not in result.err
    # the error and its hint: one or two lines (setup's progress header aside)
    lines = [x for x in result.err.strip().splitlines() if not x.startswith("Setting up profile")]
    assert 1 <= len(lines) <= 2, result.err
    assert lines[0].startswith("bunqtui: error: "), result.err


SECRETS = {
    "not UTF-8": b'{"context": "\xff\xfe\xfa"}',
    "not JSON": b'{"context": {',
    "a list": b"[1, 2, 3]",
    "context a string": b'{"context": "x"}',
    "context without a base URL": b'{"context": {"secret": "k"}}',
    "secret a number": json.dumps(
        {
            "context": {
                "environment_name": "custom",
                "api_base_url": "http://127.0.0.1:1/v1",
                "oauth_authorize_url": "http://127.0.0.1:1/auth",
                "secret": 5,
            }
        }
    ).encode(),
    "users a list": b'{"connected_users": []}',
    "users.users a list": b'{"connected_users": {"next_id": 2, "users": []}}',
    "a user without a token": b'{"connected_users": {"users": {"1": {"local_id": 1}}}}',
    "a user under the wrong key": (
        b'{"connected_users": {"users": {"2": {"local_id": 1, "access_token": "t"}}}}'
    ),
    "next_id text": b'{"connected_users": {"next_id": "x", "users": {}}}',
    "display name a table": b'{"own_display_name": {"a": 1}}',
    "nested 100,000 deep": b'{"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "nested 40 deep": b'{"x": ' + b"[" * 40 + b"]" * 40 + b"}",
    "an int of 10,000 digits": b'{"x": ' + b"1" * 10_000 + b"}",
}


@pytest.mark.parametrize("damage", list(SECRETS))
def test_a_damaged_secret_store_is_reported_and_left_alone(
    cli: Callable[..., Result], home: Path, damage: str
) -> None:
    # nothing listens on port 9: a command that got past the store would fail differently
    (home / "config.toml").write_text(
        '[profiles.me]\nconnector = "api-key"\nbase_url = "http://127.0.0.1:9/v1"\n'
    )
    path = home / "secrets" / "me.json"
    path.parent.mkdir(mode=0o700)
    path.write_bytes(SECRETS[damage])
    before = sha(path)
    for argv in (("user",), ("users",), ("accounts",), ("disconnect", "--user", "1")):
        result = cli(*argv)
        assert_refused(result)
        assert "damaged" in result.err and "me.json" in result.err, result.err
    # setup too refuses to write over it
    assert_refused(cli("setup", "api-key", "--profile", "me", "--base-url",
                       "http://127.0.0.1:9/v1", "--api-key", "k"))  # fmt: skip
    assert sha(path) == before


def test_a_damaged_cache_is_moved_aside_and_rebuilt(
    cli: Callable[..., Result], emulator: Any, home: Path
) -> None:
    set_up(cli, emulator)
    account = str(cli("accounts", "--json").json()[0]["id"])
    assert cli("payments", "--account", account, "--all", "--format", "json").code == 0
    path = home / "cache" / "me.sqlite3"
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    size = db.execute("PRAGMA page_size").fetchone()[0]
    db.close()
    assert pages > 3
    with path.open("r+b") as f:  # garbage over every page but the header page
        f.seek(size)
        f.write(bytes(range(256)) * (size * (pages - 1) // 256))
    before = sha(path)
    with pytest.raises(sqlite3.DatabaseError, match="malformed"):
        db = sqlite3.connect(path)
        try:
            db.execute("SELECT COUNT(*) FROM payments").fetchall()
        finally:
            db.close()

    take_notices()
    result = cli("payments", "--account", account, "--search", "a", "--format", "json")
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    aside = path.with_name("me.sqlite3.damaged")
    assert sha(aside) == before  # the damaged file, whole
    notices = take_notices()
    assert "damaged" in result.err and notices == []  # printed once, by the CLI
    # rebuilt: the next full sync works from the new file
    again = cli("payments", "--account", account, "--all", "--format", "json")
    assert again.code == 0 and again.json(), again.err


def test_a_file_that_is_not_a_database_is_moved_aside(
    cli: Callable[..., Result], emulator: Any, home: Path
) -> None:
    set_up(cli, emulator)
    path = home / "cache" / "me.sqlite3"
    path.parent.mkdir(mode=0o700, exist_ok=True)
    path.write_bytes(b"not a database at all " * 500)
    before = sha(path)
    result = cli("accounts", "--json")
    assert result.code == 0 and "Traceback" not in result.err, result.err
    assert sha(path.with_name("me.sqlite3.damaged")) == before


def test_a_config_nested_10000_deep_is_reported(cli: Callable[..., Result], home: Path) -> None:
    path = home / "config.toml"
    path.write_text("x = " + "[" * 10_000 + "]" * 10_000 + "\n")
    before = sha(path)
    for argv in (("profiles",), ("user",)):
        result = cli(*argv)
        assert_refused(result)
        assert "nested too deeply" in result.err
    assert sha(path) == before


@pytest.mark.parametrize("name", ["../../etc", "..", "a/b", "/etc/passwd", ".hidden", "x" * 65])
def test_a_profile_name_that_is_a_path_is_refused(
    cli: Callable[..., Result], home: Path, name: str
) -> None:
    path = home / "config.toml"
    path.write_text(f'default_profile = "{name}"\n[profiles."{name}"]\nconnector = "api-key"\n')
    before = sha(path)
    for argv in (("user",), ("profiles",), ("users",)):
        result = cli(*argv)
        assert_refused(result)
        assert "invalid profile name" in result.err
    assert sha(path) == before
    assert sorted(p.name for p in home.iterdir()) == ["config.toml"]  # nothing made anywhere
