"""What the TUI remembers per profile between runs that is no secret: the last export folder.

``<cache dir>/<profile>.ui.json`` (0600 in a 0700 directory, written atomically). A damaged or
unreadable file is as if absent, and a failed write only costs the memory, never the action.
"""

from __future__ import annotations

import json
from pathlib import Path

from bunqtui.store.files import atomic_write, ensure_private_dir


class Remembered:
    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def for_profile(cls, cache_path: Path) -> Remembered:
        """Next to the profile's cache (``Workspace.cache_path``)."""
        return cls(cache_path.with_suffix(".ui.json"))

    def _read(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_bytes())
        except (OSError, ValueError, RecursionError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}

    def export_folder(self) -> Path | None:
        folder = self._read().get("export_folder")
        return Path(folder) if folder else None

    def remember_export_folder(self, folder: Path) -> None:
        data = self._read()
        data["export_folder"] = str(folder)
        try:
            ensure_private_dir(self.path.parent)
            atomic_write(self.path, json.dumps(data, sort_keys=True).encode())
        except OSError:
            pass  # only a convenience: the export itself succeeded
