"""The rate limits bunq named in its 429s, kept between runs (``<data>/cache/rate-limits.json``).

The client's limiter learns an endpoint's limit from bunq's 429 sentence
(docs/protocol.md#rate-limits) and does no I/O; this module keeps what it learnt, per API origin
(a limit of the emulator on port 8000 is not production's), so the next run starts at the
right pace without meeting that 429 again. The file is private (0600 in a 0700 directory),
written atomically under a lock (read-merge-write, so two processes add rather than overwrite),
and read as untrusted: anything malformed, out of bounds or older than ``MAX_AGE`` is skipped,
and a damaged file is as good as none. It holds no secrets.

```json
{"format": "bunqtui-rate-limits", "version": 1,
 "hosts": {"https://api.bunq.com": {
   "GET /v1/user/{id}/monetary-account/{id}/payment": {"calls": 70, "seconds": 30,
                                                       "learned": "2026-01-05T10:00:00+00:00"}}}}
```
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bunqtui.api.ratelimit import Key, Limit, valid_limit
from bunqtui.store.files import atomic_write, ensure_private_dir, file_lock

log = logging.getLogger("bunqtui.store")

FORMAT = "bunqtui-rate-limits"
VERSION = 1
FILE_NAME = "rate-limits.json"
LOCK_NAME = ".rate-limits.lock"
# bunq changes its limits now and then: a limit this old is looked for again
MAX_AGE = dt.timedelta(days=30)
_MAX_FILE_BYTES = 1024 * 1024  # a few hundred entries at most; more is not ours
# "METHOD /path/{id}/…" as the limiter names an endpoint: printable ASCII, no spaces in the path
_ENDPOINT = re.compile(r"(GET|POST|PUT|DELETE) (/[!-~]{0,300})")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class RateLimitStore:
    """What was learnt for one API origin (``scheme://host:port``), in the file at ``path``."""

    def __init__(self, path: Path, origin: str, *, clock: Callable[[], dt.datetime] = _now) -> None:
        self.path = path
        self.origin = origin
        self.clock = clock

    def load(self) -> dict[Key, Limit]:
        """The usable limits stored for this origin; empty if there is no usable file."""
        hosts = self._read().get("hosts")
        entries = hosts.get(self.origin) if isinstance(hosts, dict) else None
        if not isinstance(entries, dict):
            return {}
        now = self.clock()
        oldest, newest = now - MAX_AGE, now + dt.timedelta(days=1)  # not a date from the future
        found: dict[Key, Limit] = {}
        for endpoint, entry in entries.items():
            match = _ENDPOINT.fullmatch(endpoint) if isinstance(endpoint, str) else None
            if match is None or not isinstance(entry, dict):
                continue
            limit = valid_limit(entry.get("calls"), entry.get("seconds"))
            learned = _timestamp(entry.get("learned"))
            if limit is not None and learned is not None and oldest <= learned <= newest:
                found[(match[1], match[2])] = limit
        return found

    def remember(self, method: str, template: str, limit: Limit) -> None:
        """Add one learnt limit to the file (the limiter's ``on_learn``). A file that cannot be
        written costs only the next run one 429: logged, never raised."""
        endpoint = f"{method} {template}"
        if not _ENDPOINT.fullmatch(endpoint) or valid_limit(limit.calls, limit.per_seconds) is None:
            return
        try:
            ensure_private_dir(self.path.parent)
            with file_lock(self.path.parent / LOCK_NAME):
                data = self._read()
                known = data.get("hosts")
                hosts: dict[str, Any] = known if isinstance(known, dict) else {}
                entries = hosts.get(self.origin)
                entries = entries if isinstance(entries, dict) else {}
                seconds = limit.per_seconds
                entries[endpoint] = {
                    "calls": limit.calls,
                    "seconds": int(seconds) if seconds.is_integer() else seconds,
                    "learned": self.clock().isoformat(),
                }
                hosts[self.origin] = entries
                document = {"format": FORMAT, "version": VERSION, "hosts": hosts}
                text = json.dumps(document, indent=1, sort_keys=True, ensure_ascii=True)
                atomic_write(self.path, text.encode("ascii") + b"\n")
        except OSError as exc:
            log.warning("could not keep a learnt rate limit in %s: %s", self.path, exc)

    def _read(self) -> dict[str, Any]:
        """The file's document, or {} if it is missing, too big, not JSON or not ours."""
        try:
            with self.path.open("rb") as handle:
                raw = handle.read(_MAX_FILE_BYTES + 1)
        except OSError:
            return {}
        if len(raw) > _MAX_FILE_BYTES:
            return {}
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            return {}
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return {}
        if data.get("version") != VERSION:
            return {}
        return data


def _timestamp(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def store_for(data_dir: Path, origin: str) -> RateLimitStore:
    """``<data_dir>/cache/rate-limits.json``, for ``origin``."""
    return RateLimitStore(data_dir / "cache" / FILE_NAME, origin)


__all__ = ["MAX_AGE", "RateLimitStore", "store_for"]
