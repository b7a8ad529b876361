"""The ASGI app: bunq's API under /v1, OAuth at /auth and /v1/token, control under /_emulator.

Every API request passes one pipeline (`Emulator.handle_api`): route → stats → faults → rate
limit → token → signature → handler → bunq JSON → server signature. Nothing escapes as a
traceback: any unexpected error becomes bunq's error envelope. Before any of it, a request
whose Host header does not name the emulator's own address is refused (hosts.py).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.convertors import PathConvertor, register_url_convertor
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route as StarletteRoute
from starlette.types import Receive, Scope, Send

from . import (
    control,
    crypto,
    handlers_schedules,
    oauth_pages,
    wire,
)
from .call import Call
from .config import EmulatorConfig
from .faults import Faults, Stats
from .hosts import UNBOUND, AllowedHosts, HostCheck
from .ratelimit import RateLimiter
from .request_ids import RequestIds
from .router import EITHER, INSTALLATION, NONE, Route, Router
from .routes import ROUTES
from .seed import SEED_END, seed_world
from .state import Installation, Session, World
from .wire import ApiError

log = logging.getLogger("bunqtui.emulator")

MAINTENANCE_HTML = (
    b"<!DOCTYPE html><html><head><title>bunq - Maintenance</title></head>"
    b"<body><h1>We're doing some maintenance</h1><p>Please try again later.</p></body></html>"
)


class DroppedResponse(Response):
    """Starts a response and stops mid-body: to the client, a dropped connection."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"Response":[', "more_body": True})


class Emulator:
    def __init__(self, config: EmulatorConfig | None = None, world: World | None = None) -> None:
        self.config = config or EmulatorConfig()
        self.world = world or World(self.config.seed)
        if world is None:
            end = self.config.history_end or SEED_END
            seed_world(self.world, demo_payments=self.config.demo_payments, end=end)
        self.router = Router(ROUTES)
        self.faults = Faults()
        self.stats = Stats()
        self.limiter = RateLimiter(self.config.rate_limit, self.config.rate_limits)
        self.key_pool = crypto.KeyPool()
        self.request_ids = RequestIds()  # X-Bunq-Client-Request-Id once per device
        self.anonymous_key = crypto.new_private_key()  # signs replies to unauthenticated calls
        # callbacks after a state-changing request (the state file)
        self.on_change: list[Callable[[], object]] = []
        # Host headers answered (hosts.py); EmulatorServer narrows it to its address and port.
        self.allowed_hosts: AllowedHosts = UNBOUND

    # the pipeline -----------------------------------------------------------------------------
    async def handle_api(self, request: Request) -> Response:
        path = "/" + request.path_params.get("path", "")
        method = request.method
        body = await request.body()
        language = request.headers.get("x-bunq-language", "en_US")
        installation, session = self._resolve_token(
            request.headers.get("x-bunq-client-authentication")
        )
        signing_installation = installation or (
            self.world.installations_by_id.get(session.installation_id) if session else None
        )
        route, params, path_exists = self.router.match(method, path)
        if route is None:
            status, text = (
                (405, "Method not allowed.") if path_exists else (404, "Route not found.")
            )
            return self._json(
                request, status, wire.error_body(text, language), signing_installation
            )

        self.stats.count(Router.stats_key(method, route))
        latency = max(self.config.latency_ms, self.faults.latency_ms)
        if latency:
            await asyncio.sleep(latency / 1000)
        if self.faults.take("http_429"):
            # the sentence names this endpoint's configured limit (a client learns from it)
            text = self.limiter.message_for(method, route.template)
            return self._rate_limited(request, text, language)
        if self.faults.take("http_491"):
            return Response(
                MAINTENANCE_HTML, 491, media_type="text/html", headers=self._base_headers(request)
            )
        if self.faults.take("http_500"):
            body_500 = wire.error_body(
                "Something went wrong on our end. Please try again later.", language
            )
            return Response(
                wire.encode(body_500),
                500,
                headers={**self._base_headers(request), "Content-Type": "application/json"},
            )
        ip = request.client.host if request.client else "127.0.0.1"
        limited = self.limiter.check(ip, method, route.template, self.world.clock.now())
        if limited:
            return self._rate_limited(request, limited, language)

        call = Call(self, request, params, dict(request.query_params), body, ip, language)
        try:
            with self.world.lock:
                self._authenticate(call, route, installation, session)
                self._check_signature(call, route, request.headers.get("x-bunq-client-signature"))
                if call.installation is not None:
                    self.request_ids.use(
                        call.installation, request.headers.get("x-bunq-client-request-id")
                    )
                handlers_schedules.run_due(self.world)  # payments whose time has come
            result = await route.handler(call)
            status, payload = 200, result
        except ApiError as error:
            status, payload = (
                error.status,
                wire.error_body(error.description, language, error.extra),
            )
        except Exception:  # never a traceback or a bare 500 (docs/protocol.md#emulator)
            log.exception("emulator handler failed for %s %s", method, path)
            status = 500
            payload = wire.error_body(
                "Something went wrong on our end. Please try again later.", language
            )
        signer = call.new_installation or call.installation or signing_installation
        if status == 200 and method != "GET":
            for callback in self.on_change:
                callback()
        if self.faults.take("drop"):
            return DroppedResponse()
        if isinstance(payload, wire.RawBody):
            return self._signed(request, status, payload.content, payload.content_type, signer)
        return self._json(request, status, payload, signer)

    def _resolve_token(self, token: str | None) -> tuple[Installation | None, Session | None]:
        if not token:
            return None, None
        with self.world.lock:
            return self.world.installations.get(token), self.world.sessions.get(token)

    def _authenticate(
        self,
        call: Call,
        route: Route,
        installation: Installation | None,
        session: Session | None,
    ) -> None:
        if route.auth == NONE:
            return
        stale = ApiError(
            self.config.stale_session_status,
            "Insufficient authorisation."
            if self.config.stale_session_status == 401
            else "Insufficient authentication.",
        )
        if route.auth == INSTALLATION:
            if installation is None:
                if session is not None and route.template == "/session-server":
                    raise ApiError(400, "Authentication token already has a user session.")
                raise ApiError(401, "Insufficient authorisation.")
            call.installation = installation
            return
        if route.auth == EITHER and installation is not None:
            call.installation = installation
            return
        if session is None:
            raise stale if installation is None else ApiError(401, "Insufficient authorisation.")
        now = self.world.clock.now()
        if now >= session.expiry:
            raise stale
        # the extension rule of docs/protocol.md#sessions
        if session.expiry - now < self.config.extension_window:
            session.expiry = now + min(session.timeout, self.config.extension_cap)
        call.session = session
        call.installation = self.world.installations_by_id.get(session.installation_id)

    def _check_signature(self, call: Call, route: Route, signature: str | None) -> None:
        if not Router.needs_signature(route, call):
            return
        if not signature:
            raise ApiError(
                466,
                "For this operation a request signature is required. Check the urls for more "
                "information.",
                {
                    "error_additional_parameter": [
                        {"url_together_post": "https://together.bunq.com/d/15399"}
                    ]
                },
            )
        assert call.installation is not None
        key = crypto.load_public(call.installation.client_public_key)
        if key is None or not crypto.verify(key, call.body, signature):
            raise ApiError(
                self.config.invalid_signature_status, "The request signature is invalid."
            )

    # responses --------------------------------------------------------------------------------
    def _base_headers(self, request: Request) -> dict[str, str]:
        headers = {"X-Bunq-Client-Response-Id": str(uuid.uuid4())}
        request_id = request.headers.get("x-bunq-client-request-id")
        if request_id is not None:
            headers["X-Bunq-Client-Request-Id"] = request_id
        return headers

    def _json(
        self, request: Request, status: int, payload: Any, installation: Installation | None
    ) -> Response:
        return self._signed(request, status, wire.encode(payload), "application/json", installation)

    def _signed(
        self,
        request: Request,
        status: int,
        body: bytes,
        content_type: str,
        installation: Installation | None,
    ) -> Response:
        key = installation.server_key if installation else self.anonymous_key
        signature = crypto.sign(key, body)
        if self.faults.take("bad_signature"):
            signature = crypto.sign(self.anonymous_key, body + b"tampered")
        headers = {**self._base_headers(request), "X-Bunq-Server-Signature": signature}
        return _raw(body, status, headers, content_type)

    def _rate_limited(self, request: Request, text: str, language: str) -> Response:
        self.stats.limited()
        return _raw(wire.encode(wire.error_body(text, language)), 429, self._base_headers(request))


