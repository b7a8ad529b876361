"""TUI fixtures: the emulator and homes holding the demo's two profiles.

Setting the demo up costs ~1 s (RSA keys on both sides), so each test module prepares one
home against its own emulator and every test gets a fresh copy of it. Tests that delete
sessions or stop the emulator take ``private_demo_home`` instead.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from demo_home import DemoHome, prepare_demo_home

from bunqtui.cli.demo import DemoInfo, free_loopback_port
from bunqtui.core import Workspace
from bunqtui.emulator.config import EmulatorConfig
from bunqtui.emulator.server import EmulatorServer


@pytest.fixture(autouse=True)
def _utc_and_no_pacing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Times on screen in UTC (stable snapshots); client pacing off like the demo."""
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("BUNQTUI_RATE_LIMIT", "off")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture(scope="module")
def _module_demo(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[EmulatorServer, Path, DemoInfo]]:
    config = EmulatorConfig(seed=1, rate_limit=False, sugar_daddy_delay=0.0)
    with EmulatorServer(config=config) as server:
        template = tmp_path_factory.mktemp("demo-template") / "home"
        template.mkdir(mode=0o700)
        yield server, template, prepare_demo_home(server, template)


@pytest.fixture
def demo_home(
    _module_demo: tuple[EmulatorServer, Path, DemoInfo],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> DemoHome:
    """A fresh copy of the module's prepared home (its emulator is shared within the module)."""
    server, template, demo = _module_demo
    server.emulator.faults.clear()
    home = tmp_path / "bunqtui-home"
    shutil.copytree(template, home)  # modes kept: 0700 directories, 0600 secrets
    # a redirect port of its own: the listener of the test before may still be closing
    config = home / "config.toml"
    old = Workspace.load(home).profile("demo").redirect_uri
    new = f"http://127.0.0.1:{free_loopback_port()}/callback"
    config.write_text(config.read_text().replace(old, new))
    monkeypatch.setenv("BUNQTUI_HOME", str(home))
    return DemoHome(Workspace.load(home), demo, server, home)


@pytest.fixture
def private_demo_home(emulator: EmulatorServer, bunqtui_home: Path) -> DemoHome:
    """A prepared home against an emulator of its own."""
    demo = prepare_demo_home(emulator, bunqtui_home)
    return DemoHome(Workspace.load(bunqtui_home), demo, emulator, bunqtui_home)
