"""The Workspace: profiles in config.toml, connectors from the plugin manager, and setup.

``Workspace.load()`` reads the config (validating connectors against the installed plugins);
``setup_profile`` runs a connector's setup and records the profile only once it succeeded;
``open`` gives a :class:`ProfileSession` for browsing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bunqtui.config import (
    DEFAULT_REDIRECT_URI,
    Config,
    ConfigFileError,
    Paths,
    Profile,
    load_config,
    resolve_paths,
    save_config,
)
from bunqtui.core.environment import environment_for, rate_limiter_for
from bunqtui.core.errors import ConfigError
from bunqtui.plugins.connector import (
    Connector,
    ConnectorEnv,
    SetupError,
    SetupField,
    SetupStep,
    Steps,
)
from bunqtui.plugins.manager import PluginRegistry
from bunqtui.store.files import ensure_private_dir, file_lock
from bunqtui.store.secrets import ProfileVault, SecretStore, check_profile_name

if TYPE_CHECKING:
    from bunqtui.core.session import ProfileSession

__all__ = [
    "DEFAULT_REDIRECT_URI",  # the setup form's default (the TUI does not read config itself)
    "ConnectorInfo",
    "ProfileInfo",
    "SetupField",
    "SetupStep",
    "Workspace",
    "profile_name_problem",
]


def profile_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a profile name (one rule for the CLI, the TUI and the store), or
    None when it can."""
    try:
        check_profile_name(name)
    except ValueError as exc:
        return str(exc)
    return None


@dataclass(frozen=True)
class ProfileInfo:
    name: str
    connector: str
    environment: str
    base_url: str | None
    is_default: bool


@dataclass(frozen=True)
class ConnectorInfo:
    name: str
    title: str
    description: str
    fields: list[SetupField]


