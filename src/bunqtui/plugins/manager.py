"""Find plugins through the ``bunqtui`` entry-point group, one at a time.

pluggy's own ``load_setuptools_entrypoints`` stops at the first plugin that fails to import;
here each entry point is loaded on its own, and a failure (import error, a hook that raises,
a class that breaks the contract, a duplicate name) is recorded as a problem and shown by
``bunqtui plugins`` while everything else keeps working. ``BUNQTUI_DISABLE_PLUGINS`` (comma
separated plugin or connector/exporter names) turns plugins off.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
import os
from dataclasses import dataclass, field
from typing import Any

import pluggy

from bunqtui.plugins import hookspecs
from bunqtui.plugins.connector import Connector
from bunqtui.plugins.exporter import Exporter

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
        for ep in importlib.metadata.entry_points(group=GROUP):
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
        if getattr(cls, "__abstractmethods__", None):
            missing = ", ".join(sorted(cls.__abstractmethods__))
            return f"{what} {name!r} does not implement {missing}"
        if name in registry:
            owner = result.connector_plugin.get(name, "another plugin")
            return f"{what} name {name!r} is already taken (by {owner}); refused"
        return None


def load_plugins(disabled: set[str] | None = None) -> Plugins:
    return PluginManager(disabled=disabled).load()
