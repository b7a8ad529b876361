"""Read, validate and write config.toml.

A bad file is reported with its path, line and key, and never rewritten: bunqtui only writes
the config after reading it successfully, atomically, so an error never costs a user's edits.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection
from pathlib import Path
from typing import Any

from bunqtui.config.model import DEFAULT_REDIRECT_URI, ENVIRONMENTS, Config, Profile
from bunqtui.store.files import atomic_write, ensure_private_dir
from bunqtui.store.secrets import check_profile_name

_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")
_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"'.]+)\s*=")

PROFILE_KEYS = {"connector", "environment", "base_url", "redirect_uri", "rate_limit", "options"}
TOP_KEYS = {"default_profile", "profiles", "ui"}
# a real config nests 4 deep ([profiles.NAME.options]); far deeper is damage, and writing it
# back (tomli_w recurses) must not fail later
MAX_DEPTH = 32


def _too_deep(value: Any) -> bool:
    """True if ``value`` nests deeper than MAX_DEPTH (checked without recursion)."""
    todo = [(value, 1)]
    while todo:
        item, level = todo.pop()
        if isinstance(item, dict | list):
            if level > MAX_DEPTH:
                return True
            children = item.values() if isinstance(item, dict) else item
            todo.extend((child, level + 1) for child in children)
    return False


class ConfigFileError(Exception):
    """config.toml is wrong; ``str()`` names the file, the line and the key."""

    def __init__(self, path: Path, message: str, *, line: int | None = None, key: str = ""):
        self.path = path
        self.line = line
        self.key = key
        self.message = message
        where = f"{path}" + (f", line {line}" if line else "")
        what = f" (key {key})" if key else ""
        super().__init__(f"{where}{what}: {message}")


def _unquote(part: str) -> str:
    return part.strip().strip('"').strip("'")


def find_line(text: str, dotted: tuple[str, ...]) -> int | None:
    """The line defining ``dotted`` (a key path) in ``text``, for error messages."""
    table: tuple[str, ...] = ()
    best = None
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header:
            table = tuple(_unquote(p) for p in header.group(1).split("."))
            if table == dotted:
                return number
            if best is None and dotted[: len(table)] == table and table:
                best = number
            continue
        key = _KEY.match(line)
        if key:
            full = table + tuple(_unquote(p) for p in key.group(1).split("."))
            if full == dotted:
                return number
            if best is None and dotted[: len(full)] == full:
                best = number
    return best


def _profile(
    path: Path, text: str, name: str, raw: Any, connectors: Collection[str] | None
) -> Profile:
    def fail(key: str, message: str) -> ConfigFileError:
        dotted = ("profiles", name, key) if key else ("profiles", name)
        return ConfigFileError(path, message, line=find_line(text, dotted), key=".".join(dotted))

    try:
        check_profile_name(name)
    except ValueError as exc:
        # the name becomes a file name (secrets, cache): never a path like ../../etc
        raise fail("", str(exc)) from None
    if not isinstance(raw, dict):
        raise fail("", "a profile must be a table")
    for key in raw:
        if key not in PROFILE_KEYS:
            raise fail(key, f"unknown key; known keys: {', '.join(sorted(PROFILE_KEYS))}")
    connector = raw.get("connector")
    if not isinstance(connector, str) or not connector:
        raise fail("connector", 'connector must be a non-empty string (e.g. "api-key")')
    if connectors is not None and connector not in connectors:
        known = ", ".join(sorted(connectors)) or "none"
        raise fail("connector", f"unknown connector {connector!r}; installed: {known}")
    environment = raw.get("environment", "sandbox")
    base_url = raw.get("base_url")
    if not isinstance(environment, str) or environment not in ENVIRONMENTS:
        raise fail("environment", f"environment must be one of {', '.join(ENVIRONMENTS)}")
    if base_url is not None and (
        not isinstance(base_url, str) or not base_url.startswith(("http://", "https://"))
    ):
        raise fail("base_url", "base_url must be an http(s) URL string")
    if environment == "custom" and not base_url:
        raise fail("base_url", 'environment "custom" needs a base_url')
    if environment == "production" and base_url:
        raise fail("base_url", "the production environment cannot have a base_url")
    redirect_uri = raw.get("redirect_uri", DEFAULT_REDIRECT_URI)
    if not isinstance(redirect_uri, str) or not redirect_uri.startswith(("http://", "https://")):
        raise fail("redirect_uri", "redirect_uri must be an http(s) URL string")
    rate_limit = raw.get("rate_limit", True)
    if not isinstance(rate_limit, bool):
        raise fail("rate_limit", "rate_limit must be true or false")
    options = raw.get("options", {})
    if not isinstance(options, dict):
        raise fail("options", "options must be a table")
    return Profile(
        name=name,
        connector=connector,
        environment="custom" if base_url and environment == "sandbox" else environment,
        base_url=base_url,
        redirect_uri=redirect_uri,
        rate_limit=rate_limit,
        options=options,
    )


def parse_config(path: Path, text: str, connectors: Collection[str] | None = None) -> Config:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        pos = _TOML_POS.search(str(exc))
        message = _TOML_POS.sub("", str(exc)).strip()
        raise ConfigFileError(
            path, f"not valid TOML: {message}", line=int(pos.group(1)) if pos else None
        ) from None
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise ConfigFileError(path, "not a bunqtui config: it is nested too deeply") from None
    if _too_deep(data):
        raise ConfigFileError(path, "not a bunqtui config: it is nested too deeply")
    for key in data:
        if key not in TOP_KEYS:
            raise ConfigFileError(
                path,
                f"unknown key; known keys: {', '.join(sorted(TOP_KEYS))}",
                line=find_line(text, (key,)),
                key=key,
            )
    profiles_raw = data.get("profiles", {})
    if not isinstance(profiles_raw, dict):
        raise ConfigFileError(
            path, "profiles must be a table", line=find_line(text, ("profiles",)), key="profiles"
        )
    profiles = {
        name: _profile(path, text, name, raw, connectors) for name, raw in profiles_raw.items()
    }
    default = data.get("default_profile")
    if default is not None and (not isinstance(default, str) or default not in profiles):
        raise ConfigFileError(
            path,
            f"default_profile {default!r} is not one of the profiles "
            f"({', '.join(sorted(profiles)) or 'none'})",
            line=find_line(text, ("default_profile",)),
            key="default_profile",
        )
    ui = data.get("ui", {})
    if not isinstance(ui, dict):
        raise ConfigFileError(path, "ui must be a table", line=find_line(text, ("ui",)), key="ui")
    keys = ui.get("keys", {})
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        raise ConfigFileError(
            path,
            "ui.keys maps binding ids to key strings",
            line=find_line(text, ("ui", "keys")),
            key="ui.keys",
        )
    return Config(path=path, default_profile=default, profiles=profiles, ui=ui)


def load_config(path: Path, connectors: Collection[str] | None = None) -> Config:
    """The config at ``path`` (an empty one if the file does not exist)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config(path=path)
    except UnicodeDecodeError:
        raise ConfigFileError(path, "not valid TOML: the file is not UTF-8 text") from None
    except OSError as exc:
        raise ConfigFileError(path, f"cannot read the file ({exc.strerror})") from None
    return parse_config(path, text, connectors)


def save_config(config: Config) -> None:
    """Write atomically (the directory 0700, the file 0600: it names your profiles)."""
    import tomli_w  # only writing needs it; every command reads the config

    ensure_private_dir(config.path.parent)
    data = tomli_w.dumps(config.to_toml()).encode("utf-8")
    atomic_write(config.path, data)
