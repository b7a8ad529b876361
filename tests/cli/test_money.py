"""`bunqtui pay | request | requests`, end to end against the emulator: shown before sent,
validated before sent (the emulator's request count proves nothing left), never twice."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from cli_helpers import Control, Result

from bunqtui.api.models import Amount
from bunqtui.cli import money_cmd
from bunqtui.core import Workspace
from bunqtui.core.oneshot import OneShotSession

OUTSIDE = "NL91ABNA0417164300"  # a valid IBAN of no emulator account


class Terminal(io.StringIO):
    """stdin as a terminal where the person types ``text``."""

    def isatty(self) -> bool:
        return True


@dataclass
class Me:
    profile: str
    account: int
    iban: str
    other_account: int
    api_key: str


def setup_user(cli: Callable[..., Result], emulator: Any, control: Control, profile: str,
               name: str | None = None) -> Me:  # fmt: skip
    body: dict[str, Any] = {"kind": "person", "accounts": 2, "payments": 0}
    if name is not None:
        body["name"] = name
    user = control.post("/users", body)
    made = cli("setup", "api-key", "--profile", profile, "--base-url", emulator.base_url,
               "--api-key", user["api_key"])  # fmt: skip
    assert made.code == 0, made.err
    first, second = cli("accounts", "--profile", profile, "--json").json()[:2]
    topped = cli("request", "--profile", profile, "--from", str(first["id"]),
                 "--to", "sugardaddy@bunq.com", "--amount", "500", "--description", "top-up",
                 "--yes")  # fmt: skip
    assert topped.code == 0, topped.err
    return Me(profile, int(first["id"]), first["iban"], int(second["id"]), user["api_key"])


@pytest.fixture
def me(cli: Callable[..., Result], emulator: Any, control: Control) -> Me:
    return setup_user(cli, emulator, control, "me")


def posts(control: Control, what: str = "payment") -> int:
    routes = control.stats()["by_route"]
    return sum(n for k, n in routes.items() if k.startswith("POST") and k.endswith("/" + what))


def payments(cli: Callable[..., Result], me: Me) -> list[dict[str, Any]]:
    result = cli("payments", "--profile", me.profile, "--account", str(me.account),
                 "--format", "json")  # fmt: skip
    assert result.code == 0, result.err
    return result.json()


def pay(cli: Callable[..., Result], me: Me, *extra: str, amount: str = "12.50",
        to: str = OUTSIDE, name: str | None = "Albert") -> Result:  # fmt: skip
    named = ("--name", name) if name is not None else ()
    return cli("pay", "--profile", me.profile, "--from", str(me.account), "--to", to, *named,
               "--amount", amount, "--description", "rent", *extra)  # fmt: skip


def test_pay_with_yes_books_one_payment_shows_it_first_and_moves_the_balance(
    cli: Callable[..., Result], me: Me, control: Control
) -> None:
    payments(cli, me)  # the cache knows the account's payments
    httpx_reset(control)
    result = pay(cli, me, "--yes", "--json")
    assert result.code == 0, result.err
    created = result.json()
    assert created["status"] == "BOOKED" and isinstance(created["id"], int)
    assert created["amount"] == {"value": "-12.50", "currency": "EUR"}
    # shown before sent, on stderr (stdout is only the JSON)
    assert "from" in result.err and OUTSIDE in result.err and "12.50 EUR" in result.err
    stats = control.stats()
    assert posts(control) == 1
    # the plan: GET accounts and bunq's newest payments (the floor: the cache may be behind
    # another client); after it one GET payments (the cache), nothing else
    assert stats["total"] == 4, stats["by_route"]
    # the cache already shows it, with no request: the payment on top, the balance moved
    with OneShotSession.open(Workspace.load(), "me") as session:
        identity = session.identity(None)
        assert session.cached_payments(identity, me.account)[0].id == created["id"]
        cached = {a.id: a for a in session.cached_accounts(identity) or []}
        assert cached[me.account].balance == Amount(Decimal("487.50"), "EUR")
    assert control.stats()["total"] == 4
    newest = payments(cli, me)[0]
    assert newest["id"] == created["id"] and newest["description"] == "rent"
    (account,) = [a for a in cli("accounts", "--profile", "me", "--json").json()
                  if a["id"] == me.account]  # fmt: skip
    assert account["balance"]["value"] == "487.50"


def httpx_reset(control: Control) -> None:
    import httpx

    httpx.delete(control.root + "/stats", timeout=10).raise_for_status()


def test_a_refused_confirmation_sends_nothing(
    cli: Callable[..., Result], me: Me, control: Control, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", Terminal("n\n"))
    before = len(payments(cli, me))
    httpx_reset(control)
    result = pay(cli, me)
    assert result.code == 2
    assert "Send this payment? [y/N]" in result.err and "nothing was sent" in result.err
    assert posts(control) == 0
    assert len(payments(cli, me)) == before


def test_enter_alone_is_no(
    cli: Callable[..., Result], me: Me, control: Control, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", Terminal("\n"))
    httpx_reset(control)
    assert pay(cli, me).code == 2
    assert posts(control) == 0


def test_yes_on_the_terminal_sends_it(
    cli: Callable[..., Result], me: Me, control: Control, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", Terminal("y\n"))
    httpx_reset(control)
    result = pay(cli, me)
    assert result.code == 0, result.err
    assert result.out.startswith("Paid: payment ")
    assert posts(control) == 1


def test_no_terminal_and_no_yes_exits_2_and_sends_nothing(
    cli: Callable[..., Result], me: Me, control: Control
) -> None:
    httpx_reset(control)
    result = pay(cli, me)
    assert result.code == 2
    assert "no terminal to confirm on" in result.err and "--yes" in result.err
    assert posts(control) == 0


@pytest.mark.parametrize(
    ("amount", "to", "message"),
    [
        ("0", OUTSIDE, "not more than zero"),
        ("-5", OUTSIDE, "not an amount"),
        ("1.005", OUTSIDE, "more than two decimals"),
        ("12,50", OUTSIDE, "comma"),
        ("1e3", OUTSIDE, "not an amount"),
        ("NaN", OUTSIDE, "not an amount"),
        ("99999999999", OUTSIDE, "above bunq's limits"),
        ("5", "NL92ABNA0417164300", "wrong check digit"),
        ("5", "NL91ABNA041716430", "NL IBANs have 18"),
        ("5", "QQ91ABNA0417164300", "no country QQ"),
        ("5", "not-an-iban", "not an IBAN"),
        ("5", "someone@", "not an e-mail address"),
        ("5", "+3161", "not a phone number"),
    ],
)
def test_bad_amount_or_payee_exits_2_and_sends_nothing(
    cli: Callable[..., Result], me: Me, control: Control, amount: str, to: str, message: str
) -> None:
    httpx_reset(control)
    result = pay(cli, me, "--yes", amount=amount, to=to)
    assert result.code == 2, result.err
    assert message in result.err and "Traceback" not in result.err
    assert control.stats()["total"] == 0  # not even the account list was asked for


def test_an_iban_payee_needs_a_name(cli: Callable[..., Result], me: Me, control: Control) -> None:
    httpx_reset(control)
    result = pay(cli, me, "--yes", name=None)
    assert result.code == 2 and "--name" in result.err
    assert posts(control) == 0


def test_a_lost_answer_after_booking_is_looked_up_and_reported_once(
    cli: Callable[..., Result], me: Me, control: Control, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = payments(cli, me)
    monkeypatch.setattr(sys, "stdin", Terminal(""))

    def yes_then_cut(prompt: str) -> str:
        # the account list is fetched; the next answer (the payment's) is cut after booking
        control.post("/faults", {"drop": 1})
        return "y\n"

    monkeypatch.setattr(money_cmd, "ask", yes_then_cut)
    httpx_reset(control)
    result = pay(cli, me)
    assert result.code == 1, result.err
    assert "outcome was unknown" in result.err
    after = payments(cli, me)
    new = [p for p in after if p["id"] not in {b["id"] for b in before}]
    assert len(new) == 1, new  # exactly one payment, never a second
    assert f"it went through (payment id {new[0]['id']})" in result.err
    assert posts(control) == 1


def test_a_lost_answer_of_a_refused_payment_says_it_did_not_go_through(
    cli: Callable[..., Result], me: Me, control: Control, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", Terminal(""))

    def yes_then_fail(prompt: str) -> str:
        control.post("/faults", {"http_500": 1})  # answered 500 before anything was booked
        return "y\n"

    monkeypatch.setattr(money_cmd, "ask", yes_then_fail)
    httpx_reset(control)
    result = pay(cli, me, "--json")
    assert result.code == 1
    assert "it did not go through" in result.err
    assert result.json()["status"] == "NOT_BOOKED"
    assert posts(control) == 1  # a 5xx on a payment is never resent


def test_a_payee_name_is_shown_literally_in_the_confirmation(
    cli: Callable[..., Result], me: Me, control: Control
) -> None:
    result = pay(cli, me, name="[bold]FAKE[/bold]\x1b[31m\u202e")
    assert result.code == 2
    assert "[bold]FAKE[/bold]\\x1b[31m\\u202e" in result.err
    assert "\x1b" not in result.err and "\u202e" not in result.err


def test_too_little_balance_warns_and_bunq_decides(
    cli: Callable[..., Result], me: Me, control: Control
) -> None:
    httpx_reset(control)
    result = pay(cli, me, "--yes", amount="900")
    assert "warning: the balance is 500.00 EUR" in result.err
    assert result.code == 1 and "insufficient" in result.err
    assert posts(control) == 1


def test_pay_between_own_accounts_moves_both_balances(
    cli: Callable[..., Result], me: Me, control: Control
) -> None:
    accounts = {a["id"]: a for a in cli("accounts", "--profile", "me", "--json").json()}
    other_iban = accounts[me.other_account]["iban"]
    result = pay(cli, me, "--yes", "--json", to=other_iban, name=None, amount="20")
    assert result.code == 0, result.err
    after = {a["id"]: a for a in cli("accounts", "--profile", "me", "--json").json()}
    assert after[me.account]["balance"]["value"] == "480.00"
    assert after[me.other_account]["balance"]["value"] == "20.00"


def test_request_then_accept_pays_and_reject_does_not(
    cli: Callable[..., Result], emulator: Any, control: Control, me: Me
) -> None:
    them = setup_user(cli, emulator, control, "them", name="[bold]FAKE[/bold]")
    for description in ("lunch", "cinema"):
        sent = cli("request", "--profile", "them", "--from", str(them.account), "--to", me.iban,
                   "--name", "Me", "--amount", "7.25", "--description", description,
                   "--yes", "--json")  # fmt: skip
        assert sent.code == 0, sent.err
        assert sent.json()["status"] == "PENDING"
    listed = cli("requests", "--profile", "me", "--account", str(me.account), "--json").json()
    incoming = {r["description"]: r for r in listed["incoming"]}
    assert {"lunch", "cinema"} <= set(incoming)
    table = cli("requests", "--profile", "me", "--account", str(me.account))
    assert "[bold]FAKE[/bold]" in table.out and "PENDING" in table.out

    before = len(payments(cli, me))
    httpx_reset(control)
    rejected = cli("requests", "reject", str(incoming["cinema"]["id"]), "--profile", "me",
                   "--account", str(me.account), "--yes", "--json")  # fmt: skip
    assert rejected.code == 0, rejected.err
    assert rejected.json()["status"] == "REJECTED"
    assert "nothing is paid" in rejected.err and "[bold]FAKE[/bold]" in rejected.err
    assert len(payments(cli, me)) == before

    accepted = cli("requests", "accept", str(incoming["lunch"]["id"]), "--profile", "me",
                   "--account", str(me.account), "--yes", "--json")  # fmt: skip
    assert accepted.code == 0, accepted.err
    assert accepted.json()["status"] == "ACCEPTED"
    assert "this pays it" in accepted.err
    after = payments(cli, me)
    assert len(after) == before + 1 and after[0]["amount"]["value"] == "-7.25"
    theirs = cli("requests", "--profile", "them", "--account", str(them.account), "--json")
    statuses = {r["description"]: r["status"] for r in theirs.json()["sent"]}
    assert statuses["lunch"] == "ACCEPTED" and statuses["cinema"] == "REJECTED"

    again = cli("requests", "accept", str(incoming["lunch"]["id"]), "--profile", "me",
                "--account", str(me.account), "--yes")  # fmt: skip
    assert again.code == 2 and "already accepted" in again.err


def test_requests_accept_without_yes_and_no_terminal_pays_nothing(
    cli: Callable[..., Result], emulator: Any, control: Control, me: Me
) -> None:
    them = setup_user(cli, emulator, control, "them")
    cli("request", "--profile", "them", "--from", str(them.account), "--to", me.iban,
        "--name", "Me", "--amount", "3", "--description", "x", "--yes")  # fmt: skip
    (incoming,) = cli("requests", "--profile", "me", "--account", str(me.account),
                      "--json").json()["incoming"]  # fmt: skip
    httpx_reset(control)
    result = cli("requests", "accept", str(incoming["id"]), "--profile", "me",
                 "--account", str(me.account))  # fmt: skip
    assert result.code == 2
    routes = control.stats()["by_route"]
    assert not [k for k in routes if k.startswith("PUT")], routes


def test_requests_action_needs_an_id(cli: Callable[..., Result], me: Me) -> None:
    result = cli("requests", "accept", "--profile", "me", "--account", str(me.account))
    assert result.code == 2 and "needs both" in result.err


def test_json_output_is_exact(cli: Callable[..., Result], me: Me) -> None:
    result = pay(cli, me, "--yes", "--json", amount="1")
    assert json.loads(result.out)["description"] == "rent"


def test_an_identical_earlier_payment_is_not_taken_for_a_lost_one(
    cli: Callable[..., Result], me: Me, control: Control, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = pay(cli, me, "--yes", "--json")  # the cache knew nothing: one page fetched first
    assert first.code == 0, first.err
    monkeypatch.setattr(sys, "stdin", Terminal(""))

    def yes_then_fail(prompt: str) -> str:
        control.post("/faults", {"http_500": 1})
        return "y\n"

    monkeypatch.setattr(money_cmd, "ask", yes_then_fail)
    again = pay(cli, me)  # the same amount, payee and description, a moment later
    assert again.code == 1
    assert "it did not go through" in again.err, again.err
