"""The headless commands end to end against the emulator, each test in its own BUNQTUI_HOME."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from cli_helpers import Control, Result, read_authorize_url, spawn

from bunqtui.api import crypto

ACCOUNT_KEYS = {"id", "type", "description", "iban", "balance", "status"}
PAYMENT_KEYS = {"id", "created", "amount", "counterparty", "description", "type", "balance_after"}


def setup_api_key(cli: Callable[..., Result], emulator: Any, key: str, *extra: str) -> Result:
    return cli(
        "setup", "api-key", "--profile", "me", "--base-url", emulator.base_url, "--api-key", key,
        *extra,
    )  # fmt: skip


def test_api_key_setup_then_accounts_and_payments(
    cli: Callable[..., Result], emulator: Any, control: Control, home: Path
) -> None:
    user = control.new_user(accounts=2, payments=7)
    result = setup_api_key(cli, emulator, user["api_key"])
    assert result.code == 0, result.err
    assert "Profile me (default) ready" in result.out

    profiles = cli("profiles", "--json").json()
    assert profiles == [
        {
            "name": "me",
            "connector": "api-key",
            "environment": "custom",
            "base_url": emulator.base_url,
            "default": True,
        }
    ]

    accounts = cli("accounts", "--profile", "me", "--json").json()
    assert len(accounts) == 2
    assert all(set(a) >= ACCOUNT_KEYS for a in accounts)
    assert set(accounts[0]["balance"]) == {"value", "currency"}
    # the emulator spreads the 7 payments over the accounts: take one that has some
    by_account = {
        a["id"]: cli("payments", "--account", str(a["id"]), "--format", "json").json()
        for a in accounts
    }
    assert sum(len(p) for p in by_account.values()) == 7
    account_id, payments = max(by_account.items(), key=lambda item: len(item[1]))
    assert len(payments) >= 3
    assert all(set(p) >= PAYMENT_KEYS for p in payments)
    assert set(payments[0]["counterparty"]) >= {"name", "iban"}
    ids = [p["id"] for p in payments]
    assert ids == sorted(ids, reverse=True)  # newest first

    limited = cli("payments", "--account", str(account_id), "--limit", "2", "--format", "json")
    assert [p["id"] for p in limited.json()] == ids[:2]
    every = cli("payments", "--account", str(account_id), "--all", "--format", "json").json()
    assert [p["id"] for p in every] == ids

    rows = list(csv.DictReader(io.StringIO(cli("payments", "--account", str(account_id),
                                               "--format", "csv").out)))  # fmt: skip
    assert [int(r["id"]) for r in rows] == ids
    since = cli("payments", "--account", str(account_id), "--since", "2999-01-01", "--format",
                "json")  # fmt: skip
    assert since.json() == []

    table = cli("accounts", "--profile", "me")
    assert table.code == 0 and str(account_id) in table.out
    own = cli("user", "--json").json()
    assert own["id"] == user["user_id"]


def test_second_launch_reuses_the_installation(
    cli: Callable[..., Result], emulator: Any, control: Control
) -> None:
    assert setup_api_key(cli, emulator, emulator.demo_api_key).code == 0
    before = control.stats()["by_route"]
    assert cli("accounts", "--json").code == 0
    assert cli("accounts", "--json").code == 0
    after = control.stats()["by_route"]
    handshake = [k for k in after if "installation" in k or "session-server" in k
                 or "device-server" in k]  # fmt: skip
    assert handshake and all(after[k] == before.get(k, 0) for k in handshake)


def test_create_sandbox_user_and_top_up(
    cli: Callable[..., Result], emulator: Any, home: Path
) -> None:
    result = cli("setup", "api-key", "--profile", "sb", "--base-url", emulator.base_url,
                 "--create-sandbox-user")  # fmt: skip
    assert result.code == 0, result.err
    assert "Create a sandbox user" in result.err and "Sugar Daddy" in result.err
    accounts = cli("accounts", "--profile", "sb", "--json").json()
    assert accounts
    # a rerun reuses the user instead of creating another
    again = cli("setup", "api-key", "--profile", "sb", "--base-url", emulator.base_url,
                "--create-sandbox-user")  # fmt: skip
    assert again.code == 0 and "already created" in again.err
    assert cli("accounts", "--profile", "sb", "--json").json()[0]["id"] == accounts[0]["id"]


def _oauth_state(emulator: Any) -> tuple[int, int]:
    """(number of OAuth clients, number of callback URLs) in the emulator's world."""
    clients = list(emulator.world.oauth_clients.values())
    return len(clients), sum(len(c.callback_urls) for c in clients)


