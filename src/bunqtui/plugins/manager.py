"""Find plugins through the ``bunqtui`` entry-point group, one at a time.

pluggy's own ``load_setuptools_entrypoints`` stops at the first plugin that fails to import;
here each entry point is loaded on its own, and a failure (import error, a hook that raises,
a class that breaks the contract, a duplicate name) is recorded as a problem and shown by
``bunqtui plugins`` while everything else keeps working. ``BUNQTUI_DISABLE_PLUGINS`` (comma
separated plugin or connector/exporter names) turns plugins off.

A :class:`PluginRegistry` (what a Workspace holds) scans lazily. Opening a profile needs only
its connector: the registry looks it up in an index that the last full scan wrote (connector →
the entry point that provided it), valid only while ``sys.path`` and every directory on it are
unchanged (installing or removing a package changes its directory), and loads that one plugin;
anything else (no index, another environment, a disabled name, a plugin that no longer provides
the connector) falls back to the full scan. The index holds only names the entry points
already publish — no secrets, nothing executable but installed modules — in a 0600 file.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import re
import sys
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pluggy

from bunqtui.plugins import hookspecs
from bunqtui.plugins.connector import Connector
from bunqtui.plugins.exporter import Exporter
from bunqtui.store.files import atomic_write, ensure_private_dir

GROUP = "bunqtui"
DISABLE_ENV = "BUNQTUI_DISABLE_PLUGINS"
# part of bunqtui itself, registered by module path like datasette's DEFAULT_PLUGINS
DEFAULT_PLUGINS = ("bunqtui.plugins.exporters",)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PluginInfo:
    name: str  # the entry-point (or module) name
    source: str  # "builtin" or the distribution providing it
    value: str  # what the entry point points at
    status: str  # "loaded" | "failed" | "disabled"
    error: str = ""


@dataclass
class Plugins:
    """The result of one scan: what loaded, what it registered, and what went wrong."""

    plugins: list[PluginInfo] = field(default_factory=list)
    connectors: dict[str, type[Connector]] = field(default_factory=dict)
    exporters: dict[str, type[Exporter]] = field(default_factory=dict)
    connector_plugin: dict[str, str] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)


def disabled_names(value: str | None = None) -> set[str]:
    raw = os.environ.get(DISABLE_ENV, "") if value is None else value
    return {part.strip() for part in raw.split(",") if part.strip()}


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


class PluginManager:
    def __init__(self, *, disabled: set[str] | None = None) -> None:
        self.pm = pluggy.PluginManager(GROUP)
        self.pm.add_hookspecs(hookspecs)
        self.disabled = disabled_names() if disabled is None else disabled

    def _register(self, module: Any, name: str, info: list[PluginInfo], **meta: str) -> None:
        try:
            self.pm.register(module, name=name)
        except Exception as exc:  # e.g. a hookimpl with arguments the spec does not have
            info.append(PluginInfo(name, status="failed", error=_error(exc), **meta))
        else:
            info.append(PluginInfo(name, status="loaded", **meta))

    def load(self) -> Plugins:
        result = Plugins()
        for module_name in DEFAULT_PLUGINS:
            if module_name in self.disabled:
                continue
            module = importlib.import_module(module_name)
            self._register(module, module_name, result.plugins, source="builtin", value=module_name)
        seen: set[str] = set()
        # importlib.metadata costs ~10 ms to import and scan: only a full scan pays for it
        from importlib.metadata import entry_points

        for ep in entry_points(group=GROUP):
            dist = getattr(ep.dist, "name", None) or "unknown"
            meta = {"source": dist, "value": ep.value}
            if ep.name in seen:
                result.plugins.append(
                    PluginInfo(
                        ep.name,
                        status="failed",
                        error=f"another installed package already uses the name {ep.name!r}",
                        **meta,
                    )
                )
                continue
            seen.add(ep.name)
            if ep.name in self.disabled:
                result.plugins.append(PluginInfo(ep.name, status="disabled", **meta))
                continue
            try:
                module = ep.load()
            except Exception as exc:  # a broken plugin must never stop bunqtui
                log.warning("bunqtui plugin %s failed to load: %s", ep.name, _error(exc))
                result.plugins.append(
                    PluginInfo(ep.name, status="failed", error=_error(exc), **meta)
                )
                continue
            self._register(module, ep.name, result.plugins, **meta)
        self._collect(result)
        result.problems = [(p.name, p.error) for p in result.plugins if p.status == "failed"]
        return result

    def load_one(self, name: str, value: str, source: str) -> Plugins:
        """Only the plugin ``name`` (an entry point's ``value``), as the full scan loads it;
        raises if it cannot be imported or registered."""
        result = Plugins()
        module = _load_reference(value)
        self.pm.register(module, name=name)
        result.plugins.append(PluginInfo(name, source, value, "loaded"))
        self._collect(result)
        result.problems = [(p.name, p.error) for p in result.plugins if p.status == "failed"]
        return result

    def _collect(self, result: Plugins) -> None:
        kinds: list[tuple[str, type, dict[str, Any]]] = [
            ("bunqtui_register_connectors", Connector, result.connectors),
            ("bunqtui_register_exporters", Exporter, result.exporters),
        ]
        failed: dict[str, str] = {}
        for hook_name, base, registry in kinds:
            hook = getattr(self.pm.hook, hook_name)
            # call each implementation on its own: one raising must not hide the others
            for impl in reversed(hook.get_hookimpls()):
                plugin = impl.plugin_name
                try:
                    classes = list(impl.function() or [])
                except Exception as exc:
                    failed.setdefault(plugin, f"{hook_name} raised {_error(exc)}")
                    continue
                for cls in classes:
                    problem = self._check(cls, base, registry, result, plugin)
                    if problem:
                        failed.setdefault(plugin, problem)
                        continue
                    if cls.name in self.disabled:
                        continue
                    registry[cls.name] = cls
                    if base is Connector:
                        result.connector_plugin[cls.name] = plugin
        for i, info in enumerate(result.plugins):
            if info.name in failed and info.status == "loaded":
                result.plugins[i] = PluginInfo(
                    info.name, info.source, info.value, "failed", failed[info.name]
                )

    @staticmethod
    def _check(
        cls: Any, base: type, registry: dict[str, Any], result: Plugins, plugin: str
    ) -> str | None:
        what = "connector" if base is Connector else "exporter"
        if not isinstance(cls, type) or not issubclass(cls, base):
            return f"returned {cls!r}, which is not a {base.__name__} subclass"
        name = getattr(cls, "name", None)
        if not isinstance(name, str) or not name:
            return f"{what} class {cls.__name__} has no name"
        abstract = getattr(cls, "__abstractmethods__", None)
        if abstract:
            missing = ", ".join(sorted(abstract))
            return f"{what} {name!r} does not implement {missing}"
        if name in registry:
            owner = result.connector_plugin.get(name, "another plugin")
            return f"{what} name {name!r} is already taken (by {owner}); refused"
        return None


def load_plugins(disabled: set[str] | None = None) -> Plugins:
    return PluginManager(disabled=disabled).load()


# --- the registry: full scan on demand, one plugin when only one connector is needed ---------

INDEX_VERSION = 1
_REFERENCE = re.compile(r"^[A-Za-z_][\w.]*(:[A-Za-z_][\w.]*)?$")


def _load_reference(value: str) -> Any:
    """``module`` or ``module:attr.attr``, as an entry point's ``load()`` resolves it."""
    if not _REFERENCE.match(value):
        raise ValueError(f"not a plain entry point reference: {value!r}")
    module_name, _, attrs = value.partition(":")
    obj: Any = importlib.import_module(module_name)
    for attr in filter(None, attrs.split(".")):
        obj = getattr(obj, attr)
    return obj


def environment_fingerprint() -> list[Any]:
    """What decides the installed entry points: the interpreter, ``sys.path`` and the state of
    each entry on it (installing or removing a distribution changes its directory)."""
    entries: list[Any] = []
    for entry in sys.path:
        try:
            entries.append([entry, os.stat(entry or ".").st_mtime_ns])
        except OSError:
            entries.append([entry, None])
    return [sys.version, entries]


class _ConnectorNames(Collection[str]):
    """The installed connector names, for validating config.toml: ``in`` resolves one name
    (the fast path); listing them needs the full scan."""

    def __init__(self, registry: PluginRegistry) -> None:
        self._registry = registry

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._registry.connector(name) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._registry.connectors)

    def __len__(self) -> int:
        return len(self._registry.connectors)