class Workspace:
    def __init__(self, paths: Paths, plugins: PluginRegistry, config: Config) -> None:
        self.paths = paths
        self.plugins = plugins
        self.config = config
        self.secrets = SecretStore(paths.secrets_dir)

    @classmethod
    def load(cls, home: Path | None = None) -> Workspace:
        paths = resolve_paths(home)
        # scans the entry points only if a profile's connector is not in the last scan's index
        plugins = PluginRegistry(index=paths.data_dir / "cache" / "plugins.json")
        try:
            config = load_config(paths.config_file, connectors=plugins.connector_names())
        except ConfigFileError as exc:
            hint = "fix the file by hand (bunqtui left it untouched)"
            if "unknown connector" in exc.message and plugins.problems:
                broken = ", ".join(name for name, _ in plugins.problems)
                hint = f"a plugin failed to load ({broken}): see `bunqtui plugins`"
            raise ConfigError(str(exc), hint) from None
        return cls(paths, plugins, config)

    @property
    def home(self) -> Path:
        return self.paths.home

    @property
    def ui_settings(self) -> dict[str, Any]:
        return self.config.ui

    # --- profiles ---------------------------------------------------------------------------

    def _info(self, profile: Profile) -> ProfileInfo:
        return ProfileInfo(
            profile.name,
            profile.connector,
            profile.environment,
            profile.base_url,
            profile.name == self.default_profile(),
        )

    def profiles(self) -> list[ProfileInfo]:
        return [self._info(p) for _, p in sorted(self.config.profiles.items())]

    def default_profile(self) -> str | None:
        if self.config.default_profile:
            return self.config.default_profile
        if len(self.config.profiles) == 1:
            return next(iter(self.config.profiles))
        return None

    def profile(self, name: str | None) -> Profile:
        name = name or self.default_profile()
        if name is None:
            if not self.config.profiles:
                raise ConfigError(
                    "there are no profiles yet",
                    "create one with `bunqtui setup api-key --profile NAME ...`",
                )
            raise ConfigError(
                "no profile given and no default profile set",
                f"pass --profile ({', '.join(sorted(self.config.profiles))})",
            )
        profile = self.config.profiles.get(name)
        if profile is None:
            known = ", ".join(sorted(self.config.profiles)) or "none yet"
            raise ConfigError(f"there is no profile {name!r}", f"profiles: {known}")
        return profile

    def _edit_config(self, change: Callable[[Config], None]) -> None:
        """Re-read, change and write config.toml under a lock (another bunqtui may edit it)."""
        ensure_private_dir(self.paths.config_dir)
        with file_lock(self.paths.config_dir / ".config.lock"):
            try:
                config = load_config(
                    self.paths.config_file, connectors=self.plugins.connector_names()
                )
            except ConfigFileError as exc:
                raise ConfigError(
                    str(exc), "fix the file first; bunqtui left it untouched"
                ) from None
            change(config)
            save_config(config)
            self.config = config

    def set_default_profile(self, name: str) -> None:
        self.profile(name)

        def change(config: Config) -> None:
            config.default_profile = name

        self._edit_config(change)

    # --- connectors -------------------------------------------------------------------------

    def connectors(self) -> list[ConnectorInfo]:
        return [
            ConnectorInfo(c.name, c.title or c.name, c.description, list(c.fields))
            for _, c in sorted(self.plugins.connectors.items())
        ]

    def plugin_problems(self) -> list[tuple[str, str]]:
        return list(self.plugins.problems)

    def exporters(self) -> list[str]:
        return sorted(self.plugins.exporters)

    def connector_class(self, name: str) -> type[Connector]:
        cls = self.plugins.connector(name)
        if cls is None:
            broken = [n for n, _ in self.plugins.problems]
            hint = f"installed: {', '.join(sorted(self.plugins.connectors)) or 'none'}"
            if broken:
                hint += f"; plugins that failed to load: {', '.join(broken)} (bunqtui plugins)"
            raise ConfigError(f"there is no connector {name!r}", hint)
        return cls

    def connector_env(self, profile: Profile, **extra: Any) -> ConnectorEnv:
        return ConnectorEnv(
            profile=profile.name,
            environment=environment_for(profile.environment, profile.base_url),
            redirect_uri=profile.redirect_uri,
            vault=ProfileVault(self.secrets, profile.name),
            rate_limiter=rate_limiter_for(profile, self.paths.data_dir),
            **extra,
        )

    def setup_steps(self, connector: str, options: dict[str, Any]) -> list[SetupStep]:
        cls = self.connector_class(connector)
        placeholder = Profile(name="plan", connector=connector)
        return cls(self.connector_env(placeholder)).plan(options)

    async def setup_profile(
        self,
        name: str,
        connector: str,
        *,
        environment: str | None = None,
        base_url: str | None = None,
        redirect_uri: str | None = None,
        options: dict[str, Any],
        on_step: Callable[[SetupStep], None] | None = None,
    ) -> ProfileInfo:
        """Set up (or re-check) a profile. Idempotent: a rerun reuses the stored login.

        Neither ``environment`` nor ``base_url``: a rerun keeps where the profile points (a
        rerun must never send its key to another host), a new profile is on sandbox."""
        try:
            check_profile_name(name)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        cls = self.connector_class(connector)
        existing = self.config.profiles.get(name)
        if existing is not None and existing.connector != connector:
            raise ConfigError(
                f"profile {name!r} already uses the {existing.connector} connector",
                "choose another profile name",
            )
        if environment is None and base_url is None:
            if existing is not None:
                environment, base_url = existing.environment, existing.base_url
            else:
                environment = "sandbox"
        if base_url and environment == "production":
            raise ConfigError("the production environment cannot have a custom base URL")
        env_name = "custom" if base_url else (environment or "sandbox")
        environment_for(env_name, base_url)  # validate early
        redirect = redirect_uri or (existing.redirect_uri if existing else DEFAULT_REDIRECT_URI)
        if not redirect.startswith(("http://", "https://")):
            raise ConfigError(f"the redirect URI {redirect!r} is not an http(s) URL")
        profile = Profile(
            name=name,
            connector=connector,
            environment=env_name,
            base_url=base_url,
            redirect_uri=redirect,
            rate_limit=existing.rate_limit if existing else True,
            options=existing.options if existing else {},
        )
        instance = cls(self.connector_env(profile))
        try:
            checked = instance.validate(dict(options))
            steps = Steps(instance.plan(checked), on_step)
            await instance.setup(checked, steps)
        except SetupError as exc:
            raise ConfigError(exc.message, exc.hint) from None

        def change(config: Config) -> None:
            old = config.profiles.get(name)
            config.profiles[name] = replace(profile, options=old.options if old else {})
            if not config.default_profile:
                config.default_profile = name

        self._edit_config(change)
        return self._info(self.config.profiles[name])

    def open(self, profile: str | None = None) -> ProfileSession:
        # the async session loads asyncio; one-shot CLI reads open a OneShotSession instead
        from bunqtui.core.session import ProfileSession

        chosen = self.profile(profile)
        cls = self.connector_class(chosen.connector)
        return ProfileSession(self, chosen, cls)

    # --- the local cache --------------------------------------------------------------------

    def cache_path(self, profile: str) -> Path:
        """``<data dir>/cache/<profile>.sqlite3`` (0600 in a 0700 directory)."""
        try:
            check_profile_name(profile)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        return self.paths.data_dir / "cache" / f"{profile}.sqlite3"
