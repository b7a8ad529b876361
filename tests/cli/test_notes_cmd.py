"""`bunqtui note list|add` against the emulator: notes shown as printable text, kept exact in
JSON, and an empty note sends nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from cli_helpers import Control, Result


@pytest.fixture
def me(cli: Callable[..., Result], emulator: Any) -> Callable[..., Result]:
    setup = cli(
        "setup", "api-key", "--profile", "me", "--base-url", emulator.base_url,
        "--api-key", emulator.demo_api_key,
    )  # fmt: skip
    assert setup.code == 0, setup.err
    return cli


def _payment(me: Callable[..., Result]) -> tuple[str, str]:
    account = me("accounts", "--json").json()[0]["id"]
    payment = me("payments", "--account", str(account), "--limit", "1", "--format", "json")
    return str(account), str(payment.json()[0]["id"])


def test_add_then_list_notes(me: Callable[..., Result]) -> None:
    account, payment = _payment(me)
    where = ("--account", account, "--payment", payment)
    assert me("note", "list", *where).out.strip() == "No notes on this payment."
    added = me("note", "add", *where, "Dinner \x1b]8;;http://x\x07link\x1b]8;;\x07 with Bram")
    assert added.code == 0, added.err
    assert "added to payment" in added.out
    table = me("note", "list", *where)
    assert table.code == 0
    assert "\x1b" not in table.out and "\x07" not in table.out  # written out, not acted on
    assert "Dinner \\x1b]8;;http://x\\x07link" in table.out
    assert "A. Visser" in table.out
    (note,) = me("note", "list", *where, "--json").json()
    assert note["content"] == "Dinner \x1b]8;;http://x\x07link\x1b]8;;\x07 with Bram"


def test_an_empty_note_or_unknown_payment(me: Callable[..., Result], control: Control) -> None:
    account, payment = _payment(me)
    before = control.stats()["by_route"]
    empty = me("note", "add", "--account", account, "--payment", payment, "   ")
    assert empty.code == 2 and "cannot be empty" in empty.err
    assert control.stats()["by_route"] == before  # nothing sent
    missing = me("note", "list", "--account", account, "--payment", "1")
    assert missing.code == 1 and "Traceback" not in missing.err
