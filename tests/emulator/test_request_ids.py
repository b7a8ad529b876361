"""`X-Bunq-Client-Request-Id` once per device: bunq answers an error when the same id is used
again on the same DeviceServer (docs/protocol.md#headers) — so a replayed payment is refused
and books nothing, while requests without a token (the SDK's sandbox helper sends a constant)
and retries of requests refused before they counted keep working."""

from __future__ import annotations

from pathlib import Path

import httpx
from emu_client import BunqClient, control, request_id

from bunqtui.emulator.config import EmulatorConfig
from bunqtui.emulator.request_ids import DUPLICATE
from bunqtui.emulator.server import EmulatorServer

BRAVO = {"type": "EMAIL", "value": "bravo@bunq.com"}


def _payment_count(server: EmulatorServer) -> int:
    return sum(len(a.payments) for a in server.world.accounts.values())


def test_a_replayed_payment_is_refused_and_books_nothing(emulator, demo) -> None:
    bank = demo.accounts("monetary-account-bank")[0]["id"]
    same = {"X-Bunq-Client-Request-Id": request_id()}
    before = _payment_count(emulator)
    assert demo.pay(bank, "1.00", BRAVO, headers=same).status == 200
    replay = demo.pay(bank, "1.00", BRAVO, headers=same)
    assert (replay.status, replay.error) == (400, DUPLICATE)
    assert replay.headers["x-bunq-client-request-id"] == same["X-Bunq-Client-Request-Id"]
    assert _payment_count(emulator) == before + 2  # one payment: out here, in at bravo's
    # reads count as well; a fresh id works
    assert demo.get("/user", headers=same).status == 400
    assert demo.get("/user", headers={"X-Bunq-Client-Request-Id": request_id()}).status == 200


def test_a_payment_whose_answer_was_dropped_is_not_booked_twice(emulator, demo) -> None:
    bank = demo.accounts("monetary-account-bank")[0]["id"]
    same = {"X-Bunq-Client-Request-Id": request_id()}
    before = _payment_count(emulator)
    control(emulator.root_url, "POST", "faults", {"drop": 1})
    try:
        demo.pay(bank, "2.00", BRAVO, headers=same)
    except httpx.HTTPError:
        pass  # the answer was cut off after the payment was booked
    else:
        raise AssertionError("the drop fault did not cut the answer")
    demo.http.close()  # the connection is broken
    demo.http = httpx.Client(timeout=10)
    assert demo.pay(bank, "2.00", BRAVO, headers=same).status == 400
    assert _payment_count(emulator) == before + 2


def test_ids_are_per_device_and_refusals_before_authentication_do_not_count(
    emulator, demo, make_client
) -> None:
    same = {"X-Bunq-Client-Request-Id": request_id()}
    # a 429 is answered before the request counts: the retry may carry the same id
    control(emulator.root_url, "POST", "faults", {"http_429": 1})
    assert demo.get("/user", headers=same).status == 429
    assert demo.get("/user", headers=same).status == 200
    other_device = make_client(emulator.demo_api_key, key_slot=3)
    assert other_device.get("/user", headers=same).status == 200

    # an expired session's 401 does not count either: renew, then send the same id again
    fresh = {"X-Bunq-Client-Request-Id": request_id()}
    control(emulator.root_url, "POST", "faults", {"expire_sessions": True})
    assert demo.get("/user", headers=fresh).status == 401
    demo.open_session(emulator.demo_api_key)
    assert demo.get("/user", headers=fresh).status == 200


def test_calls_without_a_token_may_repeat_an_id(emulator) -> None:
    """bunq's SDK creates sandbox users with the constant id `uniqueness-is-required`."""
    constant = {"X-Bunq-Client-Request-Id": "uniqueness-is-required"}
    for _ in range(2):
        reply = httpx.post(f"{emulator.base_url}/sandbox-user-person", headers=constant)
        assert reply.status_code == 200, reply.text
    for _ in range(2):
        client = BunqClient(emulator.base_url)
        reply = client.call("POST", "/installation", {"client_public_key": ""}, token=None)
        assert reply.status != 200 and reply.error != DUPLICATE
        client.close()


def test_used_ids_survive_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    config = EmulatorConfig(seed=3, rate_limit=False, sugar_daddy_delay=0.0)
    same = {"X-Bunq-Client-Request-Id": request_id()}
    with EmulatorServer(config=config, state_file=state) as server:
        demo = BunqClient(server.base_url).login(server.demo_api_key)
        bank = demo.accounts("monetary-account-bank")[0]["id"]
        assert demo.pay(bank, "1.00", BRAVO, headers=same).status == 200
    with EmulatorServer(config=config, state_file=state) as again:
        demo.base_url = again.base_url
        assert demo.pay(bank, "1.00", BRAVO, headers=same).status == 400
        demo.close()
