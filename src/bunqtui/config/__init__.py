"""bunqtui.config: config.toml (profiles, default profile, UI preferences) and where files live."""

from bunqtui.config.loader import ConfigFileError, load_config, parse_config, save_config
from bunqtui.config.model import DEFAULT_REDIRECT_URI, ENVIRONMENTS, Config, Profile
from bunqtui.config.paths import HOME_ENV, Paths, resolve_paths

__all__ = [
    "DEFAULT_REDIRECT_URI",
    "ENVIRONMENTS",
    "HOME_ENV",
    "Config",
    "ConfigFileError",
    "Paths",
    "Profile",
    "load_config",
    "parse_config",
    "resolve_paths",
    "save_config",
]
