"""Strangers' text through every CLI output: the hostile corpus arrives as real payments (and as
account descriptions and user names) and is printed as a table, CSV and JSON.

A table shows it literally (escapes written out, columns still aligned), CSV starts no formula
and parses back, JSON round-trips it exactly, and nothing a terminal would act on is printed.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import pty
import subprocess
import sys
import termios
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import Control, Result

import hostile
from bunqtui.cli.common import fail, print_table
from bunqtui.core import Workspace
from bunqtui.plugins.exporters import CSV_COLUMNS
from bunqtui.untrusted import FORMULA_START, cell_width, csv_cell, printable

sys.path.insert(0, str(Path(__file__).parents[1] / "emulator"))
from emu_client import BunqClient

# account descriptions (bunq keeps 100 characters, without outer whitespace)
ACCOUNT_TEXTS = ["markup_close", "csi_clear", "osc_title", "bidi", "newlines_tabs", "formula",
                 "emoji", "combining", "rtl", "c1_csi"]  # fmt: skip
REFUND = "=1+1 refund"  # a payment out: a negative amount and a formula in its description
TEXT_COLUMNS = ["created", "currency", "counterparty_name", "counterparty_iban", "description",
                "type"]  # fmt: skip


@dataclass
class World:
    account_id: int
    descriptions: list[str]  # of the payments, as sent
    account_descriptions: list[str]


def no_raw_controls(text: str) -> bool:
    return not any(c in text for c in hostile.RAW_CONTROLS)


def _company(control: Control) -> dict[str, Any]:
    body = {"kind": "company", "accounts": 1, "payments": 0, "name": hostile.HOSTILE_NAME}
    return control.post("/users", body)


async def _connect(root_url: str, api_key: str, control: Control) -> None:
    """Connect a user with a hostile name to the profile over OAuth (what `connect` does)."""
    async with Workspace.load().open("me") as session:
        request = await session.begin_connect()
        redirect = await asyncio.to_thread(control.approve, request.authorize_url, api_key)
        await session.complete_connect(request, redirect)


@pytest.fixture
def world(cli: Callable[..., Result], emulator: Any, control: Control, redirect_uri: str) -> World:
    me = _company(control)
    setup = ["setup", "api-key", "--profile", "me", "--base-url", emulator.base_url]
    made = cli(*setup, "--api-key", me["api_key"], "--register-oauth", "--redirect-uri",
               redirect_uri)  # fmt: skip
    assert made.code == 0, made.err
    (account,) = cli("accounts", "--json").json()
    sent = hostile.send_hostile_payments(emulator.root_url, emulator.base_url, account["iban"])
    owner = BunqClient(emulator.base_url, key_slot=6).login(me["api_key"])
    try:
        for name in ACCOUNT_TEXTS:
            path = f"/user/{owner.user_id}/monetary-account-bank"
            body = {"currency": "EUR", "description": hostile.HOSTILE[name]}
            assert owner.post(path, body).status == 200
        listed = cli("accounts", "--json").json()
        other = next(a["iban"] for a in listed if a["id"] != account["id"])
        to = {"type": "IBAN", "value": other, "name": hostile.HOSTILE_NAME}
        reply = owner.pay(account["id"], "0.01", to, description=REFUND)
        assert reply.status == 200, reply.body
    finally:
        owner.close()
    asyncio.run(_connect(emulator.root_url, _company(control)["api_key"], control))
    return World(
        account["id"],
        [REFUND, *sent["descriptions"]],
        [hostile.HOSTILE[name].strip()[:100] for name in ACCOUNT_TEXTS],
    )


def payment_commands(world: World) -> list[list[str]]:
    account = ["payments", "--account", str(world.account_id)]
    return [account, [*account, "--search", "0.01"], [*account, "--all"]]


def test_payments_as_a_table(cli: Callable[..., Result], world: World) -> None:
    for argv in payment_commands(world):
        result = cli(*argv)
        assert result.code == 0, result.err
        assert no_raw_controls(result.out + result.err), argv
        for text in world.descriptions:
            assert printable(text[:30]) in result.out, (argv, text[:30])
        assert printable(hostile.HOSTILE_NAME) in result.out
        assert r"\x1b[2J\x1b[Hscreen cleared" in result.out  # written out, not acted on
        rows = result.out.splitlines()
        assert len(rows) == 1 + len(world.descriptions)
        # the description column starts at the same terminal column on every row
        starts = {cell_width(r[: r.index(printable(hostile.HOSTILE_NAME))]) for r in rows[1:]}
        assert starts == {cell_width(rows[0][: rows[0].index("COUNTERPARTY")])}


def test_payments_as_csv(cli: Callable[..., Result], world: World) -> None:
    for argv in payment_commands(world):
        result = cli(*argv, "--format", "csv")
        assert result.code == 0, result.err
        rows = list(csv.DictReader(io.StringIO(result.out, newline="")))
        assert all(list(r) == CSV_COLUMNS for r in rows)
        assert sorted(r["description"] for r in rows) == sorted(
            csv_cell(text) for text in world.descriptions
        )
        for row in rows:
            for column in TEXT_COLUMNS:
                cell = row[column]
                assert not cell.startswith(FORMULA_START) or cell.startswith("'"), cell
            assert row["counterparty_name"] == "'" + hostile.HOSTILE_NAME or row[
                "counterparty_name"
            ] == csv_cell(hostile.HOSTILE_NAME)
        amounts = sorted(r["amount"] for r in rows)
        assert amounts[0] == "-0.01"  # an amount is a plain number, never prefixed
        assert set(amounts[1:]) == {"0.01"}


def test_payments_as_json(cli: Callable[..., Result], world: World) -> None:
    for argv in payment_commands(world):
        result = cli(*argv, "--format", "json")
        assert result.code == 0, result.err
        assert no_raw_controls(result.out)  # escaped by JSON, C1 and bidi included
        found = result.json()
        assert sorted(p["description"] for p in found) == sorted(world.descriptions)
        assert {p["counterparty"]["name"] for p in found} == {hostile.HOSTILE_NAME}


def test_accounts_users_and_user(cli: Callable[..., Result], world: World) -> None:
    table = cli("accounts")
    assert table.code == 0, table.err
    assert no_raw_controls(table.out)
    for text in world.account_descriptions:
        assert printable(text) in table.out
    rows = table.out.splitlines()
    # wide emoji, combining marks and written-out escapes: the IBAN column still lines up
    assert {cell_width(r[: r.index("NL")]) for r in rows[1:]} == {
        cell_width(rows[0][: rows[0].index("IBAN")])
    }
    listed = {a["description"] for a in cli("accounts", "--json").json()}
    assert set(world.account_descriptions) <= listed

    for argv in (["users"], ["user"], ["user", "--user", "1"], ["accounts", "--user", "1"]):
        shown = cli(*argv)
        assert shown.code == 0, (argv, shown.err)
        assert no_raw_controls(shown.out + shown.err), argv
        if argv != ["accounts", "--user", "1"]:
            assert printable(hostile.HOSTILE_NAME) in shown.out, argv
    assert cli("users", "--json").json()[0]["display_name"] == hostile.HOSTILE_NAME
    assert cli("user", "--json").json()["display_name"] == hostile.HOSTILE_NAME


def test_error_lines_show_bunqs_text_literally(capsys: pytest.CaptureFixture[str]) -> None:
    fail("bunq: \x1b]0;pwned\x07 Payment \u202eden" + "ied\r\nsee", "try \x9b2J again")
    err = capsys.readouterr().err
    assert no_raw_controls(err)
    assert r"bunq: \x1b]0;pwned\x07 Payment \u202edenied see" in err
    assert r"try \x9b2J again" in err
    assert len(err.splitlines()) == 2


def test_table_cells_are_one_line_and_aligned(capsys: pytest.CaptureFixture[str]) -> None:
    print_table(["NAME", "N"], [["a\nb\tc", 1], ["日本", 22], ["\x1b[2J", 333]])
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["NAME       N", "a b c      1", "日本      22", r"\x1b[2J  333"]
    assert len({cell_width(line) for line in lines}) == 1


def test_json_keeps_exact_strings(capsys: pytest.CaptureFixture[str]) -> None:
    from bunqtui.cli.common import print_json

    data = {name: text for name, text in hostile.HOSTILE.items()} | {"lone": "\udc00"}
    print_json(data)
    out = capsys.readouterr().out
    assert json.loads(out) == data and no_raw_controls(out)


def test_csv_on_a_terminal_writes_escapes_out(world: World, home: Path) -> None:
    """CSV to a file or pipe is exact (above); CSV a person reads on a terminal gets control
    characters written out, as `ls` does with file names."""
    leader, follower = pty.openpty()
    attrs = termios.tcgetattr(follower)
    attrs[1] &= ~termios.OPOST  # the terminal itself would turn "\n" into "\r\n"
    termios.tcsetattr(follower, termios.TCSANOW, attrs)
    env = {**os.environ, "BUNQTUI_HOME": str(home), "BUNQTUI_RATE_LIMIT": "off"}
    argv = ["payments", "--account", str(world.account_id), "--format", "csv"]
    proc = subprocess.Popen([sys.executable, "-m", "bunqtui", *argv], stdout=follower,
                            stderr=subprocess.PIPE, env=env)  # fmt: skip
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert proc.wait(timeout=30) == 0, proc.stderr.read() if proc.stderr else ""
    text = shown.decode()
    assert no_raw_controls(text)
    assert r"\x1b[2J\x1b[Hscreen cleared" in text
    assert "'" + REFUND in text
