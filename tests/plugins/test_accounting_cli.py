"""The accounting exporters as a user meets them: installed through the entry point, listed by
`bunqtui plugins`, chosen with `bunqtui payments --format NAME` against the emulator, and
offered by the TUI's export dialog."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from beancount.core.data import Transaction
from ofxtools.Parser import OFXTree

from bunqtui.cli.demo import free_loopback_port, prepare
from bunqtui.cli.main import main
from bunqtui.core import Workspace
from bunqtui.emulator.server import EmulatorServer

FORMATS = {"beancount", "ledger", "ofx"}
Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(
    bunqtui_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Run:
    monkeypatch.setenv("BUNQTUI_RATE_LIMIT", "off")
    monkeypatch.delenv("BUNQTUI_DISABLE_PLUGINS", raising=False)

    def run(*argv: str) -> tuple[int, str, str]:
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_plugins_lists_the_accounting_exporters(cli: Run) -> None:
    code, out, _ = cli("plugins", "--json")
    assert code == 0
    listed = json.loads(out)
    assert set(listed["exporters"]) >= FORMATS
    plugin = next(p for p in listed["plugins"] if p["name"] == "accounting")
    assert plugin["status"] == "loaded"
    assert set(Workspace.load().exporters()) >= FORMATS  # what the TUI's dialog lists


def test_payments_format_writes_each_journal(
    cli: Run, emulator: EmulatorServer, bunqtui_home: Path
) -> None:
    redirect = f"http://127.0.0.1:{free_loopback_port()}/callback"
    asyncio.run(prepare(Workspace.load(bunqtui_home), emulator, redirect))
    world = emulator.world
    account = next(
        a for a in world.accounts.values() if a.owner_id == world.demo_user_id and a.payments
    )
    sent = {p.id: p for p in account.payments}
    base = ["payments", "--profile", "demo", "--account", str(account.id), "--all"]

    code, out, err = cli(*base, "--format", "beancount")
    assert code == 0, err
    entries, errors, _ = loader.load_string(out)
    assert errors == []
    loaded = {int(t.meta["bunq_id"]): t for t in entries if isinstance(t, Transaction)}
    assert set(loaded) == set(sent)
    for pid, t in loaded.items():
        assert t.postings[0].account == f"Assets:Bunq:{account.id}"
        assert t.postings[0].units.number == Decimal(str(sent[pid].amount))
        assert t.narration == sent[pid].description

    code, out, err = cli(*base, "--format", "ledger")
    assert code == 0, err
    assert {int(line.split()[-1]) for line in out.splitlines() if "; bunq_id:" in line} == set(sent)

    code, out, err = cli(*base, "--format", "ofx")
    assert code == 0, err
    tree = OFXTree()
    tree.parse(io.BytesIO(out.encode()))
    (statement,) = tree.convert().statements
    assert {int(t.fitid) for t in statement.transactions} == set(sent)

    code, _, err = cli(*base, "--format", "qif")  # not installed: a usage error, no traceback
    assert code == 2 and "beancount" in err and "Traceback" not in err


async def test_tui_export_dialog_offers_and_returns_them(bunqtui_home: Path) -> None:
    from textual.app import App
    from textual.widgets import Input, Select

    from bunqtui.tui.screens.dialogs import ExportModal

    formats = Workspace.load().exporters()
    chosen: list[object] = []

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(ExportModal(formats, bunqtui_home, 3, True), chosen.append)

    async with Host().run_test() as pilot:
        select = pilot.app.screen.query_one("#export-format", Select)
        offered = {value for _, value in select._options}
        assert offered >= FORMATS
        select.value = "ledger"
        pilot.app.screen.query_one("#export-path", Input).value = str(bunqtui_home / "x.ledger")
        await pilot.click("#ok")
        await pilot.pause()
    assert chosen and chosen[0][0] == "ledger"  # type: ignore[index]
