"""bunqtui.core against the emulator: persisted and renewed contexts, identities, OAuth connect
(loopback and paste), top-up and export — each test in its own BUNQTUI_HOME."""

from __future__ import annotations

import asyncio
import json
import socket
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from bunqtui.api.errors import StateMismatchError
from bunqtui.core import ConfigError, NotConnectedError, SetupStep, Workspace


@pytest.fixture(autouse=True)
def _home(bunqtui_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BUNQTUI_RATE_LIMIT", "off")
    return bunqtui_home


def _free_redirect() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/callback"


async def _control(emulator: Any, method: str, path: str, body: Any = None) -> Any:
    async with httpx.AsyncClient() as http:
        response = await http.request(method, f"{emulator.root_url}/_emulator{path}", json=body)
        response.raise_for_status()
        return response.json()


async def _handshakes(emulator: Any) -> int:
    routes = (await _control(emulator, "GET", "/stats"))["by_route"]
    return sum(n for k, n in routes.items() if "session-server" in k or "installation" in k)


async def _api_key_profile(emulator: Any, **options: Any) -> Workspace:
    ws = Workspace.load()
    await ws.setup_profile(
        "me",
        "api-key",
        base_url=emulator.base_url,
        redirect_uri=options.pop("redirect_uri", None),
        options={"api_key": emulator.demo_api_key, **options},
    )
    return ws


async def test_renewed_session_is_saved_and_reused_next_launch(emulator: Any) -> None:
    ws = await _api_key_profile(emulator)
    vault = ws.secrets
    async with ws.open() as session:
        me = (await session.identities())[0]
        await session.accounts(me)
        first = vault.read("me")["context"]["session_token"]
        # bunq drops the session early: the client renews it, core saves the new one
        await _control(emulator, "POST", "/faults", {"expire_sessions": True})
        await session.accounts(me)
    renewed = vault.read("me")["context"]["session_token"]
    assert renewed != first

    before = await _handshakes(emulator)
    async with Workspace.load().open("me") as again:  # a second launch
        await again.accounts((await again.identities())[0])
    assert await _handshakes(emulator) == before  # no installation, no new session


async def test_api_key_profile_connects_a_user_through_the_loopback(emulator: Any) -> None:
    redirect = _free_redirect()
    ws = await _api_key_profile(emulator, redirect_uri=redirect, register_oauth=True)
    end_user = await _control(emulator, "POST", "/users", {"accounts": 1, "payments": 2})
    async with ws.open("me") as session:
        assert session.can_connect() and session.is_sandbox()
        request = await session.begin_connect()
        assert request.redirect_uri == redirect and request.state in request.authorize_url
        waiting = asyncio.create_task(session.wait_for_callback(request, timeout=10))
        approved = await _control(
            emulator,
            "POST",
            "/oauth/approve",
            {"authorize_url": request.authorize_url, "api_key": end_user["api_key"]},
        )
        async with httpx.AsyncClient() as browser:
            assert (await browser.get(approved["redirect_url"])).status_code == 200
        identity = await waiting
        assert identity.local_id == 1 and identity.kind == "connected"
        kinds = [(i.kind, i.local_id) for i in await session.identities()]
        assert kinds == [("self", None), ("connected", 1)]
        accounts = await session.accounts(identity)
        assert len(accounts) == 1
        page = await session.payments(identity, accounts[0].id, count=1)
        assert len(page.items) == 1
        own = await session.user((await session.identities())[0])
    # the own name is remembered, so listing identities needs no request next time
    async with Workspace.load().open("me") as again:
        assert (await again.identities())[0].label == own.display_name


async def test_pasted_answer_with_a_foreign_state_is_refused(emulator: Any) -> None:
    ws = await _api_key_profile(emulator, redirect_uri="https://example.com/cb")
    async with ws.open() as session:
        request = await session.begin_connect()
        with pytest.raises(StateMismatchError):
            await session.complete_connect(request, "https://example.com/cb?code=abc&state=forged")
        assert [i.kind for i in await session.identities()] == ["self"]
        with pytest.raises(ConfigError, match="no connected user 5"):
            await session.disconnect(5)


async def test_top_up_and_export(emulator: Any, tmp_path: Path) -> None:
    ws = await _api_key_profile(emulator)
    assert {"csv", "json"} <= set(ws.exporters())  # plus any installed exporter plugin
    async with ws.open() as session:
        me = (await session.identities())[0]
        account = (await session.accounts(me))[0]
        before = account.balance.value if account.balance else Decimal(0)
        await session.top_up(me, account.id, Decimal("25.00"))
        page = await session.payments(me, account.id, count=5)
        # the top-up happened: Sugar Daddy's payment is the newest and the balance moved by it
        assert page.items[0].amount.value == Decimal("25.00")
        after = next(a for a in await session.accounts(me) if a.id == account.id)
        assert after.balance is not None and after.balance.value == before + Decimal("25.00")
        path = session.export_payments(page.items, "json", tmp_path / "out.json")
        exported = json.loads(path.read_text())
        assert [p["id"] for p in exported] == [p.id for p in page.items]
        one = await session.payment(me, account.id, page.items[0].id)
        assert one.raw["id"] == page.items[0].id
        with pytest.raises(ConfigError):
            session.export_payments(page.items, "xlsx", tmp_path / "x")
        auto = session.export_payments(page.items, "csv", tmp_path)
        assert auto.parent == tmp_path and auto.suffix == ".csv"


async def test_setup_plan_progress_and_profile_rules(emulator: Any) -> None:
    ws = Workspace.load()
    plan = ws.setup_steps("psd2", {"generate_sandbox_certificate": True})
    assert [s.key for s in plan] == ["certificate", "credential", "oauth", "callback"]
    assert all(s.status == "waiting" for s in plan)
    seen: list[tuple[str, str]] = []

    def on_step(step: SetupStep) -> None:
        seen.append((step.key, step.status))

    info = await ws.setup_profile(
        "tpp",
        "psd2",
        base_url=emulator.base_url,
        options={"generate_sandbox_certificate": True},
        on_step=on_step,
    )
    assert info.is_default and info.connector == "psd2"
    assert ("credential", "running") in seen and ("callback", "done") in seen
    with pytest.raises(ConfigError, match="already uses the psd2 connector"):
        await ws.setup_profile("tpp", "api-key", base_url=emulator.base_url, options={})
    with pytest.raises(ConfigError, match="invalid profile name"):
        await ws.setup_profile("../x", "psd2", options={})
    async with ws.open("tpp") as session:
        assert await session.identities() == []  # a provider has no accounts of its own
    ws.secrets.delete("tpp")
    async with ws.open("tpp") as forgotten:  # its secrets were removed by hand
        with pytest.raises(NotConnectedError, match="no saved bunq login"):
            await forgotten.begin_connect()
    ws.set_default_profile("tpp")
    assert Workspace.load().default_profile() == "tpp"