def _raw(
    body: bytes, status: int, headers: dict[str, str], content_type: str = "application/json"
) -> Response:
    """A response whose Content-Type is exactly `content_type` (no charset added,
    docs/protocol.md#encoding): JSON, or an attachment's own type."""
    response = Response(body, status, headers=headers)
    response.headers["Content-Type"] = content_type
    return response


class _AnyPath(PathConvertor):
    """Starlette's `path`, newlines included: a path with %0A must still reach the API (and get
    bunq's signed 404) instead of Starlette's own plain-text one."""

    regex = "(?s:.*)"


register_url_convertor("anypath", _AnyPath())


def create_app(config: EmulatorConfig | None = None, emulator: Emulator | None = None) -> Starlette:
    """The Starlette app; `app.state.emulator` holds the Emulator (world, faults, stats)."""
    emu = emulator or Emulator(config)

    async def api(request: Request) -> Response:
        return await emu.handle_api(request)

    async def not_found(request: Request) -> Response:
        body = wire.encode(wire.error_body("Route not found."))
        return _raw(body, 404, emu._base_headers(request))

    methods = ["GET", "POST", "PUT", "DELETE", "PATCH"]
    routes = [
        *oauth_pages.routes(emu),
        *control.routes(emu),
        StarletteRoute("/v1/{path:anypath}", api, methods=methods),
        StarletteRoute("/{path:anypath}", not_found, methods=methods),
    ]
    # The Host check wraps everything, so no route (API, control, OAuth) runs before it.
    app = Starlette(
        routes=routes, middleware=[Middleware(HostCheck, allowed=lambda: emu.allowed_hosts)]
    )
    app.state.emulator = emu
    return app
