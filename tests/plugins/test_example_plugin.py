"""The example connector plugin of docs/plugins.md (tests/plugins/example_plugin), installed with
pip as a user would (into a directory of its own, so the project's venv stays untouched) and
run by the `bunqtui` command in fresh interpreters against the emulator: it is listed, its
declared fields are its `setup` flags (in --help and in the completion script), and its setup
logs in, stores the login and lets `accounts` list the key's accounts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

EXAMPLE = Path(__file__).parent / "example_plugin"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pip install` the example into its own directory (put on PYTHONPATH to use it)."""
    source = tmp_path_factory.mktemp("example-src") / "example_plugin"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path_factory.mktemp("example-site")
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
         "--no-build-isolation", "--no-index", "--target", str(target), str(source)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (target / "bunqtui_example-0.1.0.dist-info" / "entry_points.txt").exists()
    return target


class Bunqtui:
    def __init__(self, home: Path, site: Path | None) -> None:
        self.env = {**os.environ, "BUNQTUI_HOME": str(home), "BUNQTUI_RATE_LIMIT": "off"}
        for name in ("BUNQTUI_API_KEY", "BUNQTUI_EXAMPLE_TOKEN", "BUNQTUI_DISABLE_PLUGINS"):
            self.env.pop(name, None)
        if site is not None:
            self.env["PYTHONPATH"] = os.pathsep.join(
                filter(None, [str(site), os.environ.get("PYTHONPATH")])
            )

    def __call__(self, *argv: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "bunqtui", *argv],
            input=stdin,
            capture_output=True,
            text=True,
            env={**self.env, **env},
            timeout=60,
        )


@pytest.fixture
def bunqtui(bunqtui_home: Path, site: Path) -> Bunqtui:
    return Bunqtui(bunqtui_home, site)


def test_it_is_listed_once_installed_and_only_then(bunqtui: Bunqtui, bunqtui_home: Path) -> None:
    listed = bunqtui("plugins", "--json")
    assert listed.returncode == 0, listed.stderr
    data = json.loads(listed.stdout)
    assert {"name": "example", "title": "Example (read-only)", "plugin": "example"} in data[
        "connectors"
    ]
    plugin = next(p for p in data["plugins"] if p["name"] == "example")
    assert plugin["status"] == "loaded" and plugin["source"] == "bunqtui-example"
    without = Bunqtui(bunqtui_home, None)("plugins", "--json")  # the project venv: no example
    assert "example" not in [c["name"] for c in json.loads(without.stdout)["connectors"]]


def test_its_fields_are_the_setup_flags(bunqtui: Bunqtui) -> None:
    shown = bunqtui("setup", "example", "--help")
    assert shown.returncode == 0, shown.stderr
    text = " ".join(shown.stdout.split())
    assert "usage: bunqtui setup example" in text
    for flag in ("--token TOKEN", "--token-file FILE", "--device DEVICE",
                 "--check {user,accounts,none}", "--fresh", "--profile PROFILE"):  # fmt: skip
        assert flag in text, flag
    assert "API key — a bunq API key (- reads it from stdin; else $BUNQTUI_EXAMPLE_TOKEN" in text
    assert "(default: bunqtui example)" in text
    assert "--api-key" not in text and "--certificate" not in text  # other connectors' own
    script = bunqtui("completion", "bash")
    assert script.returncode == 0, script.stderr
    assert "'setup --token-file') kind=file" in script.stdout
    assert "'setup --check') kind=words words=$'user\naccounts\nnone'" in script.stdout
    assert "--token --token-file --device --check --fresh" in script.stdout  # after `setup`
    bad = bunqtui("setup", "example", "--profile", "x", "--check", "everything")
    assert bad.returncode == 2 and "invalid choice: 'everything'" in bad.stderr


def test_its_setup_runs_from_the_flags(bunqtui: Bunqtui, emulator: Any, tmp_path: Path) -> None:
    key = emulator.demo_api_key
    first = bunqtui("setup", "example", "--profile", "x", "--base-url", emulator.base_url,
                    "--token", "-", "--device", "laptop of x", "--check", "accounts",
                    stdin=key + "\n")  # fmt: skip
    assert first.returncode == 0, first.stderr
    assert key not in first.stdout + first.stderr
    assert "✓ Installation, device and session — user" in first.stderr
    assert "✓ Fetch the accounts — " in first.stderr
    assert f"ready: example on {emulator.base_url}, API key " in first.stdout
    devices = [d.description for d in emulator.world.devices.values()]
    assert devices.count("laptop of x") == 1
    accounts = bunqtui("accounts", "--profile", "x", "--json")
    assert accounts.returncode == 0, accounts.stderr
    count = len(json.loads(accounts.stdout))
    assert count and f"Fetch the accounts — {count} accounts" in first.stderr

    # a rerun: the key from the environment, the stored installation reused
    again = bunqtui("setup", "example", "--profile", "x", BUNQTUI_EXAMPLE_TOKEN=key)
    assert again.returncode == 0, again.stderr
    assert "reusing the saved installation" in again.stderr and "Fetch the user —" in again.stderr
    assert [d.description for d in emulator.world.devices.values()].count("laptop of x") == 1

    # the key from a file, into a second profile; --fresh is a flag without a value
    (tmp_path / "key").write_text(key + "\n")
    key_file = str(tmp_path / "key")
    other = bunqtui("setup", "example", "--profile", "y", "--base-url", emulator.base_url,
                    "--token-file", key_file, "--check", "none", "--fresh")  # fmt: skip
    assert other.returncode == 0, other.stderr
    assert "Fetch" not in other.stderr
    # a key piped on stdin with no flag at all, and another connector's flag refused
    piped = bunqtui("setup", "example", "--profile", "z", "--base-url", emulator.base_url,
                    stdin=key + "\n")  # fmt: skip
    assert piped.returncode == 0, piped.stderr
    foreign = bunqtui("setup", "example", "--profile", "w", "--api-key", key)
    assert foreign.returncode == 2 and "--api-key is not an option of example" in foreign.stderr
    assert key not in foreign.stderr
    missing = bunqtui("setup", "example", "--profile", "w", "--base-url", emulator.base_url)
    assert missing.returncode == 2 and "--token-file FILE" in missing.stderr
    profiles = json.loads(bunqtui("profiles", "--json").stdout)
    assert sorted((p["name"], p["connector"]) for p in profiles) == [
        ("x", "example"),
        ("y", "example"),
        ("z", "example"),
    ]
