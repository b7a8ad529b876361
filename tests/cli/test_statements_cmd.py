"""`bunqtui statement` against the emulator: the file is bunq's export (read back by an MT940
parser and a PDF parser), written 0600; progress goes to stderr; mistakes send nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mt940
import pypdf
import pytest
from cli_helpers import Control, Result

import hostile


@pytest.fixture
def me(cli: Callable[..., Result], emulator: Any) -> tuple[Callable[..., Result], str]:
    setup = cli(
        "setup", "api-key", "--profile", "me", "--base-url", emulator.base_url,
        "--api-key", emulator.demo_api_key,
    )  # fmt: skip
    assert setup.code == 0, setup.err
    account = str(cli("accounts", "--json").json()[0]["id"])
    return cli, account


@pytest.fixture(autouse=True)
def no_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    # the poll waits bunq's GET floor (1 s) between reads; the emulator needs no wait
    monkeypatch.setattr("bunqtui.core.statements.POLL_SECONDS", 0.0)


def test_mt940_statement_to_a_private_file(me, tmp_path: Path) -> None:
    cli, account = me
    payments = cli("payments", "--account", account, "--limit", "200", "--format", "json").json()
    days = sorted({p["created"][:10] for p in payments})
    start, end = days[0], days[-1]
    out = tmp_path / "main.sta"
    result = cli(
        "statement", "--account", account, "--from", start, "--to", end,
        "--format", "mt940", "-o", str(out),
    )  # fmt: skip
    assert result.code == 0, result.err
    assert result.out == ""  # the content is never printed
    assert "statement pending" in result.err and "statement done" in result.err
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    parsed = mt940.models.Transactions()
    parsed.parse(out.read_text("ascii"))
    assert sorted(t.data["bank_reference"] for t in parsed) == sorted(
        str(p["id"]) for p in payments
    )


def test_pdf_and_csv(me, tmp_path: Path) -> None:
    cli, account = me
    pdf = tmp_path / "s.pdf"
    args = ("statement", "--account", account, "--from", "2025-01-01", "--to", "2025-12-31")
    assert cli(*args, "--format", "pdf", "-o", str(pdf)).code == 0
    reader = pypdf.PdfReader(io.BytesIO(pdf.read_bytes()), strict=True)
    assert "2025-01-01 to 2025-12-31" in reader.pages[0].extract_text()
    csv_path = tmp_path / "s.csv"
    assert (
        cli(*args, "--format", "csv", "--regional-format", "european", "-o", str(csv_path)).code
        == 0
    )
    assert csv_path.read_text().startswith("Date;Interest Date;Amount")


def test_mistakes_send_nothing(me, tmp_path: Path, control: Control) -> None:
    cli, account = me
    before = control.stats()["by_route"]
    base = ("statement", "--account", account, "-o", str(tmp_path / "x"))
    for wrong in (
        ("--from", "2025-02-01", "--to", "2025-01-01"),
        ("--from", "yesterday", "--to", "2025-01-01"),
        ("--from", "2025-01-01", "--to", "2999-01-01"),
    ):
        result = cli(*base, *wrong)
        assert result.code == 2, wrong
        assert "Traceback" not in result.err
    directory = cli("statement", "--account", account, "--from", "2025-01-01", "--to",
                    "2025-01-02", "-o", str(tmp_path))  # fmt: skip
    assert directory.code == 2
    assert control.stats()["by_route"] == before
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("regional", ["uk_us", "european"])
def test_csv_statement_defuses_formulas_and_keeps_amounts(
    me, emulator: Any, tmp_path: Path, regional: str
) -> None:
    """Other people's names and descriptions starting like a formula get a ``'``; amounts
    (negative ones start with ``-``) stay numbers; ``--raw`` keeps bunq's bytes."""
    cli, account = me
    bank = next(a for a in cli("accounts", "--json").json() if str(a["id"]) == account)
    sent = hostile.send_hostile_payments(emulator.root_url, emulator.base_url, bank["iban"])
    today = dt.date.today().isoformat()
    args = ("statement", "--account", account, "--from", "2020-01-01", "--to", today,
            "--format", "csv", "--regional-format", regional)  # fmt: skip
    safe, raw = tmp_path / "safe.csv", tmp_path / "raw.csv"
    assert cli(*args, "-o", str(safe)).code == 0
    assert cli(*args, "--raw", "-o", str(raw)).code == 0
    delimiter = ";" if regional == "european" else ","

    def rows(path: Path) -> list[list[str]]:
        with path.open(newline="", encoding="utf-8") as f:
            return list(csv.reader(f, delimiter=delimiter))

    defused, bunqs = rows(safe), rows(raw)
    assert len(defused) == len(bunqs) > len(sent["descriptions"])  # no row added or lost
    risky = [cell for row in bunqs for cell in row[4:] if cell.startswith(("=", "+", "@"))]
    assert '=HYPERLINK("https://evil.example","x")' in risky  # bunq's bytes in --raw
    for mine, theirs in zip(defused, bunqs, strict=True):
        assert mine[2] == theirs[2]  # the amount column is untouched (e.g. -0.01)
        for cell, original in zip(mine[4:], theirs[4:], strict=True):
            expected = "'" + original if original.startswith(("=", "+", "-", "@")) else original
            assert cell == expected
    assert any(row[2].startswith("-") for row in defused)  # negative amounts stay numbers
    assert stat.S_IMODE(safe.stat().st_mode) == 0o600
