"""`bunqtui setup CONNECTOR`'s flags are made from the connector's declared SetupFields: each
kind becomes the flag it should, odd declarations cannot break the command, the built-in
connectors keep every flag and source of a value they had, and nothing is scanned for it
unless `setup` itself is parsed (the end-to-end runs are in tests/cli/test_e2e.py and
tests/plugins/test_example_plugin.py)."""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bunqtui.cli.completion import generate
from bunqtui.cli.main import build_parser, main
from bunqtui.cli.setup_cmd import options_from
from bunqtui.core import ConfigError

ODD = """
from bunqtui.plugins import Connector, SetupField, SetupStep, hookimpl

class OddConnector(Connector):
    name = "odd"
    description = "100% odd \\x1b[31mred\\x1b[0m"
    fields = (
        SetupField("profile", "Clashes with --profile", "text"),
        SetupField("colour", "Colour at 100%", "choice", choices=("red", "green"), default="red"),
        SetupField("verify", "Verify", "bool", default=True),
        SetupField("secret_word", "Secret word", "secret", env="ODD_SECRET"),
        SetupField("where", "Where", "path", flag="--at"),
        SetupField("bad name", "Not a flag", "text"),
    )
    has_own_identity = False

    def plan(self, options):
        return [SetupStep("noop", "Nothing")]

    async def setup(self, options, steps):
        pass

@hookimpl
def bunqtui_register_connectors():
    return [OddConnector]
"""


@pytest.fixture
def odd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, home: Path) -> Iterator[None]:
    """The `odd` connector installed as a distribution (a dist-info directory on sys.path)."""
    site = tmp_path / "site"
    (site / "odd_plugin-1.0.dist-info").mkdir(parents=True)
    (site / "odd_plugin.py").write_text(ODD)
    (site / "odd_plugin-1.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: odd-plugin\nVersion: 1.0\n"
    )
    (site / "odd_plugin-1.0.dist-info" / "entry_points.txt").write_text(
        "[bunqtui]\nodd = odd_plugin\n"
    )
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delenv("ODD_SECRET", raising=False)
    yield
    sys.modules.pop("odd_plugin", None)


def parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["setup", *argv])


def test_each_kind_becomes_its_flag(odd: None, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["setup", "odd", "--help"])
    assert done.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--colour {red,green}" in text and "Colour at 100% (default: red)" in text
    assert "--verify, --no-verify" in text  # a bool that defaults to on can be turned off
    assert "--secret-word WORD" in text and "else $ODD_SECRET" in text
    assert "--at FILE" in text and "--where" not in text  # the flag the field names
    assert "100% odd \\x1b[31mred" in text and "\x1b" not in text  # shown, never acted on
    assert "--api-key" not in text  # only this connector's own
    # a field whose flag would clash (--profile) or cannot be one still takes --set
    args = parse("odd", "--profile", "p", "--set", "profile=mine", "--set", "bad name=x")
    assert args.profile == "p"
    assert options_from(args) == {
        "profile": "mine",
        "bad name": "x",
        "colour": "red",  # defaults as the TUI's form has them
        "verify": True,
    }


def test_values_come_from_flags_set_env_and_stdin(
    odd: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = parse("odd", "-p", "p", "--colour", "green", "--no-verify", "--at", "/x.pem",
                 "--secret-word", "-")  # fmt: skip
    monkeypatch.setattr("sys.stdin", io.StringIO("sesame\n"))
    assert options_from(args) == {
        "colour": "green",
        "verify": False,
        "secret_word": "sesame",
        "where": "/x.pem",
    }
    monkeypatch.setenv("ODD_SECRET", "from-env")
    assert options_from(parse("odd", "-p", "p", "--set", "verify=no"))["secret_word"] == "from-env"
    assert options_from(parse("odd", "-p", "p", "--set", "verify=no"))["verify"] is False
    with pytest.raises(ConfigError, match="takes true or false"):
        options_from(parse("odd", "-p", "p", "--set", "verify=maybe"))
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(ConfigError, match="--secret-word - was given but stdin had no Secret"):
        options_from(parse("odd", "-p", "p", "--secret-word", "-"))


def test_api_key_flags_keep_their_meaning(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # anywhere on the line, as before: options before the connector's name too
    args = parse("--api-key", "k1", "api-key", "--profile", "me", "--register-oauth")
    assert (args.connector, args.profile) == ("api-key", "me")
    assert options_from(args) == {"api_key": "k1", "register_oauth": True}
    monkeypatch.setattr("sys.stdin", io.StringIO("k2\n"))
    assert options_from(parse("api-key", "-p", "me", "--api-key", "-")) == {"api_key": "k2"}
    monkeypatch.setattr("sys.stdin", io.StringIO("k3\n"))  # a pipe, no flag
    assert options_from(parse("api-key", "-p", "me")) == {"api_key": "k3"}
    monkeypatch.setattr("sys.stdin", io.StringIO("not read\n"))
    created = options_from(parse("api-key", "-p", "me", "--create-sandbox-user"))
    assert created == {"create_sandbox_user": True} and sys.stdin.read() == "not read\n"
    monkeypatch.setenv("BUNQTUI_API_KEY", "k4")
    assert options_from(parse("api-key", "-p", "me")) == {"api_key": "k4"}
    assert options_from(parse("api-key", "-p", "me", "--api-key", "k5")) == {"api_key": "k5"}
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(ConfigError, match="--api-key - was given but stdin had no API key"):
        options_from(parse("api-key", "-p", "me", "--api-key", "-"))
    cert = parse("psd2", "-p", "t", "--certificate", "c", "--private-key", "k", "--chain", "c")
    assert options_from(cert) == {"certificate": "c", "private_key": "k", "chain": "c"}
    with pytest.raises(ConfigError, match="--api-key is not an option of psd2"):
        options_from(parse("psd2", "-p", "t", "--api-key", "k"))
    with pytest.raises(ConfigError, match="--chain is not an option of api-key"):
        options_from(parse("api-key", "-p", "t", "--chain", "c"))


def test_only_setup_scans_the_plugins(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.metadata

    scans: list[object] = []
    scan = importlib.metadata.entry_points

    def counted(**kw: object) -> object:
        scans.append(kw)
        return scan(**kw)

    monkeypatch.setattr(importlib.metadata, "entry_points", counted)
    parser = build_parser()
    parser.parse_args(["profiles"])
    parser.format_help()
    assert scans == []
    assert parser.parse_args(["setup", "psd2", "-p", "t"]).connector == "psd2"
    assert scans


def test_the_completion_script_has_every_connectors_flags(odd: None) -> None:
    script = generate(build_parser(), "bash")
    assert "'setup --at') kind=file" in script
    assert "'setup --colour') kind=words words=$'red\ngreen'" in script
    for flag in ("--api-key", "--create-sandbox-user", "--certificate", "--no-verify"):
        assert f" {flag} " in script
    with pytest.raises(SystemExit) as done:
        main(["setup", "nope", "--profile", "x"])
    assert done.value.code == 2
