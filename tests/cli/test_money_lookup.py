"""Never twice, and the truth when the answer is lost (review findings on `pay` and `pay-batch`):
the look-up finds a booked batch whatever its rows look like, trusts bunq rather than a cache
another client left behind, never takes what existed before the send for ours, treats every
untrustworthy answer to a money POST as lost, and a refresh that fails after bunq booked it is
not reported as a failure."""

from __future__ import annotations

import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import Control, Result
from test_money import OUTSIDE, Me, Terminal, httpx_reset, pay, payments, posts, setup_user
from test_money_batch import batch_file, batches, pay_batch

from bunqtui.api.models import Amount
from bunqtui.cli import money_cmd
from bunqtui.core import Workspace
from bunqtui.core.money import MoneyDesk
from bunqtui.core.oneshot import OneShotSession


@pytest.fixture
def me(cli: Callable[..., Result], emulator: Any, control: Control) -> Me:
    return setup_user(cli, emulator, control, "me")


def fault_after_yes(
    monkeypatch: pytest.MonkeyPatch, control: Control, fault: dict[str, int]
) -> None:
    """Confirm on a terminal; the fault is armed only then, so it meets the money POST."""
    monkeypatch.setattr(sys, "stdin", Terminal(""))

    def yes(prompt: str) -> str:
        control.post("/faults", fault)
        return "y\n"

    monkeypatch.setattr(money_cmd, "ask", yes)


def fault_before_refresh(
    monkeypatch: pytest.MonkeyPatch, control: Control, fault: dict[str, int]
) -> None:
    """The POST is answered; the GETs of the refresh after it meet ``fault``."""
    original = MoneyDesk.refresh_after

    def refresh(self: MoneyDesk, *args: Any, **kwargs: Any) -> Any:
        control.post("/faults", fault)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(MoneyDesk, "refresh_after", refresh)


def second_client(cli: Callable[..., Result], emulator: Any, me: Me) -> str:
    """Another bunqtui on the same bunq user (its own cache): what it books, `me` never saw."""
    made = cli("setup", "api-key", "--profile", "two", "--base-url", emulator.base_url,
               "--api-key", me.api_key)  # fmt: skip
    assert made.code == 0, made.err
    return "two"


def bunq_payments(cli: Callable[..., Result], profile: str, me: Me) -> list[dict[str, Any]]:
    """The account's payments as bunq has them now (`--all` syncs the whole history)."""
    result = cli("payments", "--profile", profile, "--account", str(me.account), "--all",
                 "--format", "json")  # fmt: skip
    assert result.code == 0, result.err
    return result.json()


# --- 1: a batch with an e-mail row and an IBAN row to the same person -----------------------


