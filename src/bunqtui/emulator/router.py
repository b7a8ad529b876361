"""Matching a request to a route: what a route is (path template, handler, the token it takes,
whether its body must be signed — docs/protocol.md#request-signatures, docs/protocol.md#tokens)
and the regex match over the path below /v1. The table itself is routes.py."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from .call import Call, Handler

# A route whose signature depends on the body (accepting a request response moves money,
# rejecting it does not): a predicate over the Call instead of a plain bool.
Signed = bool | Callable[[Call], bool]

# What a route accepts in X-Bunq-Client-Authentication.
NONE = "none"
INSTALLATION = "installation"
SESSION = "session"
EITHER = "either"


def accepting(call: Call) -> bool:
    """Accepting a request or a draft pays it, so bunq wants that PUT signed
    (docs/protocol.md#signing); rejecting it moves nothing and need not be."""
    try:
        data = json.loads(call.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return False  # the handler answers 400 for the body itself
    return isinstance(data, dict) and data.get("status") == "ACCEPTED"


@dataclass
class Route:
    method: str
    template: str  # as bunq documents it: "/user/{id}/monetary-account/{id}/payment"
    handler: Handler
    auth: str = SESSION
    signed: Signed = False
    pattern: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Path parameters get distinct names (p0, p1, …) so one regex can hold them all.
        names = iter(range(100))
        numbered = re.sub(r"\{id\}", lambda _m: f"{{p{next(names)}}}", self.template)
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(numbered))
        self.pattern = re.compile(f"^{regex}/?$")


class Router:
    def __init__(self, routes: Iterable[Route]) -> None:
        # Copies: a test may swap one emulator's handler without touching the shared table.
        self.routes: list[Route] = [replace(route) for route in routes]

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        """(route, path params, path_exists). path_exists without a route means 405."""
        path_exists = False
        for route in self.routes:
            found = route.pattern.match(path)
            if found:
                path_exists = True
                if route.method == method:
                    return route, found.groupdict(), True
        return None, {}, path_exists

    @staticmethod
    def needs_signature(route: Route, call: Call) -> bool:
        return route.signed(call) if callable(route.signed) else route.signed

    @staticmethod
    def stats_key(method: str, route: Route) -> str:
        return f"{method} /v1{route.template}"
