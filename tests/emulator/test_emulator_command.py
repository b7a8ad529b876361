"""`bunqtui emulator` as a user runs it: banner lines, startup time, Ctrl-C, --state."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow


def _launch(*args: str) -> tuple[subprocess.Popen[str], str, str, float]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bunqtui", "emulator", "--no-rate-limit", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    base_url = process.stdout.readline().split()[-1]
    api_key = process.stdout.readline().split()[-1]
    return process, base_url, api_key, time.perf_counter() - started


def _interrupt(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "Traceback" not in err
    return err


def test_banner_startup_and_ctrl_c() -> None:
    process, base_url, api_key, elapsed = _launch()
    try:
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v1")
        assert api_key.startswith("sandbox_") and len(api_key) == 64
        assert elapsed < 2.0
        info = httpx.get(base_url.removesuffix("/v1") + "/_emulator/info").json()
        assert info["demo_api_key"] == api_key
    finally:
        _interrupt(process)


def test_state_file_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "emulator.state"
    process, base_url, _key, _ = _launch("--state", str(state))
    try:
        root = base_url.removesuffix("/v1")
        created = httpx.post(root + "/_emulator/users", json={"kind": "company", "accounts": 2})
        user = created.json()
    finally:
        _interrupt(process)
    assert state.exists() and (os.stat(state).st_mode & 0o777) == 0o600
    process, base_url, _key, _ = _launch("--state", str(state))
    try:
        key = rsa_public_pem()
        items = httpx.post(base_url + "/installation", json={"client_public_key": key}).json()
        token = items["Response"][1]["Token"]["token"]
        device = httpx.post(
            base_url + "/device-server",
            json={"description": "restart", "secret": user["api_key"]},
            headers={"X-Bunq-Client-Authentication": token},
        )
        assert device.status_code == 200, device.text  # the API key made before the restart
    finally:
        _interrupt(process)


def rsa_public_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
