"""Races between two real bunqtui processes against the emulator: the last writer must not
undo what the user did.

The interleaving is forced, not hoped for: the emulator answers slowly (``latency_ms``), the
test waits until the syncing child has stored its first page *and* its next request has
reached the emulator (the emulator's request stats), then freezes the child (SIGSTOP), does the
user's action in this process, and lets the child go on (SIGCONT) into the new state.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from cli_helpers import Control, Result, spawn

from bunqtui.core import Workspace

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="needs SIGSTOP")

PAYMENT_ROUTE = "GET /v1/user/{id}/monetary-account/{id}/payment"
LATENCY_MS = 400


def cached_rows(home: Path, identity: str) -> int:
    """Payments (and their search rows) cached for ``identity``, read as another process."""
    path = home / "cache" / "me.sqlite3"
    if not path.exists():
        return 0
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        total = 0
        for table in ("payments", "payment_search"):
            try:
                sql = f"SELECT COUNT(*) FROM {table} WHERE identity = ?"  # noqa: S608
                total += db.execute(sql, (identity,)).fetchone()[0]
            except sqlite3.OperationalError:  # the child has not made the tables yet
                return 0
        return total
    finally:
        db.close()


def freeze_mid_sync(proc: subprocess.Popen, control: Control, home: Path, identity: str) -> None:
    """Wait until ``proc`` stored its first page and its second page request is at the
    emulator (so the child is blocked reading the answer, holding no lock), then stop it."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        requests = control.stats()["by_route"].get(PAYMENT_ROUTE, 0)
        if requests >= 2 and cached_rows(home, identity) > 0:
            assert requests == 2, "the child got further than planned"
            os.kill(proc.pid, signal.SIGSTOP)
            return
        time.sleep(0.01)
    raise AssertionError("the sync never reached its second page")


def finish(proc: subprocess.Popen) -> tuple[int, str, str]:
    os.kill(proc.pid, signal.SIGCONT)
    try:
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    return proc.returncode, out, err


def test_a_session_renewed_by_a_running_sync_does_not_undo_a_new_setup(
    cli: Callable[..., Result], emulator: Any, control: Control, home: Path
) -> None:
    old = control.new_user(accounts=1, payments=1000)  # 5 pages of 200
    new = control.new_user(accounts=1, payments=1)
    setup = ("setup", "api-key", "--profile", "me", "--base-url", emulator.base_url)
    assert cli(*setup, "--api-key", old["api_key"]).code == 0
    account = cli("accounts", "--json").json()[0]["id"]

    control.post("/faults", {"latency_ms": LATENCY_MS})
    httpx.delete(emulator.root_url + "/_emulator/stats", timeout=10)
    proc = spawn(home, "payments", "--account", str(account), "--all", "--format", "json")
    try:
        freeze_mid_sync(proc, control, home, f"self:{old['user_id']}")
        control.post("/faults", {"latency_ms": 0})
        # the user rotates the key while the sync is frozen ...
        rotated = cli(*setup, "--api-key", new["api_key"])
        assert rotated.code == 0, rotated.err
        # ... and the sync's session expires, so it must renew (and would write back)
        control.post("/faults", {"expire_sessions": True})
    finally:
        code, _, err = finish(proc)

    assert cli("user", "--json").json()["id"] == new["user_id"]  # the new key stays
    assert "Traceback" not in err
    assert code == 2 and "set up again" in err, err
    secrets = (home / "secrets" / "me.json").read_text()
    assert new["api_key"] in secrets and old["api_key"] not in secrets


def test_disconnect_during_a_sync_leaves_nothing_of_the_user(
    cli: Callable[..., Result], emulator: Any, control: Control, home: Path
) -> None:
    assert cli("setup", "api-key", "--profile", "me", "--base-url", emulator.base_url,
               "--api-key", emulator.demo_api_key, "--register-oauth", "--redirect-uri",
               "https://example.com/callback").code == 0  # fmt: skip
    end_user = control.new_user(accounts=1, payments=1000)

    async def connect() -> None:
        async with Workspace.load().open("me") as session:
            request = await session.begin_connect()
            redirect = control.approve(request.authorize_url, end_user["api_key"])
            await session.complete_connect(request, redirect)

    asyncio.run(connect())
    account = cli("accounts", "--user", "1", "--json").json()[0]["id"]

    control.post("/faults", {"latency_ms": LATENCY_MS})
    httpx.delete(emulator.root_url + "/_emulator/stats", timeout=10)
    proc = spawn(home, "payments", "--user", "1", "--account", str(account), "--all",
                 "--format", "json")  # fmt: skip
    try:
        freeze_mid_sync(proc, control, home, "user:1")
        control.post("/faults", {"latency_ms": 0})
        gone = cli("disconnect", "--user", "1")
        assert gone.code == 0, gone.err
        assert cached_rows(home, "user:1") == 0
    finally:
        code, _, err = finish(proc)

    # the sync went on after the disconnect, and wrote nothing back
    assert cached_rows(home, "user:1") == 0
    assert "Traceback" not in err
    assert code == 2 and "disconnected" in err, err

    async def search_all() -> list[int]:
        async with Workspace.load().open("me") as session:
            return [p.id for p in session.search_payments("", limit=10_000)]

    own = cli("payments", "--account", str(cli("accounts", "--json").json()[0]["id"]),
              "--all", "--format", "json").json()  # fmt: skip
    assert sorted(asyncio.run(search_all())) == sorted(p["id"] for p in own)
    assert cli("users", "--json").json() == []
