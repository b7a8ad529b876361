"""OAuth client and callback-URL management under /user/{id}/oauth-client
(docs/protocol.md#oauth-client)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from . import views, wire
from .call import Call
from .handlers_resources import FORBIDDEN, NO_PAGES, acting_user
from .state import CallbackUrl, OauthClient
from .wire import ApiError


def _own_client(call: Call) -> OauthClient:
    user_id = acting_user(call)
    client = call.world.oauth_clients.get(call.param(1))
    if client is None or client.user_id != user_id:
        raise wire.not_found("OauthClient", call.param(1))
    return client


def _valid_url(value: Any) -> str:
    if not isinstance(value, str):
        raise ApiError(400, "The field url is required.")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ApiError(400, "The callback URL must be an absolute http(s) URL.")
    return value


async def create_client(call: Call) -> Any:
    user_id = acting_user(call)
    world = call.world
    if user_id in world.user_api_keys:
        raise ApiError(403, FORBIDDEN)
    data = call.object()  # {}, [] and [{...}] are all accepted
    with world.lock:
        if any(c.user_id == user_id for c in world.oauth_clients.values()):
            raise ApiError(400, "You can only have one OAuth client.")
        now = world.clock.utcnow()
        client = OauthClient(
            world.next_id("oauth_client"),
            user_id,
            world.token(),
            world.token(),
            now,
            display_name=data.get("display_name")
            if isinstance(data.get("display_name"), str)
            else None,
        )
        if data.get("status") in ("ACTIVE", "CANCELLED"):
            client.status = data["status"]
        if data.get("redirect_url"):
            url = _valid_url(data["redirect_url"])
            client.callback_urls.append(CallbackUrl(world.next_id("callback_url"), url, now, now))
        world.oauth_clients[client.id] = client
    return wire.id_only(client.id)


async def list_clients(call: Call) -> Any:
    user_id = acting_user(call)
    clients = [c for c in call.world.oauth_clients.values() if c.user_id == user_id]
    return wire.ok(*(views.oauth_client(c) for c in clients), pagination=NO_PAGES)


async def get_client(call: Call) -> Any:
    return wire.ok(views.oauth_client(_own_client(call)))


async def update_client(call: Call) -> Any:
    client = _own_client(call)
    status = call.object().get("status")
    if status not in ("ACTIVE", "CANCELLED"):
        raise ApiError(400, "The status of an OAuth client can be ACTIVE or CANCELLED.")
    client.status = status
    return wire.id_only(client.id)


async def create_callback(call: Call) -> Any:
    client = _own_client(call)
    url = _valid_url(call.object().get("url"))
    world = call.world
    with world.lock:
        now = world.clock.utcnow()
        callback = CallbackUrl(world.next_id("callback_url"), url, now, now)
        client.callback_urls.append(callback)
    return wire.id_only(callback.id)


async def list_callbacks(call: Call) -> Any:
    client = _own_client(call)
    items = [{"OauthCallbackUrl": views.callback_url(c)} for c in client.callback_urls]
    return wire.ok(*items, pagination=NO_PAGES)


def _callback(call: Call) -> tuple[OauthClient, CallbackUrl]:
    client = _own_client(call)
    for callback in client.callback_urls:
        if callback.id == call.param(2):
            return client, callback
    raise wire.not_found("OauthCallbackUrl", call.param(2))


async def get_callback(call: Call) -> Any:
    return wire.ok({"OauthCallbackUrl": views.callback_url(_callback(call)[1])})


async def update_callback(call: Call) -> Any:
    _client, callback = _callback(call)
    callback.url = _valid_url(call.object().get("url"))
    callback.updated = call.world.clock.utcnow()
    return wire.id_only(callback.id)


async def delete_callback(call: Call) -> Any:
    client, callback = _callback(call)
    client.callback_urls.remove(callback)
    return wire.ok()
