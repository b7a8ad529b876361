"""`bunqtui payments --all` (full sync into the cache, progress on stderr) and `--search`."""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from bunqtui.cli.data_cmd import SyncProgress
from bunqtui.core import SyncStatus

PAYMENTS = "GET /v1/user/{id}/monetary-account/{id}/payment"


def setup(cli: Callable[..., Any], control: Any, emulator: Any, payments: int) -> int:
    user = control.new_user(accounts=1, payments=payments)
    made = cli(
        "setup",
        "api-key",
        "--profile",
        "me",
        "--base-url",
        emulator.base_url,
        "--api-key",
        user["api_key"],
    )
    assert made.code == 0, made.err
    (account,) = cli("accounts", "--json").json()
    return account["id"]


def page_requests(control: Any) -> int:
    return control.stats()["by_route"].get(PAYMENTS, 0)


def test_all_syncs_with_progress_then_prints_from_the_cache(
    cli: Callable[..., Any], control: Any, emulator: Any
) -> None:
    account = setup(cli, control, emulator, payments=650)
    start = page_requests(control)
    every = cli("payments", "--account", str(account), "--all", "--format", "json")
    assert every.code == 0, every.err
    ids = [p["id"] for p in every.json()]
    assert len(ids) == 650 == len(set(ids)) and ids == sorted(ids, reverse=True)
    assert page_requests(control) - start == math.ceil(650 / 200)
    assert f"synced account {account}: 650 payments (complete), 4 requests" in every.err
    # the second run costs one request and prints the same
    again = cli("payments", "--account", str(account), "--all", "--format", "json")
    assert again.json() == every.json()
    assert page_requests(control) - start == 5
    # --since cuts the cached history
    cut = every.json()[100]["created"]
    since = cli("payments", "--account", str(account), "--all", "--since", cut, "--format", "json")
    assert [p["id"] for p in since.json()] == ids[: ids.index(every.json()[100]["id"]) + 1]


def test_search(cli: Callable[..., Any], control: Any, emulator: Any) -> None:
    account = setup(cli, control, emulator, payments=450)
    partial = cli("payments", "--account", str(account), "--search", "<0", "--format", "json")
    assert partial.code == 0, partial.err
    assert "searched the 200 cached payments" in partial.err and "--all" in partial.err
    assert partial.json() and all(p["amount"]["value"].startswith("-") for p in partial.json())
    full = cli("payments", "--account", str(account), "--all", "--search", "<0", "--format", "json")
    everything = cli("payments", "--account", str(account), "--all", "--format", "json").json()
    outgoing = [p for p in everything if p["amount"]["value"].startswith("-")]
    assert {p["id"] for p in full.json()} == {p["id"] for p in outgoing}
    name = everything[3]["counterparty"]["name"]
    table = cli("payments", "--account", str(account), "--search", f'"{name}"', "--limit", "3")
    assert table.code == 0 and name in table.out and "searched" not in table.err
    assert len(table.out.strip().splitlines()) <= 4  # header + at most 3
    bad = cli("payments", "--account", str(account), "--search", ">abc")
    assert bad.code == 2 and "--search" in bad.err and "comparison" in bad.err
    assert "Traceback" not in bad.err


def test_progress_bar_on_a_terminal() -> None:
    import datetime as dt

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Tty()
    opened = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    newest = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    bar = SyncProgress(out, 7, opened, width=10)
    half = SyncStatus(200, False, 9, 1, newest, newest, dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    bar(200, half)
    assert "\r" in out.getvalue() and "[#####.....]" in out.getvalue()
    assert "200 payments cached" in out.getvalue()
    done = SyncStatus(400, True, 9, 1, newest, newest, opened)
    bar(400, done)
    bar.finish(done)
    assert "[##########] 100%" in out.getvalue()
    assert out.getvalue().endswith("400 payments (complete), 2 requests in 0.0 s\n")


@pytest.fixture
def limited(bunqtui_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("BUNQTUI_RATE_LIMIT", raising=False)  # the client paces itself
    monkeypatch.delenv("BUNQTUI_API_KEY", raising=False)
    return bunqtui_home


def test_full_sync_against_bunqs_rate_limits_meets_no_429(
    limited: Path, emulator_rate_limited: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from bunqtui.cli.main import main

    root = emulator_rate_limited.root_url + "/_emulator"
    body = {"kind": "person", "accounts": 1, "payments": 1001}
    user = httpx.post(root + "/users", json=body, timeout=10).json()
    assert (
        main(
            [
                "setup",
                "api-key",
                "--profile",
                "me",
                "--base-url",
                emulator_rate_limited.base_url,
                "--api-key",
                user["api_key"],
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["accounts", "--json"]) == 0
    account = json.loads(capsys.readouterr().out)[0]["id"]
    assert main(["payments", "--account", str(account), "--all", "--format", "csv"]) == 0
    out = capsys.readouterr()
    assert len(out.out.strip().splitlines()) == 1 + 1001
    stats = httpx.get(root + "/stats", timeout=10).json()
    assert stats["rate_limited"] == 0
    assert stats["by_route"][PAYMENTS] == math.ceil(1001 / 200)
