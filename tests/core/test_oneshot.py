"""The one-shot session (synchronous driver) against the emulator: it reads what the async
ProfileSession reads, caches it the same way, and keeps the same rules for stored logins —
renewals never undo a newer setup, a connected user gets a session on the profile's
installation and keeps it, and a forgotten identity's tombstone refuses its data."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from bunqtui.core import ConfigError, NotConnectedError, Workspace
from bunqtui.core.oneshot import OneShotSession
from bunqtui.plugins.records import account_record, payment_record, user_record
from bunqtui.store.cache import Cache


@pytest.fixture(autouse=True)
def _home(bunqtui_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BUNQTUI_RATE_LIMIT", "off")
    return bunqtui_home


def _control(emulator: Any, path: str, body: Any = None) -> Any:
    method = "GET" if body is None else "POST"
    response = httpx.request(method, f"{emulator.root_url}/_emulator{path}", json=body, timeout=10)
    response.raise_for_status()
    return response.json()


def _session_servers(emulator: Any) -> int:
    routes = _control(emulator, "/stats")["by_route"]
    return sum(n for route, n in routes.items() if "session-server" in route)


async def _profile_with_a_connected_user(emulator: Any) -> Workspace:
    """Profile "me" (the demo user's API key, an OAuth client) with one connected user."""
    ws = Workspace.load()
    await ws.setup_profile(
        "me",
        "api-key",
        base_url=emulator.base_url,
        options={"api_key": emulator.demo_api_key, "register_oauth": True},
    )
    end_user = _control(emulator, "/users", {"accounts": 2, "payments": 5})
    async with ws.open("me") as session:
        request = await session.begin_connect()
        body = {"authorize_url": request.authorize_url, "api_key": end_user["api_key"]}
        approved = _control(emulator, "/oauth/approve", body)
        await session.complete_connect(request, approved["redirect_url"])
    return Workspace.load()


def _cache_rows(home: Path) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(home / "cache" / "me.sqlite3")
    try:
        accounts = db.execute("SELECT * FROM accounts ORDER BY 1, 2").fetchall()
        payments = db.execute("SELECT * FROM payments ORDER BY 1, 2, 3").fetchall()
    finally:
        db.close()
    return accounts + payments


async def test_both_drivers_read_and_cache_the_same(emulator: Any, bunqtui_home: Path) -> None:
    ws = await _profile_with_a_connected_user(emulator)
    seen: dict[str, Any] = {}
    async with ws.open("me") as session:
        for identity in await session.identities():
            accounts = await session.accounts(identity)
            page = await session.payments(identity, accounts[0].id, count=3)
            seen[identity.key] = (
                user_record(await session.user(identity)),
                [account_record(a) for a in accounts],
                [payment_record(p) for p in page.items],
                page.older_id,
            )
    async_cache = _cache_rows(bunqtui_home)
    (bunqtui_home / "cache" / "me.sqlite3").unlink()

    with OneShotSession.open(Workspace.load(), "me") as oneshot:
        identities = oneshot._identities()
        assert [i.key for i in identities] == ["self", "user:1"]
        for identity in identities:
            accounts = oneshot.accounts(identity)
            page = oneshot.payments(identity, accounts[0].id, count=3)
            got = (
                user_record(oneshot.user(identity)),
                [account_record(a) for a in accounts],
                [payment_record(p) for p in page.items],
                page.older_id,
            )
            assert got == seen[identity.key]
            assert oneshot.cached_accounts(identity) == accounts
    assert _cache_rows(bunqtui_home) == async_cache


async def test_a_connected_user_without_a_session_gets_one_and_keeps_it(emulator: Any) -> None:
    ws = await _profile_with_a_connected_user(emulator)

    def drop(doc: dict[str, Any]) -> None:  # e.g. a context damaged on disk
        doc["connected_users"]["users"]["1"]["context"] = {}

    ws.secrets.update("me", drop)
    before = _session_servers(emulator)
    with OneShotSession.open(Workspace.load(), "me") as oneshot:
        assert oneshot.accounts(oneshot.identity(1))
    assert _session_servers(emulator) == before + 1  # on the profile's installation
    stored = Workspace.load().secrets.read("me")["connected_users"]["users"]["1"]["context"]
    assert stored["session_token"] and stored["installation_token"]
    with OneShotSession.open(Workspace.load(), "me") as again:
        assert again.accounts(again.identity(1))
    assert _session_servers(emulator) == before + 1  # reused: no new session


async def test_a_renewal_does_not_undo_a_setup_made_meanwhile(emulator: Any) -> None:
    ws = Workspace.load()
    await ws.setup_profile(
        "me", "api-key", base_url=emulator.base_url, options={"api_key": emulator.demo_api_key}
    )
    other = _control(emulator, "/users", {"accounts": 1, "payments": 0})
    with OneShotSession.open(Workspace.load(), "me") as oneshot:
        me = oneshot.identity(None)
        oneshot.accounts(me)  # its client holds the demo user's login from here on
        # another bunqtui sets the profile up again with another key, then bunq drops sessions
        await Workspace.load().setup_profile(
            "me", "api-key", base_url=emulator.base_url, options={"api_key": other["api_key"]}
        )
        newer = Workspace.load().secrets.read("me")["context"]
        _control(emulator, "/faults", {"expire_sessions": True})
        with pytest.raises(ConfigError, match="set up again"):
            oneshot.accounts(me)  # renewed, but refused to write the old login back
    assert Workspace.load().secrets.read("me")["context"] == newer


async def test_a_forgotten_identity_gets_nothing_written_back(
    emulator: Any, bunqtui_home: Path
) -> None:
    await _profile_with_a_connected_user(emulator)
    with OneShotSession.open(Workspace.load(), "me") as oneshot:
        user = oneshot.identity(1)
        # `disconnect` in another process: its tombstone lands while this one is running
        other = Cache(bunqtui_home / "cache" / "me.sqlite3", lambda p: "")
        other.forget("user:1")
        other.close()
        with pytest.raises(NotConnectedError):
            oneshot.accounts(user)
    assert Workspace.load().open("me").cached_accounts(user) is None


def test_the_oneshot_session_loads_no_event_loop() -> None:
    code = (
        "import sys, bunqtui.core.oneshot, bunqtui.cli.data_cmd, bunqtui_apikey\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'asyncio'"
        " or m.startswith(('anyio.', 'bunqtui.api.client', 'bunqtui.api.transport',"
        " 'bunqtui.core.session')))\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
