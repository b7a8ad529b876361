"""The emulator over real loopback HTTP: handshake, wire format, reads, writes and the
rules of bunq-api.md (tokens, signatures, ownership, validation, rate limits, faults)."""

from __future__ import annotations

import re
from decimal import Decimal
from itertools import pairwise

import httpx
import pytest
from cryptography.exceptions import InvalidSignature
from emulator_test_client import Client, error_text


def _other_key():
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def client(emulator) -> Client:
    return Client(emulator.base_url, emulator.demo_api_key).handshake()


def _accounts(client: Client) -> list[dict]:
    body = client.ok("GET", f"/user/{client.user_id}/monetary-account")
    return [next(iter(item.values())) for item in body["Response"]]


def _bank(client: Client) -> dict:
    return next(
        a
        for a in _accounts(client)
        if a["status"] == "ACTIVE" and Decimal(a["balance"]["value"]) > 100
    )


def test_handshake_headers_and_compact_php_json(emulator, client: Client) -> None:
    response = client.request("GET", f"/user/{client.user_id}")
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-bunq-client-request-id"] == "req-1"
    assert re.fullmatch(r"[0-9a-f-]{36}", response.headers["x-bunq-client-response-id"])
    assert response.content.startswith(b'{"Response":[{"UserPerson":{')
    assert b": " not in response.content.split(b'"display_name"')[0]
    assert response.json()["Response"][0]["UserPerson"]["id"] == emulator.demo_user_id
    assert re.fullmatch(r"[0-9a-f]{64}", client.session_token)
    assert re.fullmatch(r"[0-9a-f]{64}", client.installation_token)


def test_seed_balance_chain_adds_up(client: Client) -> None:
    accounts = _accounts(client)
    assert len(accounts) >= 4
    total = 0
    for account in accounts:
        url = f"/user/{client.user_id}/monetary-account/{account['id']}/payment?count=200"
        payments: list[dict] = []
        while url:
            body = client.ok("GET", url.removeprefix("/v1"))
            payments += [item["Payment"] for item in body["Response"]]
            url = body["Pagination"]["older_url"]
        total += len(payments)
        if payments:
            newest = payments[0]
            assert newest["balance_after_mutation"]["value"] == account["balance"]["value"]
            for newer, older in pairwise(payments):
                after = Decimal(older["balance_after_mutation"]["value"]) + Decimal(
                    newer["amount"]["value"]
                )
                assert after == Decimal(newer["balance_after_mutation"]["value"])
    assert total >= 2000


def test_pagination_links(client: Client) -> None:
    account = _bank(client)
    base = f"/user/{client.user_id}/monetary-account/{account['id']}/payment"
    first = client.ok("GET", base + "?count=5")
    assert list(first) == ["Response", "Pagination"]
    assert set(first["Pagination"]) == {"future_url", "newer_url", "older_url"}
    ids = [item["Payment"]["id"] for item in first["Response"]]
    assert ids == sorted(ids, reverse=True)
    older = client.ok("GET", first["Pagination"]["older_url"].removeprefix("/v1"))
    assert older["Response"][0]["Payment"]["id"] < ids[-1]
    newer = client.ok("GET", older["Pagination"]["newer_url"].removeprefix("/v1"))
    assert [i["Payment"]["id"] for i in newer["Response"]] == ids
    assert client.request("GET", base + "?count=201").status_code == 400


def test_token_rules(emulator, client: Client) -> None:
    path = f"/user/{client.user_id}"
    assert client.request("GET", path, token="").status_code in (401, 403)
    wrong = client.request("GET", path, token=client.installation_token)
    assert wrong.status_code == 401
    assert error_text(wrong) == "Insufficient authorisation."
    again = client.request("POST", "/session-server", {"secret": client.api_key})
    assert again.status_code == 400
    session_id = next(iter(client.session.values()))["id"]
    assert client.ok("GET", path)["Response"]  # still fine before the delete
    listed = client.request(
        "POST", "/session-server", {"secret": client.api_key}, token=client.installation_token
    )
    assert listed.status_code == 200
    client.ok("DELETE", f"/session/{session_id}")
    assert client.request("GET", path).status_code == 401


