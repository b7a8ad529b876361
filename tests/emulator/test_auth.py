"""Signatures where docs/protocol.md#request-signatures requires them, the token model, session
expiry and extension (docs/protocol.md#sessions)."""

from __future__ import annotations

import json
import re

from emu_client import BunqClient, client_key, control, new_user, sign

from bunqtui.emulator.config import EmulatorConfig
from bunqtui.emulator.server import EmulatorServer

SIG_466 = "For this operation a request signature is required. Check the urls for more information."


def _ready_for_session(emulator, make_client):
    client = make_client()
    client.install()
    client.register_device(emulator.demo_api_key)
    return client


def test_session_server_signature_missing_is_466(emulator, make_client) -> None:
    client = _ready_for_session(emulator, make_client)
    reply = client.post("/session-server", {"secret": emulator.demo_api_key}, token="installation")
    assert reply.status == 466
    (error,) = reply.json()["Error"]
    assert error["error_description"] == SIG_466
    assert error["error_additional_parameter"] == [
        {"url_together_post": "https://together.bunq.com/d/15399"}
    ]
    assert b"https:\\/\\/together.bunq.com" in reply.body


def test_session_server_signature_invalid_is_400(emulator, make_client) -> None:
    client = _ready_for_session(emulator, make_client)
    body = {"secret": emulator.demo_api_key}
    wrong = sign(client.key, b"something else")
    reply = client.post("/session-server", body, token="installation", signature=wrong)
    assert reply.status == 400
    assert reply.error == "The request signature is invalid."
    reply = client.post("/session-server", body, token="installation", signature="bm9wZQ==")
    assert reply.status == 400
    # the right bytes signed with a key that is not this installation's
    other = sign(client_key(1), json.dumps(body).encode())
    reply = client.post("/session-server", body, token="installation", signature=other)
    assert reply.status == 400
    assert reply.error == "The request signature is invalid."


def test_sdk_style_pretty_signed_body_verifies(emulator, make_client) -> None:
    client = _ready_for_session(emulator, make_client)
    raw = json.dumps({"secret": emulator.demo_api_key}, indent=4, sort_keys=True).encode()
    reply = client.call(
        "POST", "/session-server", raw=raw, token="installation", signature=sign(client.key, raw)
    )
    assert reply.status == 200
    assert next(iter(reply.items[2])) == "UserPerson"


def test_payment_post_needs_a_signature_others_ignore_it(demo) -> None:
    bank = demo.accounts("monetary-account-bank")[0]
    alias = {"type": "EMAIL", "value": "bravo@bunq.com"}
    assert demo.pay(bank["id"], "1.00", alias, sign_body=False).status == 466
    bad = sign(demo.key, b"{}")
    assert demo.pay(bank["id"], "1.00", alias, sign_body=False, signature=bad).status == 400
    assert demo.pay(bank["id"], "1.00", alias).status == 200
    # everywhere else a signature is ignored, even a wrong one
    assert demo.get("/user", signature="garbage").status == 200
    reply = demo.post(
        f"/user/{demo.user_id}/monetary-account/{bank['id']}/request-inquiry",
        {
            "amount_inquired": {"value": "1.00", "currency": "EUR"},
            "counterparty_alias": alias,
            "description": "unsigned is fine",
            "allow_bunqme": False,
        },
        signature="garbage",
    )
    assert reply.status == 200


def test_installation_token_only_where_it_belongs(emulator, make_client) -> None:
    client = make_client(emulator.demo_api_key)
    # the installation token does not open the API …
    reply = client.get("/user", token="installation")
    assert reply.status == 401
    assert reply.error == "Insufficient authorisation."
    # … and the session token does not make devices or sessions
    reply = client.post("/device-server", {"description": "x", "secret": emulator.demo_api_key})
    assert reply.status == 401
    reply = client.post("/session-server", {"secret": emulator.demo_api_key}, sign_body=True)
    assert reply.status == 400
    assert reply.error == "Authentication token already has a user session."
    # no token at all
    assert client.get("/user", token=None, check_signature=False).status == 401


def test_device_and_session_need_a_known_secret(emulator, make_client) -> None:
    client = make_client()
    client.install()
    reply = client.post(
        "/device-server",
        {"description": "x", "secret": "sandbox_" + "0" * 56},
        token="installation",
    )
    assert reply.status == 400
    assert reply.error == "User credentials are incorrect. Incorrect API key or IP address."
    reply = client.post("/device-server", {"description": "x"}, token="installation")
    assert reply.status == 400
    reply = client.post(
        "/device-server",
        {"description": 5, "secret": emulator.demo_api_key},
        token="installation",
    )
    assert reply.status == 400
    # a session before any device is refused
    reply = client.post(
        "/session-server",
        {"secret": emulator.demo_api_key},
        token="installation",
        sign_body=True,
    )
    assert reply.status == 400


