"""The export of cached payments streams from the cache (the TUI's export and the CLI's
`--all`), with the same bytes as the old full load, over the hostile corpus as bunq sends it."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import httpx
import pytest

import hostile
from bunqtui.core import Workspace
from old_export import old_csv, old_json


@pytest.fixture(autouse=True)
def _home(bunqtui_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BUNQTUI_RATE_LIMIT", "off")
    return bunqtui_home


async def test_exporting_the_cache_streams_the_old_bytes(emulator: Any, tmp_path: Path) -> None:
    async with httpx.AsyncClient() as http:
        made = await http.post(
            f"{emulator.root_url}/_emulator/users", json={"accounts": 1, "payments": 5}
        )
        user = made.json()
    ws = Workspace.load()
    await ws.setup_profile(
        "me", "api-key", base_url=emulator.base_url, options={"api_key": user["api_key"]}
    )
    async with ws.open() as session:
        me = (await session.identities())[0]
        (account,) = await session.accounts(me)
        sent = hostile.send_hostile_payments(emulator.root_url, emulator.base_url, account.iban)
        await session.sync_payments(me, account.id)
        loaded = session.cached_payments(me, account.id, limit=10_000)
        assert len(loaded) >= len(sent["descriptions"]) + 5
        for fmt, old in (("csv", old_csv), ("json", old_json)):
            count, path = session.export_cached_payments(me, account.id, fmt, tmp_path)
            assert count == len(loaded)
            assert path.read_bytes() == old(loaded).encode("utf-8", "backslashreplace")
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
            path.unlink()
        # a search exports every match, newest first, as search_payments finds them
        found = session.search_payments("evil", identity=me, account_id=account.id, limit=10**6)
        assert found
        count, path = session.export_cached_payments(
            me, account.id, "json", tmp_path / "s.json", search="evil"
        )
        assert count == len(found) and path.read_text() == old_json(found)
