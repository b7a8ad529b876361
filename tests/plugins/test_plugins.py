"""Plugins found through the `bunqtui` entry-point group: built-ins, a throw-away third-party
connector installed as a real distribution (a dist-info directory on sys.path), a plugin that
raises on import, a duplicate name, a disabled plugin, and the built-in exporters."""

from __future__ import annotations

import csv
import io
import json
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bunqtui.api.models import Payment
from bunqtui.cli.main import main
from bunqtui.core import Workspace
from bunqtui.plugins.exporters import CsvExporter, JsonExporter
from bunqtui.plugins.manager import load_plugins

THROWAWAY = """
from bunqtui.plugins import Connector, SetupField, SetupStep, hookimpl

class ThrowawayConnector(Connector):
    name = "throwaway"
    title = "Throw-away"
    description = "A third-party connector used by the tests."
    fields = (SetupField("greeting", "Greeting", "text", required=True),)
    has_own_identity = False

    def plan(self, options):
        return [SetupStep("greet", "Say hello")]

    async def setup(self, options, steps):
        async with steps.run("greet") as step:
            self.env.vault.set("greeting", options["greeting"])
            step.detail = "stored"

@hookimpl
def bunqtui_register_connectors():
    return [ThrowawayConnector]
"""

DUPLICATE = """
from bunqtui_psd2 import Psd2Connector
from bunqtui.plugins import hookimpl

class Impostor(Psd2Connector):
    name = "psd2"

@hookimpl
def bunqtui_register_connectors():
    return [Impostor]
"""

MODULES = {
    "throwaway_connector": THROWAWAY,
    "broken_plugin": "raise RuntimeError('boom at import')\n",
    "duplicate_plugin": DUPLICATE,
    "raising_hook": (
        "from bunqtui.plugins import hookimpl\n"
        "@hookimpl\ndef bunqtui_register_exporters():\n    raise ValueError('hook broke')\n"
    ),
}


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Install throw-away distributions whose entry points name the given modules."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    installed: list[str] = []

    def install_(**entry_points: str) -> None:
        for ep_name, module in entry_points.items():
            (site / f"{module}.py").write_text(MODULES[module])
            dist = site / f"{module}-1.0.dist-info"
            dist.mkdir()
            (dist / "METADATA").write_text(
                f"Metadata-Version: 2.1\nName: {module.replace('_', '-')}\nVersion: 1.0\n"
            )
            (dist / "entry_points.txt").write_text(f"[bunqtui]\n{ep_name} = {module}\n")
            installed.append(module)

    yield install_
    for module in installed:
        sys.modules.pop(module, None)