def test_session_expires_after_timeout(emulator, demo) -> None:
    timeout = demo.user["session_timeout"]
    control(emulator.root_url, "POST", "clock", {"advance_seconds": timeout - 60})
    assert demo.get("/user").status == 200  # not in the last 30 s: no extension
    control(emulator.root_url, "POST", "clock", {"advance_seconds": 61})
    reply = demo.get("/user")
    assert reply.status == 401
    assert reply.error == "Insufficient authorisation."


def test_requests_in_the_last_30_seconds_extend_by_at_most_5_minutes(emulator, demo) -> None:
    timeout = demo.user["session_timeout"]
    assert timeout > 300
    control(emulator.root_url, "POST", "clock", {"advance_seconds": timeout - 20})
    assert demo.get("/user").status == 200  # 20 s left: extended to now + 300 s
    control(emulator.root_url, "POST", "clock", {"advance_seconds": 290})
    assert demo.get("/user").status == 200  # 10 s left: extended again by 300 s
    control(emulator.root_url, "POST", "clock", {"advance_seconds": 301})
    assert demo.get("/user").status == 401


def test_request_outside_window_does_not_extend(emulator, demo) -> None:
    timeout = demo.user["session_timeout"]
    control(emulator.root_url, "POST", "clock", {"advance_seconds": timeout - 31})
    assert demo.get("/user").status == 200  # 31 s left: outside the window
    control(emulator.root_url, "POST", "clock", {"advance_seconds": 32})
    assert demo.get("/user").status == 401


def test_delete_session_any_id_then_401_and_new_session(emulator, demo) -> None:
    first = demo.session_token
    demo.open_session(emulator.demo_api_key)  # a second session from the same installation …
    # … leaves the first one valid (docs/protocol.md#sessions)
    assert demo.get("/user", token=first).status == 200
    reply = demo.delete("/session/987654")  # the id is not checked; the token's session goes
    assert reply.status == 200
    assert reply.json() == {"Response": []}
    assert demo.get("/user").status == 401
    assert demo.delete("/session/0").status == 401
    demo.open_session(emulator.demo_api_key)  # the installation token opens a new one
    assert demo.get("/user").status == 200


def test_expire_sessions_fault_makes_tokens_stale(emulator, demo) -> None:
    control(emulator.root_url, "DELETE", "stats")
    control(emulator.root_url, "POST", "faults", {"expire_sessions": True})
    assert demo.get("/user").status == 401
    demo.open_session(emulator.demo_api_key)
    assert demo.get("/user").status == 200
    # the refused request still counts in the stats
    assert control(emulator.root_url, "GET", "stats")["by_route"] == {
        "GET /v1/user": 2,
        "POST /v1/session-server": 1,
    }


def test_sandbox_users_without_auth(emulator, make_client) -> None:
    anonymous = make_client()
    for kind, user_kind in (("person", "UserPerson"), ("company", "UserCompany")):
        reply = anonymous.post(f"/sandbox-user-{kind}", token=None)
        assert reply.status == 200
        key = reply.only("ApiKey")["api_key"]
        assert re.fullmatch(r"sandbox_[0-9a-f]{56}", key)
        client = make_client(key, key_slot=2)
        assert client.user_kind == user_kind
        accounts = client.accounts()
        assert accounts and all(a["balance"]["currency"] == "EUR" for a in accounts)


def test_control_users_make_fresh_users(emulator, make_client) -> None:
    made = new_user(emulator.root_url, "company", accounts=3, payments=5)
    client = make_client(made["api_key"], key_slot=3)
    assert client.user_kind == "UserCompany" and client.user_id == made["user_id"]
    assert len(client.accounts()) == 3


def test_stale_session_403_variant_is_a_knob() -> None:
    config = EmulatorConfig(seed=1, rate_limit=False, stale_session_status=403)
    with EmulatorServer(config=config) as server:
        client = BunqClient(server.base_url).login(server.demo_api_key)
        try:
            control(server.root_url, "POST", "faults", {"expire_sessions": True})
            reply = client.get("/user")
            assert reply.status == 403
            assert reply.error == "Insufficient authentication."
        finally:
            client.close()
