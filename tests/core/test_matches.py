"""core.matches: "the cached payments of an account matching a query" is one rule. The CLI's
rows (--search/--since, and the TUI's export) and the payments screen's Payments select the
same payments in the same order as the filter applied by hand to everything cached."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest

from bunqtui.core import Payment, PaymentFilter, QueryError, Workspace
from bunqtui.core.matches import PaymentQuery


@pytest.fixture(autouse=True)
def _home(bunqtui_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BUNQTUI_RATE_LIMIT", "off")
    return bunqtui_home


def _by_hand(everything: list[Payment], search: str | None, since: dt.datetime | None) -> list[int]:
    wanted = PaymentFilter.parse(search or "")
    found = [
        p
        for p in everything
        if wanted.matches(p) and (since is None or (p.created is not None and p.created >= since))
    ]
    if search:  # a search lists by time, newest first
        found.sort(key=lambda p: (p.created, p.id), reverse=True)
    return [p.id for p in found]


async def test_rows_and_payments_select_what_the_filter_selects(emulator: Any) -> None:
    made = httpx.post(
        f"{emulator.root_url}/_emulator/users", json={"accounts": 2, "payments": 300}, timeout=10
    ).json()
    ws = Workspace.load()
    await ws.setup_profile(
        "me", "api-key", base_url=emulator.base_url, options={"api_key": made["api_key"]}
    )
    async with ws.open() as session:
        me = (await session.identities())[0]
        first, second = (await session.accounts(me))[:2]
        await session.sync_payments(me, first.id)
        await session.sync_payments(me, second.id)  # other payments that must never show
        everything = session.cached_payments(me, first.id, limit=10_000)
        assert len(everything) == 300
        middle = everything[150].created
        assert middle is not None
        word = next(p.description for p in everything if p.description).split()[0]
        cases: list[tuple[str | None, dt.datetime | None]] = [
            ("<0", None),
            (word, None),
            (None, middle),
            (">0", middle),
            ("10..20", middle),
        ]
        for search, since in cases:
            expected = _by_hand(everything, search, since)
            assert expected, (search, since)  # each case selects something…
            assert len(expected) < 300  # …and leaves something out
            rows = session.cached_payment_rows(me, first.id, search=search, since=since)
            assert [r.id for r in rows] == expected, (search, since)
            if search:  # what the payments screen shows: the same, as Payments
                shown = session.cached_matches(me, first.id, search=search, since=since)
                assert [p.id for p in shown] == expected, (search, since)
        # the limit keeps the newest
        newest = session.cached_matches(me, first.id, search="<0", limit=7)
        assert [p.id for p in newest] == _by_hand(everything, "<0", None)[:7]


def test_a_malformed_query_is_refused_before_anything_is_read() -> None:
    with pytest.raises(QueryError, match="comparison"):
        PaymentQuery.parse(">abc")
    assert PaymentQuery.parse(None).sql() == ("1", ())
    assert not PaymentQuery.parse("").by_time and PaymentQuery.parse("x").by_time