class PluginRegistry:
    """Plugins for a Workspace: ``plugins``, ``connectors``, ``exporters``,
    ``connector_plugin`` and ``problems`` as :class:`Plugins` has them (the first use scans
    every entry point), and ``connector(name)``, which loads just the plugin providing that
    connector when the index of an earlier scan in this environment names it."""

    def __init__(self, *, index: Path | None = None, disabled: set[str] | None = None) -> None:
        self.index = index
        self.disabled = disabled_names() if disabled is None else disabled
        self._full: Plugins | None = None
        self._resolved: dict[str, type[Connector]] = {}

    # --- the full scan ----------------------------------------------------------------------

    def full(self) -> Plugins:
        if self._full is None:
            self._full = PluginManager(disabled=self.disabled).load()
            self._write_index(self._full)
        return self._full

    @property
    def plugins(self) -> list[PluginInfo]:
        return self.full().plugins

    @property
    def connectors(self) -> dict[str, type[Connector]]:
        return self.full().connectors

    @property
    def exporters(self) -> dict[str, type[Exporter]]:
        return self.full().exporters

    @property
    def connector_plugin(self) -> dict[str, str]:
        return self.full().connector_plugin

    @property
    def problems(self) -> list[tuple[str, str]]:
        return self.full().problems

    def connector_names(self) -> Collection[str]:
        return _ConnectorNames(self)

    # --- one connector ----------------------------------------------------------------------

    def connector(self, name: str) -> type[Connector] | None:
        """The connector class called ``name`` (None if no enabled plugin provides it)."""
        if self._full is not None:
            return self._full.connectors.get(name)
        if name not in self._resolved:
            cls = self._from_index(name)
            if cls is None:
                return self.full().connectors.get(name)
            self._resolved[name] = cls
        return self._resolved[name]

    def _read_index(self) -> dict[str, Any] | None:
        if self.index is None:
            return None
        try:
            data = json.loads(self.index.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("version") != INDEX_VERSION:
            return None
        if data.get("environment") != environment_fingerprint():
            return None  # something was installed or removed, or another interpreter
        connectors = data.get("connectors")
        return connectors if isinstance(connectors, dict) else None

    def _from_index(self, name: str) -> type[Connector] | None:
        if name in self.disabled:
            return None
        entry = (self._read_index() or {}).get(name)
        if not isinstance(entry, dict):
            return None
        plugin, value, source = entry.get("plugin"), entry.get("value"), entry.get("source")
        if not (isinstance(plugin, str) and isinstance(value, str) and isinstance(source, str)):
            return None
        if plugin in self.disabled:
            return None
        try:
            loaded = PluginManager(disabled=self.disabled).load_one(plugin, value, source)
        except Exception as exc:  # the full scan reports it properly
            log.debug("bunqtui plugin index: %s (%s) unusable: %s", plugin, value, _error(exc))
            return None
        return loaded.connectors.get(name) if not loaded.problems else None

    def _write_index(self, found: Plugins) -> None:
        if self.index is None:
            return
        by_name = {p.name: p for p in found.plugins if p.status == "loaded"}
        connectors = {}
        for connector, plugin in sorted(found.connector_plugin.items()):
            info = by_name.get(plugin)
            if info is not None and info.source != "builtin":  # entry points only
                connectors[connector] = {
                    "plugin": info.name,
                    "value": info.value,
                    "source": info.source,
                }
        data = {
            "version": INDEX_VERSION,
            "environment": environment_fingerprint(),
            "connectors": connectors,
        }
        text = json.dumps(data, indent=1, sort_keys=True)
        try:
            if self.index.exists() and self.index.read_text(encoding="utf-8") == text:
                return
            ensure_private_dir(self.index.parent)
            atomic_write(self.index, text.encode("utf-8"))
        except OSError as exc:  # only a cache: a read-only home still works, more slowly
            log.debug("bunqtui plugin index not written: %s", exc)
