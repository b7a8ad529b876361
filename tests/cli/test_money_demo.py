"""The demo can do all of it: the seeded demo user (Anna Visser) has requests from Bravo waiting
for an answer and a scheduled payment, so `requests accept|reject` and `scheduled cancel` work
on a fresh demo world through the CLI, without making anything first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from cli_helpers import Control, Result


@pytest.fixture
def main_account(cli: Callable[..., Result], emulator: Any) -> int:
    made = cli("setup", "api-key", "--profile", "demo", "--base-url", emulator.base_url,
               "--api-key", emulator.demo_api_key)  # fmt: skip
    assert made.code == 0, made.err
    accounts = cli("accounts", "--profile", "demo", "--json").json()
    return int(next(a["id"] for a in accounts if a["description"] == "Main account"))


def _demo(cli: Callable[..., Result], *args: str) -> Result:
    return cli(*args, "--profile", "demo")


def test_the_demo_has_incoming_requests_to_accept_and_reject(
    cli: Callable[..., Result], emulator: Any, main_account: int
) -> None:
    account = str(main_account)
    listed = _demo(cli, "requests", "--account", account, "--json").json()
    incoming = {r["description"]: r for r in listed["incoming"]}
    assert set(incoming) == {"Concert tickets", "Pizza night"}
    assert {r["status"] for r in incoming.values()} == {"PENDING"}
    assert {r["counterparty"]["name"] for r in incoming.values()} == {
        "B. Tester"
    }  # bunq shows a short name
    assert incoming["Concert tickets"]["amount"] == {"value": "37.50", "currency": "EUR"}
    table = _demo(cli, "requests", "--account", account)
    assert "Concert tickets" in table.out and "PENDING" in table.out

    def payments() -> list[dict[str, Any]]:
        result = _demo(cli, "payments", "--account", account, "--format", "json")
        assert result.code == 0, result.err
        return result.json()

    before = payments()
    accepted = _demo(cli, "requests", "accept", str(incoming["Concert tickets"]["id"]),
                     "--account", account, "--yes", "--json")  # fmt: skip
    assert accepted.code == 0, accepted.err
    assert accepted.json()["status"] == "ACCEPTED" and "this pays it" in accepted.err
    after = payments()
    paid = after[0]
    assert paid["id"] not in {p["id"] for p in before}
    assert after[1]["id"] == before[0]["id"]  # exactly one new payment
    assert paid["amount"]["value"] == "-37.50" and paid["description"] == "Concert tickets"
    assert paid["counterparty"]["name"] == "B. Tester"
    # Bravo's side: the request they sent is accepted, and the money arrived
    world = emulator.world
    bravo = next(u for u in world.users.values() if u.email == "bravo@bunq.com")
    bravo_account = world.primary_account(bravo.id)
    sent = {r.description: r.status for r in bravo_account.requests}
    assert sent["Concert tickets"] == "ACCEPTED"
    assert str(bravo_account.payments[-1].amount) == "37.50"

    rejected = _demo(cli, "requests", "reject", str(incoming["Pizza night"]["id"]),
                     "--account", account, "--yes", "--json")  # fmt: skip
    assert rejected.code == 0 and rejected.json()["status"] == "REJECTED"
    assert payments()[0]["id"] == paid["id"]  # rejecting pays nothing


def test_the_demo_has_a_scheduled_payment_to_cancel(
    cli: Callable[..., Result], control: Control, main_account: int
) -> None:
    account = str(main_account)
    (gym,) = _demo(cli, "scheduled", "--account", account, "--json").json()
    assert gym["status"] == "ACTIVE" and gym["recurrence"] == "1 MONTHLY"
    assert gym["description"] == "Gym membership"
    assert gym["amount"] == {"value": "-29.95", "currency": "EUR"}  # outgoing
    cancelled = _demo(cli, "scheduled", "cancel", str(gym["id"]), "--account", account,
                      "--yes", "--json")  # fmt: skip
    assert cancelled.code == 0, cancelled.err
    (after,) = _demo(cli, "scheduled", "--account", account, "--json").json()
    assert after["id"] == gym["id"] and after["status"] == "CANCELLED"
