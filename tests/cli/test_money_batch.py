"""`bunqtui pay-batch`, end to end against the emulator: every row validated before anything is
sent (a bad row exits 2 naming its line), every entry and the total shown before it is sent,
sent once (a lost answer is looked up by the batch's payments)."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import Control, Result
from test_money import OUTSIDE, Me, Terminal, httpx_reset, payments, posts, setup_user

from bunqtui.cli import money_cmd

HEADER = "to,name,amount,description\n"


@pytest.fixture
def me(cli: Callable[..., Result], emulator: Any, control: Control) -> Me:
    return setup_user(cli, emulator, control, "me")


def batch_file(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "batch.csv"
    path.write_text(header + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


def pay_batch(cli: Callable[..., Result], me: Me, file: Path | str, *extra: str) -> Result:
    return cli("pay-batch", "--profile", me.profile, "--from", str(me.account),
               "--file", str(file), *extra)  # fmt: skip


def batches(control: Control) -> int:
    return posts(control, "payment-batch")


def other_iban(cli: Callable[..., Result], me: Me) -> str:
    accounts = cli("accounts", "--profile", me.profile, "--json").json()
    return next(a["iban"] for a in accounts if a["id"] == me.other_account)


def test_a_batch_with_yes_books_every_entry_once_after_showing_each_and_the_total(
    cli: Callable[..., Result], me: Me, control: Control, tmp_path: Path
) -> None:
    own = other_iban(cli, me)
    file = batch_file(
        tmp_path,
        f"{OUTSIDE},Albert,12.50,rent",
        f"{own},,10,to savings",  # an own account needs no name
        'bravo@bunq.com,,5.25,"lunch, friday"',
    )
    before = {p["id"] for p in payments(cli, me)}
    httpx_reset(control)
    result = pay_batch(cli, me, file, "--yes", "--json")
    assert result.code == 0, result.err
    created = result.json()
    assert created["type"] == "payment-batch" and created["status"] == "BOOKED"
    assert isinstance(created["id"], int)
    assert created["total"] == {"value": "27.75", "currency": "EUR"}
    assert sorted(p["amount"]["value"] for p in created["payments"]) == [
        "-10.00", "-12.50", "-5.25"
    ]  # fmt: skip
    # shown before sent: every entry, then the total
    for shown in (f"12.50 EUR to Albert ({OUTSIDE}) · rent", "10.00 EUR to Account 2",
                  "5.25 EUR to e-mail bravo@bunq.com · lunch, friday",
                  "total: 27.75 EUR in 3 payments"):  # fmt: skip
        assert shown in result.err, result.err
    assert batches(control) == 1 and posts(control) == 0
    new = [p for p in payments(cli, me) if p["id"] not in before]
    assert sorted(p["id"] for p in new) == sorted(p["id"] for p in created["payments"])
    accounts = {a["id"]: a for a in cli("accounts", "--profile", "me", "--json").json()}
    assert accounts[me.account]["balance"]["value"] == "472.25"
    assert accounts[me.other_account]["balance"]["value"] == "10.00"


def test_a_refused_confirmation_sends_nothing(
    cli: Callable[..., Result], me: Me, control: Control, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    file = batch_file(tmp_path, f"{OUTSIDE},Albert,1,a", f"{OUTSIDE},Albert,2,b")
    before = len(payments(cli, me))
    for answer in ("n\n", "\n"):  # no, and Enter alone
        monkeypatch.setattr(sys, "stdin", Terminal(answer))
        httpx_reset(control)
        result = pay_batch(cli, me, file)
        assert result.code == 2
        assert "Send these 2 payments? [y/N]" in result.err and "nothing was sent" in result.err
        assert batches(control) == 0
    assert len(payments(cli, me)) == before


def test_no_terminal_and_no_yes_exits_2_and_sends_nothing(
    cli: Callable[..., Result], me: Me, control: Control, tmp_path: Path
) -> None:
    httpx_reset(control)
    result = pay_batch(cli, me, batch_file(tmp_path, f"{OUTSIDE},Albert,1,a"))
    assert result.code == 2 and "no terminal to confirm on" in result.err
    assert batches(control) == 0


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([f"{OUTSIDE},Albert,1.005,x"], "line 2: amount '1.005' has more than two decimals"),
        ([f"{OUTSIDE},A,1,x", "NL92ABNA0417164300,B,2,y"], "line 3: IBAN 'NL92ABNA0417164300'"),
        ([f"{OUTSIDE},A,1,x", "", "someone@,B,2,y"], "line 4: 'someone@' is not an e-mail"),
        ([f"{OUTSIDE},A,0,x"], "line 2: amount '0' is not more than zero"),
        ([f"{OUTSIDE},A,1"], "line 2: 3 cells where the header has 4"),
        ([",A,1,x"], "line 2: no payee"),
        ([f"{OUTSIDE},A,1,{'x' * 141}"], "line 2: the description has 141 characters"),
        ([], "the batch has no payments"),
        ([f"{OUTSIDE},A,1,x"] * 101, "at most 100 go in one batch"),
    ],
)
def test_a_bad_row_exits_2_naming_its_line_and_sends_nothing(
    cli: Callable[..., Result], me: Me, control: Control, tmp_path: Path,
    rows: list[str], message: str,
) -> None:  # fmt: skip
    httpx_reset(control)
    result = pay_batch(cli, me, batch_file(tmp_path, *rows), "--yes")
    assert result.code == 2, result.err
    assert message in result.err and "Traceback" not in result.err
    assert control.stats()["total"] == 0  # checked before the profile is even opened


def test_every_bad_line_is_named_at_once(
    cli: Callable[..., Result], me: Me, tmp_path: Path
) -> None:
    rows = [f"{OUTSIDE},A,x{i},d" for i in range(8)]
    result = pay_batch(cli, me, batch_file(tmp_path, *rows), "--yes")
    assert result.code == 2
    assert (
        "line 2:" in result.err and "line 6:" in result.err and "and 3 more bad rows" in result.err
    )


@pytest.mark.parametrize(
    ("rows", "header", "message"),
    [
        ([f"{OUTSIDE},,1,x"], HEADER, "line 2: a payment to an IBAN needs the payee's name"),
        ([f"{OUTSIDE},A,1,x,USD"], "to,name,amount,description,currency\n",
         "line 2: USD, but the account pays EUR"),
    ],
)  # fmt: skip
def test_a_row_the_account_cannot_pay_exits_2_and_sends_nothing(
    cli: Callable[..., Result], me: Me, control: Control, tmp_path: Path,
    rows: list[str], header: str, message: str,
) -> None:  # fmt: skip
    httpx_reset(control)
    result = pay_batch(cli, me, batch_file(tmp_path, *rows, header=header), "--yes")
    assert result.code == 2, result.err
    assert message in result.err
    assert batches(control) == 0


def test_the_paying_account_itself_is_refused(
    cli: Callable[..., Result], me: Me, control: Control, tmp_path: Path
) -> None:
    httpx_reset(control)
    result = pay_batch(cli, me, batch_file(tmp_path, f"{me.iban},,1,x"), "--yes")
    assert result.code == 2 and "line 2: the payee is the account that pays" in result.err
    assert batches(control) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"to;name;amount;description\n", "line 1: the header must be"),
        (b"to,name,amount,description\n\xff\xfe,x,1,y\n", "is not UTF-8 text"),
        (b'to,name,amount,description\nNL91ABNA0417164300,"A"x,1,y\n', "line 2: not CSV"),
    ],
)
def test_a_damaged_file_exits_2_without_a_traceback(
    cli: Callable[..., Result], me: Me, control: Control, tmp_path: Path,
    content: bytes, message: str,
) -> None:  # fmt: skip
    path = tmp_path / "batch.csv"
    path.write_bytes(content)
    httpx_reset(control)
    result = pay_batch(cli, me, path, "--yes")
    assert result.code == 2 and message in result.err, result.err
    assert "Traceback" not in result.err and control.stats()["total"] == 0
    missing = pay_batch(cli, me, tmp_path / "nope.csv", "--yes")
    assert missing.code == 2 and "there is no file" in missing.err
    folder = pay_batch(cli, me, tmp_path, "--yes")
    assert folder.code == 2 and "is a directory" in folder.err


def test_the_batch_can_come_on_standard_input(
    cli: Callable[..., Result], me: Me, control: Control, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"\ufeff{HEADER}{OUTSIDE},Albert,3,piped\n"))
    httpx_reset(control)
    result = pay_batch(cli, me, "-", "--yes")
    assert result.code == 0, result.err
    assert (
        result.out.startswith("Paid: batch ")
        and "1 payment" in result.out
        and "1 payments" not in result.out
    )
    assert batches(control) == 1
    assert payments(cli, me)[0]["description"] == "piped"


def test_a_lost_answer_after_booking_is_looked_up_and_reports_the_batch_once(
    cli: Callable[..., Result], me: Me, control: Control, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    file = batch_file(tmp_path, f"{OUTSIDE},Albert,4,one", "bravo@bunq.com,,6,two")
    before = {p["id"] for p in payments(cli, me)}
    monkeypatch.setattr(sys, "stdin", Terminal(""))

    def yes_then_cut(prompt: str) -> str:
        control.post("/faults", {"drop": 1})  # the batch is booked, then its answer is cut
        return "y\n"

    monkeypatch.setattr(money_cmd, "ask", yes_then_cut)
    httpx_reset(control)
    result = pay_batch(cli, me, file, "--json")
    assert result.code == 1, result.err
    assert "outcome was unknown" in result.err and "it went through (batch " in result.err
    new = [p for p in payments(cli, me) if p["id"] not in before]
    assert sorted(p["description"] for p in new) == ["one", "two"]  # once, never twice
    for payment in new:
        assert str(payment["id"]) in result.err
    record = result.json()
    assert record["status"] == "BOOKED" and len(record["payments"]) == 2
    assert batches(control) == 1


def test_a_lost_answer_of_a_refused_batch_says_it_did_not_go_through(
    cli: Callable[..., Result], me: Me, control: Control, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    # an identical earlier batch must not be taken for the lost one
    file = batch_file(tmp_path, f"{OUTSIDE},Albert,4,same")
    assert pay_batch(cli, me, file, "--yes").code == 0
    monkeypatch.setattr(sys, "stdin", Terminal(""))

    def yes_then_fail(prompt: str) -> str:
        control.post("/faults", {"http_500": 1})  # answered 500 before anything was booked
        return "y\n"

    monkeypatch.setattr(money_cmd, "ask", yes_then_fail)
    httpx_reset(control)
    result = pay_batch(cli, me, file, "--json")
    assert result.code == 1
    assert "it did not go through" in result.err, result.err
    assert result.json()["status"] == "NOT_BOOKED"
    assert batches(control) == 1  # a 5xx on a batch is never resent


def test_a_hostile_name_shows_literally_in_the_confirmation(
    cli: Callable[..., Result], me: Me, control: Control, tmp_path: Path
) -> None:
    name = "[bold]FAKE[/bold]\x1b[31m\u202e"
    file = batch_file(tmp_path, f'{OUTSIDE},"{name}",1,"[red]x"')
    httpx_reset(control)
    result = pay_batch(cli, me, file)
    assert result.code == 2
    assert "[bold]FAKE[/bold]\\x1b[31m\\u202e" in result.err and "[red]x" in result.err
    assert "\x1b" not in result.err and "\u202e" not in result.err
    assert batches(control) == 0


def test_too_little_balance_warns_and_bunq_refuses_the_whole_batch(
    cli: Callable[..., Result], me: Me, control: Control, tmp_path: Path
) -> None:
    before = len(payments(cli, me))
    file = batch_file(tmp_path, f"{OUTSIDE},A,300,x", f"{OUTSIDE},B,300,y")
    result = pay_batch(cli, me, file, "--yes")
    assert "warning: the balance is 500.00 EUR" in result.err
    assert result.code == 1 and "insufficient" in result.err
    assert len(payments(cli, me)) == before  # all or none