def test_a_lost_batch_paying_one_person_by_iban_and_by_email_is_found(
    cli: Callable[..., Result], me: Me, control: Control, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    assert pay(cli, me, "--yes", to="bravo@bunq.com", name=None, amount="1").code == 0
    bravo = payments(cli, me)[0]["counterparty"]["iban"]  # bunq shows e-mail by IBAN
    file = batch_file(tmp_path, f"{bravo},Bravo,4,one", "bravo@bunq.com,,6,two")
    before = {p["id"] for p in payments(cli, me)}
    fault_after_yes(monkeypatch, control, {"drop": 1})  # booked, then the answer is cut
    result = pay_batch(cli, me, file, "--json")
    new = [p for p in payments(cli, me) if p["id"] not in before]
    assert sorted(p["description"] for p in new) == ["one", "two"]
    assert result.code == 1 and "it went through (batch " in result.err, result.err
    assert result.json()["status"] == "BOOKED"


# --- 2: bunq answered with an id; only the refresh afterwards failed --------------------------


def test_a_batch_whose_refresh_fails_after_booking_is_reported_paid(
    cli: Callable[..., Result], me: Me, control: Control, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    file = batch_file(tmp_path, f"{OUTSIDE},Albert,4,one")
    fault_before_refresh(monkeypatch, control, {"bad_signature": 1})
    result = pay_batch(cli, me, file, "--yes")
    assert result.code == 0, result.err
    assert result.out.startswith("Paid: batch ") and "could not be refreshed" in result.out
    assert "one" in [p["description"] for p in payments(cli, me)]


def test_a_payment_whose_refresh_fails_after_booking_is_reported_paid(
    cli: Callable[..., Result], me: Me, control: Control, monkeypatch: pytest.MonkeyPatch
) -> None:
    fault_before_refresh(monkeypatch, control, {"bad_signature": 1})
    result = pay(cli, me, "--yes", "--json")
    assert result.code == 0, result.err
    assert result.json()["status"] == "BOOKED" and "could not be refreshed" in result.err
    assert payments(cli, me)[0]["id"] == result.json()["id"]


# --- 3: the cache is behind: another client booked meanwhile -----------------------------------


def test_a_lost_payment_is_found_after_another_client_booked_hundreds(
    cli: Callable[..., Result], me: Me, control: Control, emulator: Any, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    payments(cli, me)  # `me` caches the account now
    two = second_client(cli, emulator, me)
    many = batch_file(tmp_path, *[f"{OUTSIDE},Albert,0.01,filler{i}" for i in range(100)])
    for _ in range(3):  # 300 payments `me` never saw: more than one page above its cache
        paid = cli("pay-batch", "--profile", two, "--from", str(me.account), "--file",
                   str(many), "--yes")  # fmt: skip
        assert paid.code == 0, paid.err
    fault_after_yes(monkeypatch, control, {"drop": 1})
    result = cli("pay", "--profile", me.profile, "--from", str(me.account), "--to", OUTSIDE,
                 "--name", "Albert", "--amount", "4", "--description", "mine",
                 "--json")  # fmt: skip
    assert result.code == 1 and "it went through (payment id " in result.err, result.err
    mine = [p for p in bunq_payments(cli, two, me) if p["description"] == "mine"]
    assert len(mine) == 1 and result.json()["id"] == mine[0]["id"]
    # the balance `me` caches is bunq's now, not an older page's balance_after
    accounts = cli("accounts", "--profile", two, "--json").json()
    real = next(a for a in accounts if a["id"] == me.account)["balance"]
    with OneShotSession.open(Workspace.load(), me.profile) as session:
        cached = {a.id: a for a in session.cached_accounts(session.identity(None)) or []}
    assert cached[me.account].balance == Amount(Decimal(real["value"]), real["currency"])


def test_a_lost_batch_is_found_after_another_client_booked_hundreds(
    cli: Callable[..., Result], me: Me, control: Control, emulator: Any, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    payments(cli, me)
    two = second_client(cli, emulator, me)
    many = batch_file(tmp_path, *[f"{OUTSIDE},Albert,0.01,filler{i}" for i in range(100)])
    for _ in range(3):
        paid = cli("pay-batch", "--profile", two, "--from", str(me.account), "--file",
                   str(many), "--yes")  # fmt: skip
        assert paid.code == 0, paid.err
    mine = tmp_path / "mine.csv"
    mine.write_text(f"to,name,amount,description\n{OUTSIDE},Albert,4,mine\n", encoding="utf-8")
    fault_after_yes(monkeypatch, control, {"drop": 1})
    result = pay_batch(cli, me, mine, "--json")
    assert result.code == 1 and "it went through (batch " in result.err, result.err
    booked = [p for p in bunq_payments(cli, two, me) if p["description"] == "mine"]
    assert len(booked) == 1
    assert [p["id"] for p in result.json()["payments"]] == [booked[0]["id"]]


def test_an_identical_batch_another_client_sent_first_is_not_taken_for_ours(
    cli: Callable[..., Result], me: Me, control: Control, emulator: Any, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    payments(cli, me)
    two = second_client(cli, emulator, me)
    file = batch_file(tmp_path, f"{OUTSIDE},Albert,4,same", f"{OUTSIDE},Albert,5,same2")
    theirs = cli("pay-batch", "--profile", two, "--from", str(me.account), "--file", str(file),
                 "--yes")  # fmt: skip
    assert theirs.code == 0, theirs.err
    fault_after_yes(monkeypatch, control, {"http_500": 1})  # refused before booking
    httpx_reset(control)
    result = pay_batch(cli, me, file, "--json")
    assert result.code == 1 and "it did not go through" in result.err, result.err
    assert result.json()["status"] == "NOT_BOOKED" and batches(control) == 1
    assert len([p for p in payments(cli, me) if p["description"] == "same"]) == 1


def test_an_identical_payment_another_client_sent_first_is_not_taken_for_ours(
    cli: Callable[..., Result], me: Me, control: Control, emulator: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    payments(cli, me)
    two = second_client(cli, emulator, me)
    theirs = cli("pay", "--profile", two, "--from", str(me.account), "--to", OUTSIDE,
                 "--name", "Albert", "--amount", "12.50", "--description", "rent",
                 "--yes")  # fmt: skip
    assert theirs.code == 0, theirs.err
    fault_after_yes(monkeypatch, control, {"http_500": 1})
    httpx_reset(control)
    result = pay(cli, me, "--json")
    assert result.code == 1 and "it did not go through" in result.err, result.err
    assert posts(control) == 1
    assert len([p for p in payments(cli, me) if p["description"] == "rent"]) == 1


# --- 4: an answer that cannot be trusted is a lost answer ---------------------------------------


@pytest.mark.parametrize("fault", ["bad_signature", "drop"])
def test_an_untrusted_answer_to_a_booked_batch_is_looked_up(
    cli: Callable[..., Result], me: Me, control: Control, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, fault: str,
) -> None:  # fmt: skip
    file = batch_file(tmp_path, f"{OUTSIDE},Albert,4,sig")
    fault_after_yes(monkeypatch, control, {fault: 1})
    result = pay_batch(cli, me, file, "--json")
    assert result.code == 1 and "it went through (batch " in result.err, result.err
    assert len([p for p in payments(cli, me) if p["description"] == "sig"]) == 1


def test_an_untrusted_answer_to_a_booked_payment_is_looked_up(
    cli: Callable[..., Result], me: Me, control: Control, monkeypatch: pytest.MonkeyPatch
) -> None:
    fault_after_yes(monkeypatch, control, {"bad_signature": 1})
    result = pay(cli, me, "--json")
    assert result.code == 1 and "it went through (payment id " in result.err, result.err
    assert len([p for p in payments(cli, me) if p["description"] == "rent"]) == 1
