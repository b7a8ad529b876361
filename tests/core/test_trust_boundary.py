"""Core's part of the trust boundary: pagination that must progress, exports as private as the
cache, tombstones for forgotten identities, and renewed sessions that never overwrite a newer
login."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path
from typing import Any

import httpx
import pytest

from bunqtui.api.errors import PaginationError
from bunqtui.core import CoreError, Workspace
from bunqtui.core.query import haystack
from bunqtui.store.cache import Cache, CacheError, ForgottenError
from bunqtui.store.secrets import ProfileVault, SecretStore

PAYMENTS = "/payment"


@pytest.fixture(autouse=True)
def _home(bunqtui_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BUNQTUI_RATE_LIMIT", "off")
    return bunqtui_home


class Misbehave(httpx.AsyncBaseTransport):
    """In front of the real emulator: a server that ignores the ``older_id`` cursor of
    payment pages (the request is rewritten, so the emulator itself signs the wrong page).

    ``repeat``: every older page is the first older page again. ``newest``: the newest page."""

    def __init__(self, mode: str) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.mode = mode
        self.first: str | None = None
        self.older_requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        if request.url.path.endswith(PAYMENTS) and "older_id" in params:
            self.older_requests += 1
            if self.older_requests > 50:
                raise AssertionError("the client kept asking: an endless loop")
            self.first = self.first or params["older_id"]
            if self.mode == "repeat":
                params = params.set("older_id", self.first)
            else:
                params = params.remove("older_id")
            request.url = request.url.copy_with(params=params)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def control(emulator: Any, path: str, body: Any) -> Any:
    async with httpx.AsyncClient() as http:
        response = await http.post(f"{emulator.root_url}/_emulator{path}", json=body)
        response.raise_for_status()
        return response.json()


async def profile(emulator: Any, payments: int) -> Workspace:
    user = await control(emulator, "/users", {"accounts": 1, "payments": payments})
    ws = Workspace.load()
    await ws.setup_profile(
        "me", "api-key", base_url=emulator.base_url, options={"api_key": user["api_key"]}
    )
    return ws


@pytest.mark.parametrize("mode", ["repeat", "newest"])
async def test_a_full_sync_stops_when_pages_do_not_move_older(emulator: Any, mode: str) -> None:
    ws = await profile(emulator, payments=700)  # 4 pages of 200
    transport = Misbehave(mode)
    async with ws.open() as session:
        session.env.http = httpx.AsyncClient(transport=transport)
        me = (await session.identities())[0]
        account = (await session.accounts(me))[0].id
        with pytest.raises(PaginationError):
            await asyncio.wait_for(session.sync_payments(me, account), timeout=20)
        assert transport.older_requests <= 2
        # one page at a time (the CLI's paging, the TUI's scrolling) is checked too
        oldest = session.cached_payments(me, account, limit=1000)[-1].id
        with pytest.raises(PaginationError):
            await session.payments(me, account, older_id=oldest)
        await session.env.http.aclose()


async def test_an_export_is_private_and_atomic(emulator: Any, tmp_path: Path) -> None:
    ws = await profile(emulator, payments=3)
    async with ws.open() as session:
        me = (await session.identities())[0]
        account = (await session.accounts(me))[0].id
        await session.refresh_payments(me, account)
        payments = session.cached_payments(me, account)
        target = tmp_path / "out.csv"
        target.write_text("old")
        target.chmod(0o644)
        written = session.export_payments(payments, "csv", target)
        assert stat.S_IMODE(written.stat().st_mode) == 0o600
        assert written.read_text().count("\n") == len(payments) + 1
        into_dir = session.export_payments(payments, "json", tmp_path)
        assert stat.S_IMODE(into_dir.stat().st_mode) == 0o600
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
        with pytest.raises(CoreError, match="cannot write"):
            session.export_payments(payments, "csv", tmp_path / "missing" / "out.csv")


def test_a_forgotten_identity_takes_no_more_rows(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c.sqlite3", haystack)
    cache.store_page("user:1", 5, [], lo=0, hi=None)
    cache.forget("user:1")
    with pytest.raises(ForgottenError):
        cache.store_page("user:1", 5, [], lo=0, hi=None)
    with pytest.raises(CacheError):
        cache.put_accounts("user:1", [])
    assert cache.segment("user:1", 5) is None
    cache.store_page("user:2", 5, [], lo=0, hi=None)  # others are untouched
    assert cache.segment("user:2", 5) is not None
    cache.close()


def test_a_renewed_context_never_overwrites_a_newer_login(tmp_path: Path) -> None:
    vault = ProfileVault(SecretStore(tmp_path / "secrets"), "me")
    base = {"environment_name": "custom", "api_base_url": "http://127.0.0.1:1/v1",
            "oauth_authorize_url": "http://127.0.0.1:1/auth"}  # fmt: skip
    old = {**base, "installation_token": "i1", "secret": "k1", "session_expiry":
           "2030-01-01T00:00:00+00:00"}  # fmt: skip
    new = {**base, "installation_token": "i2", "secret": "k2"}
    vault.set("context", old)
    renewed = {**old, "session_token": "s2", "session_expiry": "2030-01-01T01:00:00+00:00"}
    assert vault.save_renewed("context", renewed)
    assert vault.get("context") == renewed
    stale = {**old, "session_token": "s1"}  # renewed earlier, written later
    assert vault.save_renewed("context", stale)
    assert vault.get("context") == renewed
    vault.set("context", new)  # a setup with another key
    assert not vault.save_renewed("context", renewed)
    assert vault.get("context") == new
    vault.set("context", None)  # the profile removed
    assert not vault.save_renewed("context", renewed)
    assert vault.get("context") is None
