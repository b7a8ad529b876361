"""config.toml: round trip, validation errors naming file/line/key, and where files live."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st

from bunqtui.config import (
    Config,
    ConfigFileError,
    Profile,
    load_config,
    parse_config,
    resolve_paths,
    save_config,
)
from bunqtui.config.loader import PROFILE_KEYS

ROOT = Path(__file__).resolve().parents[2]
CONNECTORS = {"api-key", "psd2"}


def test_round_trip_is_private_and_atomic(tmp_path: Path) -> None:
    path = tmp_path / "home" / "config.toml"
    config = Config(
        path=path,
        default_profile="a",
        profiles={
            "a": Profile("a", "api-key"),
            "b": Profile("b", "psd2", "custom", base_url="http://127.0.0.1:1/v1", rate_limit=False),
        },
        ui={"theme": "nord", "keys": {"refresh": "ctrl+r"}},
    )
    save_config(config)
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    loaded = load_config(path, CONNECTORS)
    assert loaded.profiles == config.profiles
    assert loaded.default_profile == "a" and loaded.ui == config.ui
    assert [p.name for p in path.parent.iterdir()] == ["config.toml"]


def test_missing_file_is_an_empty_config(tmp_path: Path) -> None:
    config = load_config(tmp_path / "config.toml")
    assert config.profiles == {} and config.default_profile is None


@pytest.mark.parametrize(
    ("text", "line", "key", "words"),
    [
        ('[profiles.a]\nconnector = "api-key"\nenvironment = 7\n', 3, "profiles.a.environment",
         "environment must be"),
        ('[profiles.a]\nconnector = "nope"\n', 2, "profiles.a.connector", "unknown connector"),
        ('[profiles.a]\nconnector = "psd2"\nrate_limit = "yes"\n', 3, "profiles.a.rate_limit",
         "true or false"),
        ('[profiles.a]\nconnector = "psd2"\ncolour = 1\n', 3, "profiles.a.colour", "unknown key"),
        ('default_profile = "x"\n[profiles.a]\nconnector = "psd2"\n', 1, "default_profile",
         "not one of"),
        ('[profiles.a]\nconnector = "psd2"\nenvironment = "custom"\n', 1, "profiles.a.base_url",
         "needs a base_url"),
        ('[ui.keys]\nquit = 1\n', 1, "ui.keys", "binding ids"),
        ("[profiles.a\n", 1, "", "not valid TOML"),
    ],
)  # fmt: skip
def test_errors_name_file_line_and_key(text: str, line: int, key: str, words: str) -> None:
    path = Path("/etc/bunqtui/config.toml")
    with pytest.raises(ConfigFileError) as info:
        parse_config(path, text, CONNECTORS)
    error = info.value
    assert error.line == line and error.key == key and words in str(error)
    assert str(error).startswith(f"{path}, line {line}")


def test_example_config_documents_a_valid_file() -> None:
    example = ROOT / "config" / "bunqtui.example.toml"
    config = load_config(example, CONNECTORS)
    assert set(config.profiles) == {"personal", "provider", "emulator"}
    text = example.read_text()
    for key in ("default_profile", "connector", "environment", "base_url", "redirect_uri",
                "rate_limit", "options", "theme", "[ui.keys]"):  # fmt: skip
        assert key in text


def test_home_env_and_platform_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUNQTUI_HOME", str(tmp_path / "h"))
    paths = resolve_paths()
    assert paths.config_file == tmp_path / "h" / "config.toml"
    assert paths.secrets_dir == tmp_path / "h" / "secrets"
    monkeypatch.delenv("BUNQTUI_HOME")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xc"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xd"))
    paths = resolve_paths()
    assert paths.config_file == tmp_path / "xc" / "bunqtui" / "config.toml"
    assert paths.secrets_dir == tmp_path / "xd" / "bunqtui" / "secrets"
    assert resolve_paths(tmp_path / "explicit").config_dir == tmp_path / "explicit"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_a_config_or_a_config_file_error(text: str) -> None:
    """Outside input never escapes as anything but a ConfigFileError naming the file."""
    path = Path("/x/config.toml")
    try:
        parse_config(path, text, CONNECTORS)
    except ConfigFileError as exc:
        assert str(exc).startswith(str(path))


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([*sorted(PROFILE_KEYS), "extra"]),
        st.one_of(st.integers(), st.text(max_size=20), st.booleans()),
        max_size=6,
    )
)
def test_any_profile_table_validates_or_names_its_key(table: dict) -> None:
    text = tomli_w.dumps({"profiles": {"p": table}})
    try:
        config = parse_config(Path("c.toml"), text, CONNECTORS)
    except ConfigFileError as exc:
        assert exc.key.startswith("profiles.p") and exc.line is not None
    else:
        assert config.profiles["p"].connector in CONNECTORS
