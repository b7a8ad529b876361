"""bunqtui.plugins: hookspecs, the plugin manager, and the Connector/Exporter contracts.

A plugin does ``from bunqtui.plugins import hookimpl`` and implements the hooks of
``bunqtui.plugins.hookspecs``.
"""

from pluggy import HookimplMarker

hookimpl = HookimplMarker("bunqtui")

from bunqtui.plugins.connector import (  # noqa: E402 - hookimpl must exist first
    Connector,
    ConnectorEnv,
    SetupError,
    SetupField,
    SetupStep,
    Steps,
)
from bunqtui.plugins.exporter import Exporter  # noqa: E402

__all__ = [
    "Connector",
    "ConnectorEnv",
    "Exporter",
    "SetupError",
    "SetupField",
    "SetupStep",
    "Steps",
    "hookimpl",
]
