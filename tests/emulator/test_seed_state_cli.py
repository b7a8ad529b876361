"""Deterministic seed data, `--state FILE` persistence, and `bunqtui emulator` as a process."""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from emu_client import BunqClient, control, new_user

from bunqtui.emulator.config import EmulatorConfig
from bunqtui.emulator.server import EmulatorServer

BUNQTUI = [sys.executable, "-m", "bunqtui"]


def _snapshot(server: EmulatorServer) -> tuple:
    client = BunqClient(server.base_url)
    try:
        client.login(server.demo_api_key)
        accounts = client.accounts()
        first = accounts[0]["id"]
        page = client.get(f"/user/{client.user_id}/monetary-account/{first}/payment?count=50")
        return (
            client.user_id,
            server.demo_api_key,
            [(a["id"], a["alias"], a["balance"]) for a in accounts],
            [
                (p["Payment"]["id"], p["Payment"]["amount"], p["Payment"]["description"])
                for p in page.items
            ],
        )
    finally:
        client.close()


def _server(seed: int, **kw) -> EmulatorServer:
    return EmulatorServer(config=EmulatorConfig(seed=seed, rate_limit=False), **kw)


def test_seed_is_deterministic(tmp_path: Path) -> None:
    with _server(7) as one:
        first = _snapshot(one)
    with _server(7) as two:
        second = _snapshot(two)
    assert first == second
    with _server(8) as other:
        assert _snapshot(other)[2] != first[2]  # other IBANs/balances


def test_state_file_keeps_data_across_restarts(tmp_path: Path) -> None:
    state = tmp_path / "emu" / "state.bin"
    with _server(3, state_file=state) as server:
        made = new_user(server.root_url, accounts=1)
        client = BunqClient(server.base_url)
        client.login(server.demo_api_key)
        bank = client.accounts("monetary-account-bank")[0]
        path = f"/user/{client.user_id}/monetary-account-bank/{bank['id']}"
        assert client.put(path, {"description": "kept"}).status == 200
        client.close()
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    assert [p.name for p in state.parent.iterdir()] == ["state.bin"]  # no temp files left
    with _server(3, state_file=state) as again:
        client = BunqClient(again.base_url)
        client.login(again.demo_api_key)
        got = client.get(f"/user/{client.user_id}/monetary-account-bank/{bank['id']}")
        assert got.only("MonetaryAccountBank")["description"] == "kept"
        client.close()
        other = BunqClient(again.base_url, key_slot=1).login(made["api_key"])
        assert other.user_id == made["user_id"]
        other.close()


def _start_cli(*args: str) -> tuple[subprocess.Popen, float, list[str]]:
    started = time.monotonic()
    process = subprocess.Popen(
        [*BUNQTUI, "emulator", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines = [process.stdout.readline(), process.stdout.readline()]
    return process, time.monotonic() - started, lines


@pytest.mark.slow
def test_cli_serves_prints_url_and_key_and_stops_on_sigint(tmp_path: Path) -> None:
    process, _elapsed, lines = _start_cli("--port", "0", "--seed", "1", "--no-rate-limit")
    try:
        url = re.search(r"(http://\S+/v1)$", lines[0].strip())
        assert url, lines
        assert url.group(1).startswith("http://127.0.0.1:")
        key = lines[1].strip().split()[-1]
        assert re.fullmatch(r"sandbox_[0-9a-f]{56}", key)
        root = url.group(1).removesuffix("/v1")
        info = control(root, "GET", "info")
        assert info["demo_api_key"] == key
        client = BunqClient(url.group(1))
        client.login(key)
        assert client.get("/user").status == 200
        client.close()
    finally:
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "Traceback" not in err


@pytest.mark.slow
def test_cli_state_flag_and_bad_state_file(tmp_path: Path) -> None:
    state = tmp_path / "state.bin"
    process, _elapsed, lines = _start_cli("--state", str(state))
    try:
        base_url = lines[0].strip().split()[-1]
        assert base_url.endswith("/v1")
        made = new_user(base_url.removesuffix("/v1"), "company", accounts=2)
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)
    assert process.returncode == 0
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    # Ctrl-C saved what was made while running (loading is the same code as in-process)
    with _server(1, state_file=state) as again:
        client = BunqClient(again.base_url, key_slot=1).login(made["api_key"])
        assert (client.user_kind, client.user_id) == ("UserCompany", made["user_id"])
        client.close()

    state.write_bytes(b"this is not a state file")
    broken = subprocess.run(
        [*BUNQTUI, "emulator", "--state", str(state)],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert broken.returncode == 2
    assert "Traceback" not in broken.stderr
    assert str(state) in broken.stderr


def test_cli_refuses_a_busy_port() -> None:
    with _server(1) as server:
        busy = subprocess.run(
            [*BUNQTUI, "emulator", "--port", str(server.port)],
            capture_output=True,
            text=True,
            timeout=20,
        )
    assert busy.returncode == 2
    assert "cannot listen" in busy.stderr and "Traceback" not in busy.stderr


def test_served_on_loopback_only(emulator) -> None:
    assert emulator.host == "127.0.0.1"
    info = httpx.get(f"{emulator.root_url}/_emulator/info").json()
    assert info["api_base_url"] == emulator.base_url
    assert info["oauth_authorize_url"] == emulator.root_url + "/auth"


def test_state_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failed write leaves the previous state file whole and no temp file behind."""
    from bunqtui.emulator import statefile as server_module

    state = tmp_path / "state.bin"
    with _server(4, state_file=state):
        pass
    before = state.read_bytes()

    def broken_replace(src, dst) -> None:
        raise OSError("disk full")

    with _server(4, state_file=state) as running:
        new_user(running.root_url, accounts=1)
        monkeypatch.setattr(server_module.os, "replace", broken_replace)
        with pytest.raises(OSError, match="disk full"):
            running.save()
        assert state.read_bytes() == before  # the old file is untouched
        assert [p.name for p in tmp_path.iterdir()] == ["state.bin"]
        monkeypatch.undo()
    assert [p.name for p in tmp_path.iterdir()] == ["state.bin"]
    # the stop() above saved normally again, after the failed attempt
    assert state.read_bytes() != before
    assert server_module.load_world(state) is not None