def test_signature_required_for_session_and_payment(emulator) -> None:
    client = Client(emulator.base_url, emulator.demo_api_key)
    client.handshake()
    missing = client.request(
        "POST",
        "/session-server",
        {"secret": client.api_key},
        token=client.installation_token,
        signed=False,
    )
    assert missing.status_code == 466
    forged = Client(emulator.base_url, emulator.demo_api_key, key=_other_key())
    forged.installation_token, forged.server_public_key = (
        client.installation_token,
        client.server_public_key,
    )
    bad = forged.request(
        "POST", "/session-server", {"secret": client.api_key}, token=client.installation_token
    )
    assert bad.status_code == 400
    assert error_text(bad) == "The request signature is invalid."
    account = _bank(client)
    path = f"/user/{client.user_id}/monetary-account/{account['id']}/payment"
    body = {
        "amount": {"value": "1.00", "currency": "EUR"},
        "counterparty_alias": {"type": "EMAIL", "value": "sugardaddy@bunq.com", "name": "SD"},
        "description": "unsigned",
    }
    assert client.request("POST", path, body, signed=False).status_code == 466
    assert client.request("GET", f"/user/{client.user_id}", signed=False).status_code == 200


def test_payment_create_and_validation(client: Client) -> None:
    account = _bank(client)
    path = f"/user/{client.user_id}/monetary-account/{account['id']}/payment"
    alias = {"type": "EMAIL", "value": "sugardaddy@bunq.com", "name": "Sugar Daddy"}
    created = client.ok(
        "POST",
        path,
        {
            "amount": {"value": "12.5", "currency": "EUR"},
            "counterparty_alias": alias,
            "description": "hi",
        },
    )
    payment_id = created["Response"][0]["Id"]["id"]
    payment = client.ok("GET", f"{path}/{payment_id}")["Response"][0]["Payment"]
    assert payment["amount"] == {"currency": "EUR", "value": "-12.50"}
    expected = Decimal(account["balance"]["value"]) - Decimal("12.50")
    assert Decimal(payment["balance_after_mutation"]["value"]) == expected
    for value in ("0", "-1", "1.001", "abc"):
        bad = client.request(
            "POST",
            path,
            {
                "amount": {"value": value, "currency": "EUR"},
                "counterparty_alias": alias,
                "description": "x",
            },
        )
        assert bad.status_code == 400, value
    unknown = {"type": "EMAIL", "value": "nobody@example.invalid", "name": "x"}
    assert (
        client.request(
            "POST",
            path,
            {
                "amount": {"value": "1", "currency": "EUR"},
                "counterparty_alias": unknown,
                "description": "x",
            },
        ).status_code
        == 400
    )
    broke = client.request(
        "POST",
        path,
        {
            "amount": {"value": "99999999", "currency": "EUR"},
            "counterparty_alias": alias,
            "description": "x",
        },
    )
    assert broke.status_code == 400
    assert client.request("POST", path, raw=b"{not json").status_code == 400


def test_request_inquiry_sugar_daddy_pays(client: Client) -> None:
    account = _bank(client)
    before = Decimal(account["balance"]["value"])
    path = f"/user/{client.user_id}/monetary-account/{account['id']}/request-inquiry"
    body = {
        "amount_inquired": {"value": "100", "currency": "EUR"},
        "counterparty_alias": {"type": "EMAIL", "value": "sugardaddy@bunq.com", "name": "SD"},
        "description": "top up",
        "allow_bunqme": False,
    }
    inquiry_id = client.ok("POST", path, body)["Response"][0]["Id"]["id"]
    inquiry = client.ok("GET", f"{path}/{inquiry_id}")["Response"][0]["RequestInquiry"]
    assert inquiry["status"] == "ACCEPTED"
    after = Decimal(
        client.ok("GET", f"/user/{client.user_id}/monetary-account/{account['id']}")["Response"][
            0
        ].popitem()[1]["balance"]["value"]
    )
    assert after == before + 100
    listed = client.ok("GET", path)["Response"]
    assert any(item["RequestInquiry"]["id"] == inquiry_id for item in listed)