def test_psd2_setup_connect_browse_disconnect(
    cli: Callable[..., Result], emulator: Any, control: Control, home: Path, redirect_uri: str
) -> None:
    setup = ("setup", "psd2", "--profile", "tpp", "--base-url", emulator.base_url,
             "--redirect-uri", redirect_uri)  # fmt: skip
    first = cli(*setup, "--generate-sandbox-certificate")
    assert first.code == 0, first.err
    assert _oauth_state(emulator) == (1, 1)
    # a rerun changes nothing and creates nothing twice
    second = cli(*setup)
    assert second.code == 0, second.err
    assert "already registered" in second.err
    assert _oauth_state(emulator) == (1, 1)
    assert cli("users", "--profile", "tpp", "--json").json() == []
    no_self = cli("accounts", "--profile", "tpp")
    assert no_self.code == 2 and "--user" in no_self.err

    end_user = control.new_user(accounts=2, payments=4)
    proc = spawn(home, "connect", "--profile", "tpp", "--no-browser", "--timeout", "20")
    try:
        url = read_authorize_url(proc, emulator.root_url)
        redirect = control.approve(url, end_user["api_key"])
        page = httpx.get(redirect, timeout=10)  # the browser landing on the loopback listener
        assert page.status_code == 200
        out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert out.strip() == '{"message": "OAuth success", "new_user_id": 1}'

    users = cli("users", "--profile", "tpp", "--json").json()
    assert len(users) == 1 and users[0]["id"] == 1
    assert users[0]["granted_by_user_id"] == end_user["user_id"]
    assert "access_token" not in users[0]
    user = cli("user", "--profile", "tpp", "--user", "1", "--json").json()
    assert user["type"] == "UserApiKey"
    assert user["granted_by"]["id"] == end_user["user_id"]
    accounts = cli("accounts", "--profile", "tpp", "--user", "1", "--json").json()
    assert len(accounts) == 2
    payments = cli("payments", "--profile", "tpp", "--user", "1", "--account",
                   str(accounts[0]["id"]), "--format", "json")  # fmt: skip
    assert payments.code == 0 and all(set(p) >= PAYMENT_KEYS for p in payments.json())

    gone = cli("disconnect", "--profile", "tpp", "--user", "1")
    assert gone.code == 0, gone.err
    assert cli("users", "--profile", "tpp", "--json").json() == []
    assert "connected_users" in (home / "secrets" / "tpp.json").read_text()
    assert end_user["api_key"] not in (home / "secrets" / "tpp.json").read_text()
    missing = cli("accounts", "--profile", "tpp", "--user", "1")
    assert missing.code == 2 and "no connected user 1" in missing.err


