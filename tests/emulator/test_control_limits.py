"""Rate limits (docs/protocol.md#rate-limits), fault injection, stats and the clock on the control
API, and bad input
that must get bunq's error envelope (never a traceback)."""

from __future__ import annotations

import httpx
import pytest
from emu_client import BunqClient, control

GET_429 = "Too many requests. You can do a maximum of 3 calls per 3 second to this endpoint."


@pytest.fixture
def limited(emulator_rate_limited) -> BunqClient:
    client = BunqClient(emulator_rate_limited.base_url)
    client.login(emulator_rate_limited.demo_api_key)
    yield client
    client.close()


def test_get_limit_per_route_template(emulator_rate_limited, limited) -> None:
    accounts = [a["id"] for a in limited.accounts()]  # 1st GET on this template
    path = f"/user/{limited.user_id}/monetary-account"
    # different ids, same template /user/{id}/monetary-account/{id}: one shared window
    assert limited.get(f"{path}/{accounts[0]}").status == 200
    assert limited.get(f"{path}/{accounts[1]}").status == 200
    assert limited.get(f"{path}/{accounts[2]}").status == 200
    reply = limited.get(f"{path}/{accounts[3]}")
    assert reply.status == 429
    assert reply.error == GET_429
    assert reply.json()["Error"][0]["error_description_translated"]
    assert "x-bunq-server-signature" not in reply.headers
    # another template has its own window
    assert limited.get("/user").status == 200
    stats = control(emulator_rate_limited.root_url, "GET", "stats")
    assert stats["rate_limited"] == 1


def test_put_limit_is_two(limited) -> None:
    account = limited.accounts("monetary-account-bank")[0]
    path = f"/user/{limited.user_id}/monetary-account-bank/{account['id']}"
    assert limited.put(path, {"description": "a"}).status == 200
    assert limited.put(path, {"description": "b"}).status == 200
    reply = limited.put(path, {"description": "c"})
    assert reply.status == 429
    assert "maximum of 2 calls per 3 second" in reply.error


def test_post_limit_is_five(limited) -> None:
    account = limited.accounts("monetary-account-bank")[0]
    path = f"/user/{limited.user_id}/monetary-account/{account['id']}/request-inquiry"
    body = {
        "amount_inquired": {"value": "1.00", "currency": "EUR"},
        "counterparty_alias": {"type": "EMAIL", "value": "bravo@bunq.com"},
        "description": "x",
    }
    statuses = [limited.post(path, body).status for _ in range(6)]
    assert statuses == [200] * 5 + [429]


def test_session_server_one_per_30_seconds(emulator_rate_limited, limited) -> None:
    secret = emulator_rate_limited.demo_api_key
    body = {"secret": secret}
    reply = limited.post("/session-server", body, token="installation", sign_body=True)
    assert reply.status == 429
    assert reply.error == (
        "Too many requests. You can do a maximum of 1 calls per 30 second to this endpoint."
    )
    control(emulator_rate_limited.root_url, "POST", "clock", {"advance_seconds": 30})
    assert limited.post("/session-server", body, token="installation", sign_body=True).status == 200


def test_faults_take_the_next_n_responses(emulator, demo) -> None:
    root = emulator.root_url
    control(root, "DELETE", "stats")
    control(root, "POST", "faults", {"http_500": 1})
    reply = demo.get("/user")
    assert reply.status == 500
    assert reply.json()["Error"][0]["error_description"]
    assert demo.get("/user").status == 200

    control(root, "POST", "faults", {"http_491": 1})
    reply = demo.get("/user")
    assert reply.status == 491
    assert reply.headers["content-type"].startswith("text/html")
    assert b"<html" in reply.body

    control(root, "POST", "faults", {"bad_signature": 2})
    for _ in range(2):
        reply = demo.get("/user", check_signature=False)
        assert reply.status == 200
        assert reply.headers["x-bunq-server-signature"]
        with pytest.raises(AssertionError):
            demo._check(reply, True)
    demo.get("/user")  # verified again

    control(root, "POST", "faults", {"http_429": 2})
    replies = [demo.get("/user") for _ in range(3)]
    assert [reply.status for reply in replies] == [429, 429, 200]
    # 429s are unsigned (docs/protocol.md#response-signatures)
    assert "x-bunq-server-signature" not in replies[0].headers

    # every kind of reply still carries a response id and echoes the request id
    for fault in ("http_429", "http_491", "http_500"):
        control(root, "POST", "faults", {fault: 1})
        reply = demo.get("/user", headers={"X-Bunq-Client-Request-Id": fault})
        assert reply.headers["x-bunq-client-response-id"]
        assert reply.headers["x-bunq-client-request-id"] == fault

    # faulted requests are counted like any other; injected 429s count as rate limited
    assert control(root, "GET", "stats") == {
        "total": 12,
        "by_route": {"GET /v1/user": 12},
        "rate_limited": 3,
    }


