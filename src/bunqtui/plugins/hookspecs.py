"""The hooks a bunqtui plugin can implement. Hooks return classes; they never do I/O.

A plugin is a module registered under the ``bunqtui`` entry-point group::

    [project.entry-points.bunqtui]
    my-connector = "my_package"

    # my_package/__init__.py
    from bunqtui.plugins import hookimpl

    @hookimpl
    def bunqtui_register_connectors():
        return [MyConnector]   # subclasses of bunqtui.plugins.Connector, each with a unique name
"""

from __future__ import annotations

from pluggy import HookspecMarker

hookspec = HookspecMarker("bunqtui")


@hookspec
def bunqtui_register_connectors() -> list[type]:
    """Return connector classes (subclasses of ``bunqtui.plugins.Connector``)."""
    raise NotImplementedError  # a specification: pluggy calls the plugins' implementations


@hookspec
def bunqtui_register_exporters() -> list[type]:
    """Return exporter classes (subclasses of ``bunqtui.plugins.Exporter``)."""
    raise NotImplementedError  # a specification: pluggy calls the plugins' implementations