def run(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_builtin_connectors_come_through_entry_points() -> None:
    found = load_plugins(disabled=set())
    assert {"api-key", "psd2"} <= set(found.connectors)
    sources = {p.name: p for p in found.plugins}
    assert sources["api-key"].value == "bunqtui_apikey" and sources["api-key"].source == "bunqtui"
    assert sources["psd2"].status == "loaded"
    assert found.problems == []
    assert {"csv", "json"} <= set(found.exporters)


def test_third_party_connector_appears_as_a_mode(
    install: Callable[..., None],
    bunqtui_home: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    install(throwaway="throwaway_connector")
    ws = Workspace.load()
    assert "throwaway" in [c.name for c in ws.connectors()]
    info = next(c for c in ws.connectors() if c.name == "throwaway")
    assert info.fields[0].name == "greeting" and info.fields[0].required
    assert [s.key for s in ws.setup_steps("throwaway", {"greeting": "hi"})] == ["greet"]

    code, out, _ = run("plugins", "--json", capsys=capsys)
    listed = json.loads(out)
    assert code == 0
    assert {"name": "throwaway", "title": "Throw-away", "plugin": "throwaway"} in listed[
        "connectors"
    ]

    code, out, err = run(
        "setup", "throwaway", "--profile", "t", "--set", "greeting=hello", capsys=capsys
    )
    assert code == 0, err
    assert "Say hello — stored" in err
    code, out, _ = run("profiles", "--json", capsys=capsys)
    assert json.loads(out)[0]["connector"] == "throwaway"
    assert (bunqtui_home / "secrets" / "t.json").exists()
    # a missing required field is a usage error
    code, _, err = run("setup", "throwaway", "--profile", "u", capsys=capsys)
    assert code == 2 and "Greeting" in err


def test_plugin_raising_on_import_is_reported_and_bunqtui_still_works(
    install: Callable[..., None],
    bunqtui_home: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    install(broken="broken_plugin", throwaway="throwaway_connector")
    found = load_plugins(disabled=set())
    assert ("broken", "RuntimeError: boom at import") in found.problems
    assert {"api-key", "psd2", "throwaway"} <= set(found.connectors)

    code, out, _ = run("plugins", capsys=capsys)
    assert code == 0
    assert "broken" in out and "failed" in out and "boom at import" in out
    code, out, err = run("profiles", capsys=capsys)
    assert code == 0, err
    assert Workspace.load().plugin_problems() == [("broken", "RuntimeError: boom at import")]


def test_duplicate_names_and_raising_hooks_are_refused_clearly(
    install: Callable[..., None],
) -> None:
    install(impostor="duplicate_plugin", raising="raising_hook")
    found = load_plugins(disabled=set())
    problems = dict(found.problems)
    assert "'psd2' is already taken" in problems["impostor"]
    assert "hook broke" in problems["raising"]
    assert found.connectors["psd2"].__module__ == "bunqtui_psd2"  # the original kept
    assert {"csv", "json"} <= set(found.exporters)


def test_disable_plugins_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUNQTUI_DISABLE_PLUGINS", "psd2, csv")
    found = load_plugins()
    assert "psd2" not in found.connectors and "api-key" in found.connectors
    assert "csv" not in found.exporters and "json" in found.exporters
    assert {p.name: p.status for p in found.plugins}["psd2"] == "disabled"


# --- the plugin index: a known connector without scanning every entry point -------------------


def _no_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.metadata

    def refuse(**_: object) -> None:
        raise AssertionError("scanned the entry points")

    monkeypatch.setattr(importlib.metadata, "entry_points", refuse)


def _index(home: Path) -> Path:
    return home / "cache" / "plugins.json"


def test_a_known_connector_comes_from_the_index_without_a_scan(
    bunqtui_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bunqtui_apikey import ApiKeyConnector

    monkeypatch.delenv("BUNQTUI_DISABLE_PLUGINS", raising=False)
    assert "api-key" in [c.name for c in Workspace.load().connectors()]  # a full scan
    index = _index(bunqtui_home)
    assert index.stat().st_mode & 0o777 == 0o600
    listed = json.loads(index.read_text())["connectors"]
    expected = {"plugin": "api-key", "value": "bunqtui_apikey", "source": "bunqtui"}
    assert listed["api-key"] == expected
    (bunqtui_home / "config.toml").write_text('[profiles.p]\nconnector = "api-key"\n')

    _no_scan(monkeypatch)
    ws = Workspace.load()  # validates the profile's connector through the index
    assert ws.connector_class("api-key") is ApiKeyConnector
    assert ws.open("p").connector.name == "api-key"


def test_the_index_is_not_trusted_once_something_is_installed(
    install: Callable[..., None], bunqtui_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.metadata

    monkeypatch.delenv("BUNQTUI_DISABLE_PLUGINS", raising=False)
    Workspace.load().connectors()
    before = json.loads(_index(bunqtui_home).read_text())
    install(throwaway="throwaway_connector")  # a new directory on sys.path
    scans: list[dict[str, object]] = []
    scan = importlib.metadata.entry_points

    def counted(**kw: object) -> object:
        scans.append(kw)
        return scan(**kw)

    monkeypatch.setattr(importlib.metadata, "entry_points", counted)
    # even a connector the index names is looked up afresh: the install may have changed it
    assert Workspace.load().connector_class("api-key").name == "api-key"
    assert scans
    after = json.loads(_index(bunqtui_home).read_text())
    assert after["environment"] != before["environment"] and "throwaway" in after["connectors"]


@pytest.mark.parametrize(
    "entry",
    [
        {"plugin": "api-key", "value": "bunqtui_psd2", "source": "x"},  # provides another one
        {"plugin": "api-key", "value": "no_such_module_here", "source": "x"},
        {"plugin": "api-key", "value": "os; rm -rf /", "source": "x"},  # not a reference
        {"plugin": "api-key", "value": 7, "source": "x"},
        "junk",
    ],
)
def test_a_stale_or_tampered_index_entry_falls_back_to_the_scan(
    bunqtui_home: Path, monkeypatch: pytest.MonkeyPatch, entry: object
) -> None:
    from bunqtui.plugins.manager import INDEX_VERSION, environment_fingerprint
    from bunqtui_apikey import ApiKeyConnector

    monkeypatch.delenv("BUNQTUI_DISABLE_PLUGINS", raising=False)
    index = _index(bunqtui_home)
    index.parent.mkdir(parents=True)
    index.write_text(
        json.dumps(
            {
                "version": INDEX_VERSION,
                "environment": environment_fingerprint(),
                "connectors": {"api-key": entry},
            }
        )
    )
    assert Workspace.load().connector_class("api-key") is ApiKeyConnector
    assert json.loads(index.read_text())["connectors"]["api-key"]["value"] == "bunqtui_apikey"


def test_a_disabled_connector_stays_off_with_an_index(
    bunqtui_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bunqtui.core import ConfigError

    monkeypatch.delenv("BUNQTUI_DISABLE_PLUGINS", raising=False)
    Workspace.load().connectors()
    monkeypatch.setenv("BUNQTUI_DISABLE_PLUGINS", "api-key")
    with pytest.raises(ConfigError, match="no connector 'api-key'"):
        Workspace.load().connector_class("api-key")


def _payment(pid: int, value: str, name: str) -> Payment:
    return Payment.from_json(
        {
            "id": pid,
            "created": "2026-01-02 03:04:05.000006",
            "amount": {"value": value, "currency": "EUR"},
            "description": 'Lunch, "with" quotes',
            "type": "BUNQ",
            "counterparty_alias": {"iban": "NL00BUNQ0123456789", "display_name": name},
            "balance_after_mutation": {"value": "10.00", "currency": "EUR"},
            "monetary_account_id": 7,
        }
    )


def test_builtin_exporters_keep_bunq_ids_and_exact_amounts() -> None:
    payments = [_payment(901, "-12.50", "Café Ünïcode"), _payment(900, "0.10", "Bob")]
    out = io.StringIO()
    JsonExporter().write(payments, out)
    data = json.loads(out.getvalue())
    assert [p["id"] for p in data] == [901, 900]
    assert data[0]["amount"] == {"value": "-12.50", "currency": "EUR"}
    assert data[0]["counterparty"] == {"name": "Café Ünïcode", "iban": "NL00BUNQ0123456789"}
    assert data[0]["created"].startswith("2026-01-02T03:04:05")
    out = io.StringIO()
    CsvExporter().write(payments, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["id"] for r in rows] == ["901", "900"]
    assert rows[0]["amount"] == "-12.50" and rows[0]["description"] == 'Lunch, "with" quotes'
    assert textwrap.dedent(out.getvalue()).splitlines()[0].startswith("id,created,amount")


def test_every_hookspec_is_documented() -> None:
    from bunqtui.plugins import hookspecs

    docs = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text()
    hooks = [name for name in dir(hookspecs) if name.startswith("bunqtui_")]
    assert hooks and all(f"{name}()" in docs for name in hooks)
