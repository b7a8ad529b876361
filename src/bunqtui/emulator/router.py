"""Route table for the API: path templates, the token each route takes, and whether its body
must be signed (docs/protocol.md#request-signatures, docs/protocol.md#tokens). Matching is by regex
over the path below /v1."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .call import Call, Handler

# A route whose signature depends on the body (accepting a request response moves money,
# rejecting it does not): a predicate over the Call instead of a plain bool.
Signed = bool | Callable[[Call], bool]

# What a route accepts in X-Bunq-Client-Authentication.
NONE = "none"
INSTALLATION = "installation"
SESSION = "session"
EITHER = "either"


@dataclass
class Route:
    method: str
    template: str  # e.g. "/user/{id}/monetary-account/{id}/payment"
    handler: Handler
    auth: str = SESSION
    signed: Signed = False
    pattern: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.template))
        self.pattern = re.compile(f"^{regex}/?$")


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(
        self, method: str, template: str, *, auth: str = SESSION, signed: Signed = False
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            # Path parameters get distinct names (p0, p1, …) so one regex can hold them all.
            names = iter(range(100))
            numbered = re.sub(r"\{id\}", lambda _m: f"{{p{next(names)}}}", template)
            self.routes.append(Route(method, numbered, handler, auth, signed))
            return handler

        return register

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
        return f"{method} /v1" + re.sub(r"\{p\d+\}", "{id}", route.template)