def test_drop_processes_the_request_then_cuts_the_response(emulator, demo) -> None:
    bank = demo.accounts("monetary-account-bank")[0]
    control(emulator.root_url, "DELETE", "stats")
    control(emulator.root_url, "POST", "faults", {"drop": 1})
    with pytest.raises(httpx.HTTPError):
        demo.put(
            f"/user/{demo.user_id}/monetary-account-bank/{bank['id']}",
            {"description": "dropped"},
        )
    got = demo.get(f"/user/{demo.user_id}/monetary-account-bank/{bank['id']}")
    assert got.only("MonetaryAccountBank")["description"] == "dropped"
    assert control(emulator.root_url, "GET", "stats")["by_route"] == {
        "PUT /v1/user/{id}/monetary-account-bank/{id}": 1,  # the dropped one is counted
        "GET /v1/user/{id}/monetary-account-bank/{id}": 1,
    }


def test_latency_and_clearing_faults(emulator, demo) -> None:
    root = emulator.root_url
    state = control(root, "POST", "faults", {"latency_ms": 150, "http_500": 3})
    assert state["latency_ms"] == 150 and state["http_500"] == 3
    reply = httpx.get(f"{emulator.base_url}/user", timeout=5)  # no token: still slowed
    assert reply.elapsed.total_seconds() >= 0.15
    assert control(root, "DELETE", "faults") == {"latency_ms": 0.0}
    assert demo.get("/user").status == 200
    reply = httpx.post(f"{root}/_emulator/faults", json={"explode": 1})
    assert reply.status_code == 400


def test_stats_count_api_requests_by_route_template(emulator, demo) -> None:
    root = emulator.root_url
    control(root, "DELETE", "stats")
    accounts = demo.accounts()
    for account in accounts[:2]:
        demo.get(f"/user/{demo.user_id}/monetary-account/{account['id']}/payment")
    stats = control(root, "GET", "stats")
    assert stats["total"] == 3
    assert stats["by_route"] == {
        "GET /v1/user/{id}/monetary-account": 1,
        "GET /v1/user/{id}/monetary-account/{id}/payment": 2,
    }
    assert stats["rate_limited"] == 0
    assert control(root, "DELETE", "stats") == {"total": 0, "by_route": {}, "rate_limited": 0}


def test_clock_control_validates(emulator) -> None:
    reply = httpx.post(f"{emulator.root_url}/_emulator/clock", json={"advance_seconds": "x"})
    assert reply.status_code == 400
    reply = httpx.post(f"{emulator.root_url}/_emulator/users", json={"kind": "robot"})
    assert reply.status_code == 400
    reply = httpx.post(
        f"{emulator.root_url}/_emulator/users",
        content=b"{nope",
        headers={"Content-Type": "application/json"},
    )
    assert reply.status_code == 400


@pytest.mark.parametrize(
    ("method", "path", "raw", "status"),
    [
        ("POST", "/user/{u}/monetary-account-bank", b"{not json", 400),
        ("POST", "/user/{u}/monetary-account/{a}/payment", b"{not json", 400),
        ("POST", "/user/{u}/monetary-account-bank", b"\xff\xfe", 400),
        ("POST", "/user/{u}/monetary-account-bank", b"[1, 2]", 400),
        ("POST", "/user/{u}/monetary-account-bank", b'"text"', 400),
        ("POST", "/user/{u}/monetary-account-bank", b'{"currency": 5}', 400),
        ("PUT", "/user/{u}/monetary-account-bank/{a}", b'{"setting": 3}', 400),
        ("PUT", "/user/{u}/monetary-account-bank/{a}", b'{"description": ["x"]}', 400),
        ("GET", "/user/{u}/nothing-here", b"", 404),
        ("GET", "/completely/unknown", b"", 404),
        ("PATCH", "/user/{u}", b"", 405),
        ("DELETE", "/user/{u}/monetary-account", b"", 405),
        ("GET", "/user/99999999999999999999", b"", 404),
    ],
)
def test_bad_input_gets_bunqs_error_envelope(demo, method, path, raw, status) -> None:
    bank = demo.accounts("monetary-account-bank")[0]
    # payments need a signature (over the raw bytes) before the body is even parsed
    signed = path.endswith("/payment")
    reply = demo.call(method, path.format(u=demo.user_id, a=bank["id"]), raw=raw, sign_body=signed)
    assert reply.status == status, reply.body
    (error,) = reply.json()["Error"]
    assert error["error_description"] and "Traceback" not in error["error_description"]
    assert reply.headers["content-type"] == "application/json"


def test_outside_v1_is_a_json_404(emulator) -> None:
    reply = httpx.get(f"{emulator.root_url}/nothing")
    assert reply.status_code == 404
    assert reply.json()["Error"][0]["error_description"] == "Route not found."
    assert reply.headers["x-bunq-client-response-id"]
