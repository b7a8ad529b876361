"""Errors the UI and CLI show to a person: what went wrong, what to do, and the exit code."""

from __future__ import annotations


class CoreError(Exception):
    """A failure worth showing as is. ``exit_code`` 1 = bunq/network, 2 = usage/configuration."""

    exit_code: int = 1

    def __init__(self, message: str, hint: str | None = None, *, exit_code: int | None = None):
        self.message = message
        self.hint = hint
        if exit_code is not None:
            self.exit_code = exit_code
        super().__init__(message)

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n{self.hint}"


class ConfigError(CoreError):
    """Usage or configuration mistake (bad config.toml, unknown profile, wrong options)."""

    exit_code = 2


class NotConnectedError(CoreError):
    """The profile or connected user has no stored login (run setup or connect first)."""

    exit_code = 2
