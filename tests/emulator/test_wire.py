"""Wire rules (docs/protocol.md#wire-format, #headers, #signing): envelopes and item order,
PHP-style JSON, headers, server signatures."""

from __future__ import annotations

import json
import re
import uuid

import httpx
from emu_client import public_pem, verifies

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$")
HEX64 = re.compile(r"^[0-9a-f]{64}$")


def test_installation_envelope_order_and_formats(emulator, make_client) -> None:
    client = make_client()
    reply = client.install()
    items = reply.items
    assert [next(iter(i)) for i in items] == ["Id", "Token", "ServerPublicKey"]
    token = items[1]["Token"]
    assert HEX64.match(token["token"]) and isinstance(token["id"], int)
    assert TIMESTAMP.match(token["created"]) and TIMESTAMP.match(token["updated"])
    assert items[2]["ServerPublicKey"]["server_public_key"].startswith("-----BEGIN PUBLIC KEY-----")
    assert reply.headers["content-type"] == "application/json"
    assert b"\\/" in reply.body  # PEM slashes escaped PHP-style
    compact = json.dumps(reply.json(), separators=(",", ":")).replace("/", "\\/")
    assert compact.encode() == reply.body


def test_session_envelope_id_equals_token_id(emulator, make_client) -> None:
    client = make_client()
    client.install()
    client.register_device(emulator.demo_api_key)
    reply = client.open_session(emulator.demo_api_key)
    items = reply.items
    assert [next(iter(i)) for i in items] == ["Id", "Token", "UserPerson"]
    assert items[0]["Id"]["id"] == items[1]["Token"]["id"]
    assert HEX64.match(items[1]["Token"]["token"])
    assert items[2]["UserPerson"]["id"] == emulator.demo_user_id
    assert items[2]["UserPerson"]["session_timeout"] > 0


def test_json_is_compact_php_style(demo) -> None:
    reply = demo.get(f"/user/{demo.user_id}/monetary-account/{demo.accounts()[0]['id']}/payment")
    assert reply.status == 200
    text = reply.body.decode("ascii")  # \uXXXX escapes keep the body ASCII
    assert "/" not in text.replace("\\/", "")
    assert json.dumps(json.loads(text), separators=(",", ":")).replace("/", "\\/") == text
    assert list(reply.json()) == ["Response", "Pagination"]
    assert "\\/v1\\/user\\/" in text  # the pagination URLs, escaped


def test_non_ascii_is_escaped(demo) -> None:
    account = demo.accounts("monetary-account-bank")[0]
    reply = demo.put(
        f"/user/{demo.user_id}/monetary-account-bank/{account['id']}",
        {"description": "Café ✨"},
    )
    assert reply.status == 200
    body = demo.get(f"/user/{demo.user_id}/monetary-account-bank/{account['id']}").body
    assert b"Caf\\u00e9 \\u2728" in body
    assert json.loads(body)["Response"][0]["MonetaryAccountBank"]["description"] == "Café ✨"


def test_response_headers_on_success_error_and_unknown_route(demo) -> None:
    for reply in (
        demo.get("/user"),
        demo.get("/user/1"),  # someone else's id: 404
        demo.get("/no-such-thing"),
    ):
        assert reply.headers["content-type"] == "application/json"
        uuid.UUID(reply.headers["x-bunq-client-response-id"])
        assert "x-bunq-client-request-id" not in reply.headers
        assert reply.headers["x-bunq-server-signature"]  # verified by the client already
    sent = str(uuid.uuid4())
    reply = demo.get("/user", headers={"X-Bunq-Client-Request-Id": sent})
    assert reply.headers["x-bunq-client-request-id"] == sent
    assert (
        demo.get("/user").headers["x-bunq-client-response-id"]
        != reply.headers["x-bunq-client-response-id"]
    )


def test_errors_use_bunqs_envelope_in_english_and_dutch(demo) -> None:
    reply = demo.get("/user/1", headers={"X-Bunq-Language": "nl_NL"})
    assert reply.status == 404
    (error,) = reply.json()["Error"]
    assert set(error) == {"error_description", "error_description_translated"}
    # an unknown token names no installation, so no key of ours can have signed the reply
    reply = demo.get(
        "/user", token="0" * 64, headers={"X-Bunq-Language": "nl_NL"}, check_signature=False
    )
    assert reply.status == 401
    assert reply.json()["Error"][0]["error_description_translated"] == "Onvoldoende autorisatie."


def test_per_installation_server_keys_and_key_endpoint(emulator, make_client) -> None:
    one, two = make_client(key_slot=0), make_client(key_slot=1)
    one.login(emulator.demo_api_key)
    two.install()
    assert one.server_public_key != two.server_public_key
    reply = one.get(f"/installation/{one.installation_id}/server-public-key")
    assert reply.only("ServerPublicKey")["server_public_key"] == one.server_public_key
    reply = two.get(f"/installation/{two.installation_id}/server-public-key", token="installation")
    assert reply.only("ServerPublicKey")["server_public_key"] == two.server_public_key
    # another installation's id is not found, and a reply signed for one does not verify for two
    assert one.get(f"/installation/{two.installation_id}/server-public-key").status == 404
    body = one.get("/user").body
    sig = one.get("/user").headers["x-bunq-server-signature"]
    assert not verifies(two.server_public_key, body, sig)


def test_client_public_key_must_be_valid(make_client) -> None:
    client = make_client()
    reply = client.call("POST", "/installation", {"client_public_key": "nope"}, token=None)
    assert reply.status == 400
    assert reply.json()["Error"][0]["error_description"]
    reply = client.call("POST", "/installation", {}, token=None)
    assert reply.status == 400


def test_sdk_style_pretty_body_without_content_type(emulator, make_client) -> None:
    """The SDK sends indented, sorted JSON with no Content-Type; signatures are over raw bytes."""
    client = make_client()
    raw = json.dumps({"client_public_key": public_pem(client.key)}, indent=4, sort_keys=True)
    response = httpx.post(f"{emulator.base_url}/installation", content=raw.encode())
    assert response.status_code == 200
    assert response.json()["Response"][2]["ServerPublicKey"]
