"""`bunqtui cards` and `bunqtui card freeze|unfreeze|lost|stolen` against the emulator: the
table, the confirmations (y/N on a terminal, --yes for scripts, nothing sent otherwise), and
the second confirmation that a lost or stolen report needs."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from cli_helpers import Control, Result


class Terminal(io.StringIO):
    """stdin that is a terminal, answering the prompts with ``answers``."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def me(cli: Callable[..., Result], emulator: Any) -> Callable[..., Result]:
    setup = cli(
        "setup", "api-key", "--profile", "me", "--base-url", emulator.base_url,
        "--api-key", emulator.demo_api_key,
    )  # fmt: skip
    assert setup.code == 0, setup.err
    return cli


def _cards(me: Callable[..., Result]) -> dict[str, dict]:
    return {c["second_line"]: c for c in me("cards", "--json").json()}


def _puts(control: Control) -> int:
    return control.stats()["by_route"].get("PUT /v1/user/{id}/card/{id}", 0)


def test_cards_table_and_json(me: Callable[..., Result]) -> None:
    cards = _cards(me)
    assert cards["Anna's card"]["masked_number"] == "•••• 4242"
    assert cards["Spare card"]["status"] == "DEACTIVATED"
    assert cards["Online shopping"]["card_limit"] == {"value": "1000.00", "currency": "EUR"}
    table = me("cards")
    assert table.code == 0
    assert table.out.splitlines()[0].split()[:4] == ["ID", "STATUS", "TYPE", "NUMBER"]
    assert "•••• 4242" in table.out and "2029-11-30" in table.out


def test_freeze_asks_and_no_terminal_sends_nothing(
    me: Callable[..., Result], control: Control, monkeypatch: pytest.MonkeyPatch
) -> None:
    card = _cards(me)["Anna's card"]
    before = _puts(control)
    refused = me("card", "freeze", str(card["id"]))  # pytest's stdin is no terminal
    assert refused.code == 2
    assert "nothing was sent" in refused.err
    monkeypatch.setattr("sys.stdin", Terminal("n\n"))
    assert me("card", "freeze", str(card["id"])).code == 2  # the default is No
    assert _puts(control) == before
    assert _cards(me)["Anna's card"]["status"] == "ACTIVE"

    monkeypatch.setattr("sys.stdin", Terminal("y\n"))
    frozen = me("card", "freeze", str(card["id"]))
    assert frozen.code == 0, frozen.err
    assert "Freeze" in frozen.err and "is now deactivated" in frozen.out
    assert _cards(me)["Anna's card"]["status"] == "DEACTIVATED"
    unfrozen = me("card", "unfreeze", str(card["id"]), "--yes", "--json")
    assert unfrozen.json()["status"] == "ACTIVE"


def test_lost_needs_a_second_confirmation_naming_the_card(
    me: Callable[..., Result], control: Control, monkeypatch: pytest.MonkeyPatch
) -> None:
    card = _cards(me)["Online shopping"]
    before = _puts(control)
    monkeypatch.setattr("sys.stdin", Terminal("y\nn\n"))
    declined = me("card", "lost", str(card["id"]))
    assert declined.code == 2
    assert "cannot be undone" in declined.err
    assert "Really block" in declined.err and "“Online shopping”" in declined.err
    assert _puts(control) == before
    monkeypatch.setattr("sys.stdin", Terminal("y\nyes\n"))
    assert me("card", "lost", str(card["id"])).code == 0
    assert _cards(me)["Online shopping"]["status"] == "LOST"
    # final: refused before anything is sent (and bunq would refuse it too)
    again = me("card", "unfreeze", str(card["id"]), "--yes")
    assert again.code == 2 and "can no longer be changed" in again.err
    assert _puts(control) == before + 1


def test_unknown_card_is_bunqs_error_without_traceback(me: Callable[..., Result]) -> None:
    result = me("card", "stolen", "1", "--yes")
    assert result.code == 1
    assert "Traceback" not in result.err and "not found" in result.err