def test_no_cross_user_leaks(emulator, client: Client) -> None:
    other = httpx.post(
        emulator.root_url + "/_emulator/users",
        json={"kind": "person", "accounts": 2, "payments": 5},
    ).json()
    stranger = Client(emulator.base_url, other["api_key"]).handshake()
    account = _bank(client)
    assert stranger.request("GET", f"/user/{client.user_id}").status_code == 404
    assert (
        stranger.request(
            "GET", f"/user/{stranger.user_id}/monetary-account/{account['id']}"
        ).status_code
        == 404
    )
    assert (
        stranger.request(
            "GET", f"/user/{client.user_id}/monetary-account/{account['id']}/payment"
        ).status_code
        == 404
    )


def test_unknown_route_and_method(client: Client) -> None:
    assert client.request("GET", "/no-such-thing").status_code == 404
    response = client.request("DELETE", f"/user/{client.user_id}")
    assert response.status_code == 405
    assert "Error" in response.json()


def test_sandbox_user_and_events_and_cards(emulator, client: Client) -> None:
    for kind in ("person", "company"):
        key = httpx.post(f"{emulator.base_url}/sandbox-user-{kind}").json()["Response"][0][
            "ApiKey"
        ]["api_key"]
        assert re.fullmatch(r"sandbox_[0-9a-f]{56}", key)
    assert client.ok("GET", f"/user/{client.user_id}/event")["Response"]
    assert client.ok("GET", f"/user/{client.user_id}/card")["Response"]


def test_rate_limit_429_unsigned(emulator_rate_limited) -> None:
    client = Client(emulator_rate_limited.base_url, emulator_rate_limited.demo_api_key).handshake()
    statuses = [
        client.http.get(
            f"{client.base_url}/user/{client.user_id}",
            headers={"X-Bunq-Client-Authentication": client.session_token},
        )
        for _ in range(4)
    ]
    assert [r.status_code for r in statuses[:3]] == [200, 200, 200]
    assert statuses[3].status_code == 429
    assert "x-bunq-server-signature" not in statuses[3].headers
    stats = httpx.get(emulator_rate_limited.root_url + "/_emulator/stats").json()
    assert stats["rate_limited"] >= 1 and stats["total"] >= 7


def test_faults_and_stats(emulator, client: Client) -> None:
    control = emulator.root_url + "/_emulator"
    httpx.delete(control + "/stats")
    assert httpx.post(control + "/faults", json={"http_500": 1}).status_code == 200
    assert client.request("GET", f"/user/{client.user_id}").status_code == 500
    httpx.post(control + "/faults", json={"bad_signature": 1})
    with pytest.raises(InvalidSignature):
        client.request("GET", f"/user/{client.user_id}")
    httpx.post(control + "/faults", json={"drop": 1})
    with pytest.raises(httpx.TransportError):
        client.request("GET", f"/user/{client.user_id}")
    httpx.post(control + "/faults", json={"expire_sessions": True})
    assert client.request("GET", f"/user/{client.user_id}").status_code == 401
    assert httpx.delete(control + "/faults").status_code == 200
    stats = httpx.get(control + "/stats").json()
    assert stats["total"] == 4
    assert stats["by_route"]["GET /v1/user/{id}"] == 4
    assert httpx.post(control + "/faults", json={"bogus": 1}).status_code == 400


def test_info(emulator) -> None:
    info = httpx.get(emulator.root_url + "/_emulator/info").json()
    assert info["api_base_url"] == emulator.base_url
    assert info["demo_api_key"] == emulator.demo_api_key
    assert info["oauth_authorize_url"] == emulator.root_url + "/auth"
