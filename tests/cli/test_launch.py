"""`bunqtui` (no command) launching the UI: a broken config is a clear error, not a traceback,
and the file is left as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from bunqtui.cli.main import main


def test_a_broken_config_stops_the_launch_with_the_file_and_line(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = home / "config.toml"
    broken = '[profiles.main]\nconnector = "api-key"\nenvironment = \n'
    config.write_text(broken)
    assert main([]) == 2
    err = capsys.readouterr().err
    assert "config.toml" in err and "line" in err and "Traceback" not in err
    assert config.read_text() == broken


def test_an_unknown_connector_names_the_key(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (home / "config.toml").write_text('[profiles.main]\nconnector = "no-such"\n')
    assert main(["--profile", "main"]) == 2
    err = capsys.readouterr().err
    assert "no-such" in err and "Traceback" not in err
