"""core.history.latest_payments against the emulator on the synchronous driver: the newest N
payments page by page (older_id), cut at --since, with the fewest requests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest

from bunqtui.core import Workspace
from bunqtui.core.history import latest_payments
from bunqtui.core.oneshot import OneShotSession

PAYMENT_ROUTE = "GET /v1/user/{id}/monetary-account/{id}/payment"


@pytest.fixture(autouse=True)
def _home(bunqtui_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BUNQTUI_RATE_LIMIT", "off")
    return bunqtui_home


def _control(emulator: Any, path: str, body: Any = None) -> Any:
    method = "GET" if body is None else "POST"
    response = httpx.request(method, f"{emulator.root_url}/_emulator{path}", json=body, timeout=10)
    response.raise_for_status()
    return response.json()


def _pages(emulator: Any) -> int:
    return int(_control(emulator, "/stats")["by_route"].get(PAYMENT_ROUTE, 0))


async def _profile(emulator: Any, payments: int) -> Workspace:
    user = _control(emulator, "/users", {"accounts": 1, "payments": payments})
    ws = Workspace.load()
    await ws.setup_profile(
        "me", "api-key", base_url=emulator.base_url, options={"api_key": user["api_key"]}
    )
    return ws


async def test_the_newest_payments_come_page_by_page(emulator: Any) -> None:
    ws = await _profile(emulator, payments=450)
    with OneShotSession.open(ws, "me") as session:
        me = session.identity(None)
        account = session.accounts(me)[0]
        start = _pages(emulator)
        newest = latest_payments(session, me, account.id, limit=250)
        assert _pages(emulator) == start + 2  # 200, then the 50 still wanted
        ids = [p.id for p in newest]
        assert len(ids) == 250 and ids == sorted(ids, reverse=True)
        # the same payments bunq lists first, none skipped at the page boundary
        everything = latest_payments(session, me, account.id, limit=10_000)
        assert len(everything) == 450  # the history ran out: it stops there
        assert [p.id for p in everything[:250]] == ids
        assert _pages(emulator) == start + 2 + 3


async def test_since_cuts_the_walk_where_older_payments_begin(emulator: Any) -> None:
    ws = await _profile(emulator, payments=450)
    with OneShotSession.open(ws, "me") as session:
        me = session.identity(None)
        account = session.accounts(me)[0]
        everything = latest_payments(session, me, account.id, limit=10_000)
        times = [p.created for p in everything]
        assert all(t is not None for t in times)
        cut = everything[229].created  # on the second page
        assert cut is not None
        start = _pages(emulator)
        recent = latest_payments(session, me, account.id, limit=10_000, since=cut)
        expected = [p.id for p in everything if p.created is not None and p.created >= cut]
        assert [p.id for p in recent] == expected and 230 <= len(recent) < 450
        assert _pages(emulator) == start + 2  # the third page is never asked for
        # a cut-off after everything: one request, nothing
        later = max(t for t in times if t is not None) + dt.timedelta(seconds=1)
        assert latest_payments(session, me, account.id, limit=5, since=later) == []
        assert _pages(emulator) == start + 3
