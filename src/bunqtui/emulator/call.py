"""One API request as the handlers see it (`Call`), and what they may use of the Emulator.

A leaf below app.py, the handler modules, control.py and oauth_pages.py: they all name these
types, and none of them imports app.py (which imports them).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from starlette.requests import Request

from .config import EmulatorConfig
from .crypto import KeyPool
from .faults import Faults, Stats
from .state import Installation, Session, World
from .wire import ApiError


class EmulatorParts(Protocol):
    """What handlers, the control API and the OAuth pages use of the Emulator (app.py)."""

    config: EmulatorConfig
    world: World
    faults: Faults
    stats: Stats
    key_pool: KeyPool


@dataclass
class Call:
    """One API request as the handlers see it."""

    emulator: EmulatorParts
    request: Request
    params: dict[str, str]
    query: dict[str, str]
    body: bytes
    ip: str
    language: str
    installation: Installation | None = None
    session: Session | None = None
    new_installation: Installation | None = field(default=None, repr=False)

    @property
    def world(self) -> World:
        return self.emulator.world

    @property
    def auth_installation(self) -> Installation:
        """The installation the request's token belongs to (app.py sets it before any handler
        of a route that takes a token runs)."""
        if self.installation is None:
            raise ApiError(401, "Insufficient authorisation.")
        return self.installation

    @property
    def auth_session(self) -> Session:
        """The session of the request's token (set for every route that takes a session)."""
        if self.session is None:
            raise ApiError(401, "Insufficient authorisation.")
        return self.session

    def json(self) -> Any:
        """The body parsed as JSON, whatever the Content-Type and whitespace
        (docs/protocol.md#encoding)."""
        if not self.body.strip():
            return {}
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "The request body is not valid JSON.") from None

    def object(self) -> dict[str, Any]:
        data = self.json()
        if isinstance(data, list) and len(data) <= 1:  # some clients wrap the body in a list
            data = data[0] if data else {}
        if not isinstance(data, dict):
            raise ApiError(400, "The request body must be a JSON object.")
        return data

    def param(self, index: int) -> int:
        raw = self.params.get(f"p{index}", "")
        try:
            return int(raw)
        except ValueError:
            raise ApiError(404, f'Object for id "{raw}" not found.') from None


# An API handler: the Call in, the answer's `Response` items (or an ApiError) out.
Handler = Callable[[Call], Awaitable[Any]]
