"""`bunqtui events` against the emulator: newest first across accounts, `--since`, JSON exact,
and no raw control characters in the table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from cli_helpers import Result

import hostile


@pytest.fixture
def me(cli: Callable[..., Result], emulator: Any) -> Callable[..., Result]:
    setup = cli(
        "setup", "api-key", "--profile", "me", "--base-url", emulator.base_url,
        "--api-key", emulator.demo_api_key,
    )  # fmt: skip
    assert setup.code == 0, setup.err
    return cli


def test_events_newest_first_with_since_and_json(me: Callable[..., Result]) -> None:
    events = me("events", "--json", "--limit", "30").json()
    assert len(events) == 30
    ids = [e["id"] for e in events]
    assert ids == sorted(ids, reverse=True)
    assert len({e["monetary_account_id"] for e in events}) > 1  # across accounts
    assert events[0]["type"] == "Payment" and "amount" in events[0]["object"]
    cut = dt.datetime.fromisoformat(events[9]["created"])
    since = me("events", "--json", "--since", cut.isoformat()).json()
    assert all(dt.datetime.fromisoformat(e["created"]) >= cut for e in since)
    assert [e["id"] for e in since][:10] == ids[:10]
    table = me("events", "--limit", "5")
    assert table.code == 0
    assert table.out.splitlines()[0].split() == [
        "TIME",
        "TYPE",
        "ACCOUNT",
        "AMOUNT",
        "WHO",
        "/",
        "WHAT",
    ]
    assert len(table.out.splitlines()) == 6


def test_hostile_text_in_the_feed_is_printable(me: Callable[..., Result], emulator: Any) -> None:
    bank = next(a for a in me("accounts", "--json").json() if a["type"] == "MonetaryAccountBank")
    sent = hostile.send_hostile_payments(emulator.root_url, emulator.base_url, bank["iban"])
    count = len(sent["descriptions"])
    table = me("events", "--limit", str(count))
    assert table.code == 0
    assert not any(c in table.out for c in hostile.RAW_CONTROLS)
    assert "\\x1b[2J" in table.out and "\\u202e" in table.out
    described = [
        e["object"]["description"] for e in me("events", "--json", "--limit", str(count)).json()
    ]
    assert described == list(reversed(sent["descriptions"]))  # exact in JSON
