"""The emulator's own control API under /_emulator (tests, benchmarks and the demo use it).

Its POSTs change the world without any credential, so they take only
`Content-Type: application/json`: a web page can send a form or text/plain to any address
without asking, but a JSON body cross-origin needs a CORS preflight, which the emulator never
grants. (The Host check in hosts.py keeps pages from reading any answer.)
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .call import EmulatorParts
from .faults import KINDS
from .handlers_drafts import decide, find_draft
from .handlers_schedules import run_due
from .handlers_tabs import pay_tab
from .oauth_pages import AuthorizeError, check_authorize, grant
from .seed import control_user
from .wire import ApiError


def _json(payload: Any, status: int = 200) -> Response:
    return Response(json.dumps(payload).encode(), status, media_type="application/json")


def _error(text: str, status: int = 400) -> Response:
    return _json(
        {"Error": [{"error_description": text, "error_description_translated": text}]}, status
    )


Handler = Callable[[Request], Awaitable[Response]]


def json_only(handler: Handler) -> Handler:
    """A POST whose body is not declared JSON gets 415 before the handler runs."""

    async def checked(request: Request) -> Response:
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if request.method == "POST" and media_type != "application/json":
            return _error("Control requests take Content-Type: application/json.", 415)
        return await handler(request)

    return checked


async def _body(request: Request) -> dict[str, Any] | None:
    try:
        data = json.loads(await request.body() or b"{}")
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def routes(emulator: EmulatorParts) -> list[Route]:
    world = emulator.world

    async def info(request: Request) -> Response:
        root = str(request.base_url).rstrip("/")
        return _json(
            {
                "api_base_url": root + "/v1",
                "demo_api_key": world.demo_api_key,
                "demo_user_id": world.demo_user_id,
                "oauth_authorize_url": root + "/auth",
                "oauth_token_url": root + "/v1/token",
                **world.snapshot(),
            }
        )

    async def users(request: Request) -> Response:
        data = await _body(request)
        if data is None:
            return _error("The body must be a JSON object.")
        kind = {"person": "UserPerson", "company": "UserCompany"}.get(data.get("kind", "person"))
        accounts, payments = data.get("accounts", 1), data.get("payments", 0)
        name = data.get("name")
        if (
            kind is None
            or not (name is None or (isinstance(name, str) and 0 < len(name) <= 20_000))
            or not isinstance(accounts, int)
            or not isinstance(payments, int)
            or not 1 <= accounts <= 25
            or not 0 <= payments <= 200_000
        ):
            return _error(
                'Expected {"kind": "person"|"company", "accounts": 1-25, "payments": 0-200000'
                ', "name": optional text}.'
            )
        with world.lock:
            user, key = control_user(world, kind, accounts, payments)
            if name is not None:  # any text, as bunq shows whatever a user calls themselves
                user.name, user.first_name, user.last_name = name, "", ""
        return _json({"api_key": key, "user_id": user.id})

    async def approve(request: Request) -> Response:
        data = await _body(request)
        if data is None or not isinstance(data.get("authorize_url"), str):
            return _error('Expected {"authorize_url": URL, "api_key": KEY}.')
        query = dict(parse_qsl(urlsplit(data["authorize_url"]).query))
        with world.lock:
            secret = world.secrets.get(str(data.get("api_key")))
            if secret is None or secret.kind != "api_key":
                return _error("User credentials are incorrect. Incorrect API key or IP address.")
            try:
                client, redirect_uri, state = check_authorize(world, query)
            except AuthorizeError as exc:
                return _error(str(exc))
            url = grant(
                world,
                client,
                redirect_uri,
                state,
                secret.user_id,
                approve=data.get("approve", True) is not False,
                lifetime=emulator.config.auth_code_lifetime,
            )
        return _json({"redirect_url": url})

    async def faults(request: Request) -> Response:
        if request.method == "DELETE":
            emulator.faults.clear()
            return _json(emulator.faults.as_dict())
        data = await _body(request)
        if data is None or any(k not in (*KINDS, "latency_ms", "expire_sessions") for k in data):
            return _error(f"Known faults: {', '.join((*KINDS, 'latency_ms', 'expire_sessions'))}.")
        emulator.faults.set(data)
        if data.get("expire_sessions"):
            with world.lock:
                for session in world.sessions.values():
                    session.expiry = world.clock.now() - 1
        return _json(emulator.faults.as_dict())

    async def stats(request: Request) -> Response:
        if request.method == "DELETE":
            emulator.stats.reset()
        return _json(emulator.stats.as_dict())

    async def clock(request: Request) -> Response:
        data = await _body(request)
        if data is None or not isinstance(data.get("advance_seconds"), int | float):
            return _error('Expected {"advance_seconds": N}.')
        with world.lock:
            world.clock.offset += float(data["advance_seconds"])
            run_due(world)  # scheduled payments that came due on the way
        return _json({"offset_seconds": world.clock.offset})

    async def pay_bunqme_tab(request: Request) -> Response:
        """Someone opens a bunq.me link and pays it (bunq.me's page, with iDEAL or bunq)."""
        data = await _body(request)
        if data is None:
            return _error('Expected {"amount": "10.00", "name": TEXT, "iban": optional IBAN}.')
        with world.lock:
            try:
                result = pay_tab(world, request.path_params["uuid"], data)
            except ApiError as exc:
                return _error(exc.description, exc.status)
        return _json(result)

    async def decide_draft(request: Request) -> Response:
        """The user accepts or rejects a draft payment (in bunq's app)."""
        data = await _body(request)
        if data is None or not isinstance(data.get("accept"), bool):
            return _error('Expected {"accept": true} or {"accept": false}.')
        try:
            draft_id = int(request.path_params["draft_id"])
        except ValueError:
            return _error("Draft payment ids are numbers.", 404)
        with world.lock:
            try:
                draft = find_draft(world, draft_id)
                decide(world, draft, data["accept"])
            except ApiError as exc:
                return _error(exc.description, exc.status)
            return _json({"id": draft.id, "status": draft.status, "payment_ids": draft.payment_ids})

    return [
        Route("/_emulator/info", info, methods=["GET"]),
        Route("/_emulator/users", json_only(users), methods=["POST"]),
        Route("/_emulator/oauth/approve", json_only(approve), methods=["POST"]),
        Route("/_emulator/faults", json_only(faults), methods=["POST", "DELETE"]),
        Route("/_emulator/stats", stats, methods=["GET", "DELETE"]),
        Route("/_emulator/clock", json_only(clock), methods=["POST"]),
        Route("/_emulator/bunqme-tab/{uuid}/pay", json_only(pay_bunqme_tab), methods=["POST"]),
        Route(
            "/_emulator/draft-payment/{draft_id}/decide", json_only(decide_draft), methods=["POST"]
        ),
    ]
