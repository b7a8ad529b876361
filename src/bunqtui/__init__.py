"""bunqtui: a keyboard-first terminal client for the bunq API."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("bunqtui")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
