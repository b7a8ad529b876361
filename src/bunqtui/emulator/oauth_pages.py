"""The OAuth authorize page (`/auth`) and the token exchange (`/v1/token`, `/token`),
docs/protocol.md#authorize and #token-exchange.

No human scans a QR code here: the page offers a button to approve as one of the emulator's
users — the stand-in for the bunq app — and `/_emulator/oauth/approve` does the same for tests.
"""

from __future__ import annotations

import html
import io
import json
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import qrcode
import qrcode.image.svg
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from .call import EmulatorParts
from .state import AuthCode, OauthClient, Secret, UserApiKey, World

NOT_FOUND = "Connection not found"


class AuthorizeError(Exception):
    """The authorize request cannot be honoured; never redirect in that case
    (docs/protocol.md#authorize)."""


def check_authorize(world: World, query: dict[str, str]) -> tuple[OauthClient, str, str | None]:
    if query.get("response_type") != "code":
        raise AuthorizeError("response_type must be code.")
    client = next(
        (c for c in world.oauth_clients.values() if c.client_id == query.get("client_id")), None
    )
    if client is None or client.status != "ACTIVE":
        raise AuthorizeError(f"{NOT_FOUND}: unknown client_id.")
    redirect_uri = query.get("redirect_uri", "")
    if redirect_uri not in {c.url for c in client.callback_urls}:
        raise AuthorizeError(f"{NOT_FOUND}: redirect_uri is not a registered callback URL.")
    return client, redirect_uri, query.get("state")


def with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = "&".join(x for x in (parts.query, urlencode(params)) if x)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def grant(
    world: World,
    client: OauthClient,
    redirect_uri: str,
    state: str | None,
    user_id: int,
    *,
    approve: bool = True,
    lifetime: float = 600.0,
) -> str:
    """The redirect URL after the user decided: with a fresh code, or error=access_denied."""
    extra = {"state": state} if state is not None else {}
    if not approve:
        return with_query(redirect_uri, {"error": "access_denied", **extra})
    code = world.token()
    world.auth_codes[code] = AuthCode(
        code, client.client_id, redirect_uri, state, user_id, world.clock.now() + lifetime
    )
    return with_query(redirect_uri, {"code": code, **extra})


def exchange(world: World, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """The token endpoint's answer: (status, JSON body)."""

    def error(code: str, text: str, status: int = 400) -> tuple[int, dict[str, Any]]:
        return status, {"error": code, "error_description": text}

    if params.get("grant_type") != "authorization_code":
        return error("unsupported_grant_type", "The grant type must be authorization_code.")
    missing = [
        k for k in ("code", "redirect_uri", "client_id", "client_secret") if not params.get(k)
    ]
    if missing:
        return error("invalid_request", f"Missing parameter: {', '.join(missing)}.")
    client = next(
        (c for c in world.oauth_clients.values() if c.client_id == params["client_id"]), None
    )
    if client is None or client.secret != params["client_secret"]:
        return error("invalid_client", "The client credentials are invalid.")
    code = world.auth_codes.get(params["code"])
    if (
        code is None
        or code.used
        or code.expires < world.clock.now()
        or code.client_id != client.client_id
        or code.redirect_uri != params["redirect_uri"]
    ):
        return error("invalid_grant", "The authorization code is invalid or expired.")
    code.used = True
    owner = world.users[code.granted_by_id]
    accounts = [a.id for a in world.user_accounts(owner.id) if a.status == "ACTIVE"]
    now = world.clock.utcnow()
    grant_id = world.next_id("user")
    world.user_api_keys[grant_id] = UserApiKey(grant_id, now, client.user_id, owner.id, accounts)
    token = world.token()
    world.secrets[token] = Secret(token, "oauth", grant_id)
    return 200, {"access_token": token, "token_type": "bearer", "state": code.state}


def qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>bunq - Connect</title>
<style>
body{{font-family:system-ui,sans-serif;background:#f7f7f7;margin:0;color:#222}}
main{{max-width:420px;margin:48px auto;background:#fff;border-radius:16px;padding:32px;
box-shadow:0 2px 12px #0002;text-align:center}}
h1{{font-size:1.3em}} .qr svg{{width:220px;height:220px}} .note{{color:#666;font-size:.9em}}
button{{border:0;border-radius:10px;padding:12px 20px;font-size:1em;margin:6px;cursor:pointer}}
.ok{{background:#2dce89;color:#fff}} .no{{background:#eee}} select{{padding:8px;margin:8px}}
</style></head><body><main>
<h1>{requester} wants to connect to your bunq account</h1>
<div class="qr">{qr}</div>
<p class="note">Scan this code with the bunq app to review and approve the connection.</p>
<hr><p class="note">Local bunq emulator: approve here as one of its users instead.</p>
<form method="post" action="/auth/decide">{hidden}
<select name="user_id">{options}</select><br>
<button class="ok" name="decision" value="approve">Approve</button>
<button class="no" name="decision" value="deny">Deny</button>
</form></main></body></html>"""


def routes(emulator: EmulatorParts) -> list[Route]:
    world = emulator.world

    async def authorize(request: Request) -> Response:
        query = dict(request.query_params)
        with world.lock:
            try:
                client, _redirect, _state = check_authorize(world, query)
            except AuthorizeError as exc:
                return HTMLResponse(
                    f"<!DOCTYPE html><html><body><h1>{NOT_FOUND}</h1><p>{html.escape(str(exc))}"
                    "</p></body></html>",
                    status_code=400,
                )
            requester = world.users[client.user_id].display_name
            people = [
                world.users[s.user_id]
                for s in world.secrets.values()
                if s.kind == "api_key" and s.user_id in world.users
            ]
        options = "".join(
            f'<option value="{u.id}"{" selected" if u.id == world.demo_user_id else ""}>'
            f"{html.escape(u.legal_name)} ({u.id})</option>"
            for u in people
        )
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in query.items()
        )
        page = PAGE.format(
            requester=html.escape(requester),
            qr=qr_svg(str(request.url)),
            hidden=hidden,
            options=options,
        )
        return HTMLResponse(page)

    async def decide(request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        with world.lock:
            try:
                client, redirect_uri, state = check_authorize(world, form)
                user_id = int(form.get("user_id", "0"))
            except (AuthorizeError, ValueError) as exc:
                return HTMLResponse(f"<h1>{NOT_FOUND}</h1><p>{html.escape(str(exc))}</p>", 400)
            if user_id not in world.users:
                return HTMLResponse("<h1>Unknown user</h1>", 400)
            target = grant(
                world,
                client,
                redirect_uri,
                state,
                user_id,
                approve=form.get("decision") == "approve",
                lifetime=emulator.config.auth_code_lifetime,
            )
        return RedirectResponse(target, status_code=302)

    async def token(request: Request) -> Response:
        emulator.stats.count(f"POST {request.url.path}")  # a request to bunq, like the API's
        params = dict(request.query_params)
        body = await request.body()
        if body:  # also accept form-encoded parameters (docs/protocol.md#token-exchange)
            params.update(parse_qsl(body.decode("utf-8", "replace")))
        with world.lock:
            status, payload = exchange(world, params)
        response = Response(json.dumps(payload, separators=(",", ":")).encode(), status)
        response.headers["Content-Type"] = "application/json"
        response.headers["X-Bunq-Client-Response-Id"] = world.uuid()
        return response

    return [
        Route("/auth", authorize, methods=["GET"]),
        Route("/auth/decide", decide, methods=["POST"]),
        Route("/v1/token", token, methods=["POST"]),
        Route("/token", token, methods=["POST"]),
    ]