def test_connect_with_a_pasted_redirect_url(
    cli: Callable[..., Result], emulator: Any, control: Control, home: Path
) -> None:
    # the redirect URI is not a loopback one, so only the paste path can finish the login
    assert cli("setup", "api-key", "--profile", "biz", "--base-url", emulator.base_url,
               "--api-key", emulator.demo_api_key, "--register-oauth", "--redirect-uri",
               "https://example.com/callback").code == 0  # fmt: skip
    end_user = control.new_user(accounts=1, payments=1)
    proc = spawn(home, "connect", "--profile", "biz", "--no-browser", "--timeout", "20",
                 stdin=-1)  # fmt: skip
    try:
        url = read_authorize_url(proc, emulator.root_url)
        redirect = control.approve(url, end_user["api_key"])
        out, err = proc.communicate(redirect + "\n", timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert '"new_user_id": 1' in out
    users = cli("users", "--profile", "biz", "--json").json()
    assert users[0]["granted_by_user_id"] == end_user["user_id"]


def test_api_key_never_printed_logged_or_in_config(
    cli: Callable[..., Result],
    emulator: Any,
    control: Control,
    home: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    key = control.new_user(accounts=1, payments=2)["api_key"]
    monkeypatch.setenv("BUNQTUI_API_KEY", key)  # the key from the environment, not argv
    results = [
        cli("setup", "api-key", "--profile", "me", "--base-url", emulator.base_url),
        cli("profiles"),
        cli("profiles", "--json"),
        cli("accounts"),
        cli("user", "--json"),
        cli("plugins"),
    ]
    assert all(r.code == 0 for r in results), [r.err for r in results]
    # a wrong key: bunq's refusal is shown masked, exit 1
    wrong = key[:-4] + "0000"
    bad = cli("setup", "api-key", "--profile", "other", "--base-url", emulator.base_url,
              "--api-key", wrong)  # fmt: skip
    assert bad.code == 1 and "Traceback" not in bad.err
    results.append(bad)
    text = "".join(r.out + r.err for r in results) + caplog.text
    text += (home / "config.toml").read_text()
    assert key not in text and wrong not in text
    assert "…" in results[0].out  # shown masked


def test_secret_files_are_private(cli: Callable[..., Result], emulator: Any, home: Path) -> None:
    assert setup_api_key(cli, emulator, emulator.demo_api_key).code == 0
    secrets = home / "secrets"
    assert secrets.stat().st_mode & 0o777 == 0o700
    files = list(secrets.iterdir())
    assert files and all(p.stat().st_mode & 0o777 == 0o600 for p in files)
    assert not [p for p in secrets.iterdir() if p.name.endswith(".tmp")]
    assert emulator.demo_api_key not in (home / "config.toml").read_text()


def test_usage_and_configuration_errors_exit_2(
    cli: Callable[..., Result], emulator: Any, home: Path
) -> None:
    assert cli("accounts").code == 2  # no profiles yet
    assert cli("accounts", "--profile", "nope").code == 2
    assert cli("setup", "nope", "--profile", "x").code == 2
    missing_key = cli("setup", "api-key", "--profile", "x", "--base-url", emulator.base_url)
    assert missing_key.code == 2 and "BUNQTUI_API_KEY" in missing_key.err
    assert cli("payments").code == 2  # argparse: --account is required
    assert not (home / "config.toml").exists()  # nothing half-made


def test_corrupted_config_is_reported_and_left_untouched(
    cli: Callable[..., Result], emulator: Any, home: Path
) -> None:
    config = home / "config.toml"
    broken = b'default_profile = "me"\n[profiles.me]\nconnector = "api-key"\nenvironment = 7\n'
    config.write_bytes(broken)
    for argv in (("profiles",), ("accounts",),
                 ("setup", "api-key", "--profile", "me", "--base-url", emulator.base_url,
                  "--api-key", emulator.demo_api_key)):  # fmt: skip
        result = cli(*argv)
        assert result.code == 2
        assert f"{config}, line 4" in result.err and "profiles.me.environment" in result.err
        assert "Traceback" not in result.err
    assert config.read_bytes() == broken
    config.write_bytes(b"[profiles.me\n")
    result = cli("profiles")
    assert result.code == 2 and "line 1" in result.err and "not valid TOML" in result.err
    assert config.read_bytes() == b"[profiles.me\n"
    assert cli("plugins").code == 0  # plugins still inspectable with a broken config


@pytest.mark.slow  # the client retries a refused connection with backoff (~4 s)
def test_network_error_exits_1(cli: Callable[..., Result], home: Path) -> None:
    result = cli("setup", "api-key", "--profile", "x", "--base-url", "http://127.0.0.1:9/v1",
                 "--api-key", "sandbox_0123456789abcdef0123456789abcdef")  # fmt: skip
    assert result.code == 1 and "bunq" in result.err and "Traceback" not in result.err


def test_psd2_with_certificate_files_and_key_from_stdin(
    cli: Callable[..., Result],
    emulator: Any,
    home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cert, key = crypto.generate_sandbox_certificate("bunqtui-files")
    files = {"certificate": cert, "private-key": key, "chain": cert}
    for name, text in files.items():
        (tmp_path / f"{name}.pem").write_text(text)
    args = [a for n in files for a in (f"--{n}", str(tmp_path / f"{n}.pem"))]
    result = cli("setup", "psd2", "--profile", "qseal", "--base-url", emulator.base_url, *args)
    assert result.code == 0, result.err
    assert "read from files" in result.err
    again = cli("setup", "psd2", "--profile", "qseal", "--base-url", emulator.base_url, *args)
    assert again.code == 0 and "already registered" in again.err
    both = cli("setup", "psd2", "--profile", "x", "--base-url", emulator.base_url,
               "--generate-sandbox-certificate", *args)  # fmt: skip
    assert both.code == 2 and "either" in both.err
    partial = cli("setup", "psd2", "--profile", "x", "--base-url", emulator.base_url,
                  "--certificate", str(tmp_path / "certificate.pem"))  # fmt: skip
    assert partial.code == 2 and "go together" in partial.err

    monkeypatch.setattr("sys.stdin", io.StringIO(emulator.demo_api_key + "\n"))
    piped = cli("setup", "api-key", "--profile", "me", "--base-url", emulator.base_url,
                "--api-key", "-")  # fmt: skip
    assert piped.code == 0, piped.err
    assert emulator.demo_api_key not in piped.out + piped.err
