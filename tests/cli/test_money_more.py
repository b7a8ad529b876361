"""`bunqtui tab | drafts | scheduled`, and `pay` for a user connected by OAuth (a draft)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from cli_helpers import Control, Result, read_authorize_url, spawn
from test_money import OUTSIDE, Me, httpx_reset, posts, setup_user

from bunqtui.api.models import Pointer
from bunqtui.core import Workspace
from bunqtui.core.oneshot import OneShotSession


@pytest.fixture
def me(cli: Callable[..., Result], emulator: Any, control: Control) -> Me:
    return setup_user(cli, emulator, control, "me")


def routes(control: Control, method: str) -> dict[str, int]:
    return {k: n for k, n in control.stats()["by_route"].items() if k.startswith(method)}


def test_tab_makes_a_bunqme_link(cli: Callable[..., Result], me: Me, control: Control) -> None:
    result = cli("tab", "--profile", "me", "--account", str(me.account), "--amount", "10",
                 "--description", "pizza", "--json")  # fmt: skip
    assert result.code == 0, result.err
    tab = result.json()
    assert isinstance(tab["id"], int) and tab["status"]
    assert tab["share_url"].startswith("https://bunq.me/")
    assert tab["amount"] == {"value": "10.00", "currency": "EUR"}
    shown = cli("tab", "--profile", "me", "--account", str(me.account), "--amount", "1.5",
                "--description", "x")  # fmt: skip
    assert shown.code == 0 and "https://bunq.me/" in shown.out and "1.50 EUR" in shown.out
    httpx_reset(control)
    bad = cli("tab", "--profile", "me", "--account", str(me.account), "--amount", "0.001",
              "--description", "x")  # fmt: skip
    assert bad.code == 2 and control.stats()["total"] == 0


def _schedule(me: Me, description: str) -> int:
    with OneShotSession.open(Workspace.load(), me.profile) as session:
        client = session._client(session.identity(None))
        start = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
        return client.create_schedule_payment(
            None, me.account, Decimal("30"), Pointer("IBAN", OUTSIDE, "Gym"), description,
            start=start, unit="MONTHLY",
        )  # fmt: skip


def test_scheduled_lists_and_cancels_only_when_confirmed(
    cli: Callable[..., Result], me: Me, control: Control
) -> None:
    empty = cli("scheduled", "--profile", "me", "--account", str(me.account))
    assert empty.code == 0 and "No scheduled payments" in empty.out
    schedule_id = _schedule(me, "[bold]gym[/bold]")
    listed = cli("scheduled", "--profile", "me", "--account", str(me.account), "--json").json()
    assert [s["id"] for s in listed] == [schedule_id]
    assert listed[0]["recurrence"] == "1 MONTHLY" and listed[0]["status"]
    table = cli("scheduled", "--profile", "me", "--account", str(me.account))
    assert "[bold]gym[/bold]" in table.out and "MONTHLY" in table.out

    httpx_reset(control)
    refused = cli("scheduled", "cancel", str(schedule_id), "--profile", "me",
                  "--account", str(me.account))  # fmt: skip
    assert refused.code == 2 and "[bold]gym[/bold]" in refused.err
    assert routes(control, "DELETE") == {}

    done = cli("scheduled", "cancel", str(schedule_id), "--profile", "me",
               "--account", str(me.account), "--yes", "--json")  # fmt: skip
    assert done.code == 0, done.err
    assert done.json() | {"status": "CANCELLED"} == done.json()
    assert sum(routes(control, "DELETE").values()) == 1
    missing = cli("scheduled", "cancel", "999999", "--profile", "me",
                  "--account", str(me.account), "--yes")  # fmt: skip
    assert missing.code == 2 and "no scheduled payment 999999" in missing.err


def test_a_connected_users_pay_to_someone_else_is_a_draft_they_approve_in_the_app(
    cli: Callable[..., Result], emulator: Any, control: Control, home: Path, me: Me, tmp_path: Path
) -> None:
    assert cli("setup", "api-key", "--profile", "biz", "--base-url", emulator.base_url,
               "--api-key", emulator.demo_api_key, "--register-oauth", "--redirect-uri",
               "https://example.com/callback").code == 0  # fmt: skip
    proc = spawn(home, "connect", "--profile", "biz", "--no-browser", "--timeout", "20",
                 stdin=-1)  # fmt: skip
    try:
        url = read_authorize_url(proc, emulator.root_url)
        redirect = control.approve(url, me.api_key)
        _, err = proc.communicate(redirect + "\n", timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    as_app = ("--profile", "biz", "--user", "1")

    httpx_reset(control)
    drafted = cli("pay", *as_app, "--from", str(me.account), "--to", OUTSIDE, "--name", "Albert",
                  "--amount", "8", "--description", "via app", "--yes", "--json")  # fmt: skip
    assert drafted.code == 0, drafted.err
    draft = drafted.json()
    assert draft["type"] == "draft-payment" and draft["status"] == "PENDING"
    assert "must approve it in the bunq app" in drafted.err
    assert posts(control, "payment") == 0 and posts(control, "draft-payment") == 1

    plain = cli("pay", *as_app, "--from", str(me.account), "--to", OUTSIDE, "--name", "Albert",
                "--amount", "8", "--description", "via app", "--yes")  # fmt: skip
    assert "waits for approval" in plain.out

    listed = cli("drafts", *as_app, "--account", str(me.account), "--json").json()
    assert {d["id"]: d["status"] for d in listed}[draft["id"]] == "PENDING"
    httpx.post(f"{control.root}/draft-payment/{draft['id']}/decide", json={"accept": True},
               timeout=10).raise_for_status()  # fmt: skip
    listed = cli("drafts", *as_app, "--account", str(me.account), "--json").json()
    assert {d["id"]: d["status"] for d in listed}[draft["id"]] == "ACCEPTED"
    table = cli("drafts", *as_app, "--account", str(me.account))
    assert "ACCEPTED" in table.out and "PENDING" in table.out

    # between the user's own accounts an OAuth grant pays directly
    own = cli("accounts", "--profile", "me", "--json").json()
    other_iban = next(a["iban"] for a in own if a["id"] == me.other_account)
    direct = cli("pay", *as_app, "--from", str(me.account), "--to", other_iban, "--amount", "2",
                 "--description", "to savings", "--yes", "--json")  # fmt: skip
    assert direct.code == 0, direct.err
    assert direct.json()["type"] == "payment" and direct.json()["status"] == "BOOKED"

    # a batch: an OAuth grant pays others only by a draft, so a batch to someone else is
    # refused before anything is sent; a batch between the user's own accounts is booked
    outside = tmp_path / "outside.csv"
    outside.write_text(f"to,name,amount,description\n{OUTSIDE},Albert,3,rent\n")
    httpx_reset(control)
    refused = cli("pay-batch", *as_app, "--from", str(me.account), "--file", str(outside),
                  "--yes")  # fmt: skip
    assert refused.code == 2 and "may pay only their own accounts" in refused.err
    assert posts(control, "payment-batch") == 0 and posts(control, "draft-payment") == 0
    mine = tmp_path / "mine.csv"
    mine.write_text(f"to,name,amount,description\n{other_iban},,1.25,to savings\n")
    booked = cli("pay-batch", *as_app, "--from", str(me.account), "--file", str(mine),
                 "--yes", "--json")  # fmt: skip
    assert booked.code == 0, booked.err
    assert posts(control, "payment-batch") == 1
