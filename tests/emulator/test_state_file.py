"""`--state FILE` is data (JSON), never code: a round trip keeps the whole world, and a file
that is not the emulator's own — a pickle, garbage, another JSON — is refused, exit 2."""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from emu_client import BunqClient, client_key, control, public_pem, self_signed_certificate, sign
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bunqtui.emulator.config import EmulatorConfig
from bunqtui.emulator.server import EmulatorServer
from bunqtui.emulator.state import Installation, World
from bunqtui.emulator.statefile import VERSION, StateFileError, load_world, save_world

BUNQTUI = [sys.executable, "-m", "bunqtui"]
REDIRECT = "https://app.example/callback"


def _server(state: Path, seed: int = 5) -> EmulatorServer:
    config = EmulatorConfig(seed=seed, rate_limit=False, sugar_daddy_delay=0.0)
    return EmulatorServer(config=config, state_file=state)


def _fill(server: EmulatorServer, demo: BunqClient) -> None:
    """Put one of every kind of object into the world through the public and control APIs."""
    account = demo.accounts("monetary-account-bank")[0]["id"]
    alias = {"type": "EMAIL", "value": "sugardaddy@bunq.com"}
    geo = {"X-Bunq-Geolocation": "4.89 52.37 12 5"}
    assert demo.pay(account, "1.23", alias, description="kept", headers=geo).status == 200
    request = {
        "amount_inquired": {"value": "5.00", "currency": "EUR"},
        "counterparty_alias": alias,
        "description": "a request",
        "allow_bunqme": False,
    }
    path = f"/user/{demo.user_id}/monetary-account/{account}/request-inquiry"
    assert demo.post(path, request).status == 200
    base = f"/user/{demo.user_id}/oauth-client"
    client_id = demo.post(base, {"status": "ACTIVE"}).only("Id")["id"]
    assert demo.post(f"{base}/{client_id}/callback-url", {"url": REDIRECT}).status == 200
    oauth = demo.get(f"{base}/{client_id}").only("OauthClient")
    query = {"response_type": "code", "client_id": oauth["client_id"], "redirect_uri": REDIRECT}
    authorize = f"{server.root_url}/auth?{urlencode(query | {'state': 's'})}"
    body = {"authorize_url": authorize, "api_key": server.demo_api_key}
    redirect = control(server.root_url, "POST", "oauth/approve", body)["redirect_url"]
    code = parse_qs(urlsplit(redirect).query)["code"][0]
    token = httpx.post(
        server.root_url + "/v1/token",
        params={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": oauth["client_id"],
            "client_secret": oauth["secret"],
        },
    ).json()["access_token"]
    # a second, unused code stays in auth_codes
    control(server.root_url, "POST", "oauth/approve", body)
    granted = BunqClient(server.base_url, key_slot=2).login(token)
    granted.close()
    provider = BunqClient(server.base_url, key_slot=4)
    provider.install()
    cert_key = client_key(5)
    cert = self_signed_certificate("State Provider PISP AISP", cert_key)
    message = (public_pem(provider.key).rstrip("\n") + "\n" + provider.installation_token).encode()
    reply = provider.post(
        "/payment-service-provider-credential",
        {
            "client_payment_service_provider_certificate": cert,
            "client_payment_service_provider_certificate_chain": cert,
            "client_public_key_signature": sign(cert_key, message),
        },
        token="installation",
    )
    assert reply.status == 200, reply.body
    provider.close()
    # an attachment with its exact bytes (not UTF-8), an avatar made of it, a request to
    # another bunq user (a RequestResponse on their side, answered), a payment batch
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x02\x00\x00\x00\x03\xff\xfe"
    upload = demo.call(
        "POST",
        "/attachment-public",
        raw=png,
        headers={"Content-Type": "image/png", "X-Bunq-Attachment-Description": "kept"},
    )
    uuid = upload.only("Uuid")["uuid"]
    assert demo.post("/avatar", {"attachment_public_uuid": uuid}).status == 200
    bravo = {"type": "EMAIL", "value": "bravo@bunq.com"}
    assert demo.post(path, {**request, "counterparty_alias": bravo}).status == 200
    batch = {
        "payments": [{"amount": {"value": "0.10", "currency": "EUR"}, "counterparty_alias": bravo}]
    }
    batch_path = f"/user/{demo.user_id}/monetary-account/{account}/payment-batch"
    assert demo.post(batch_path, batch, sign_body=True).status == 200
    control(server.root_url, "POST", "users", {"kind": "company", "name": "Ünïcode \u202e B.V."})
    _fill_money_movement(server, demo)
    _fill_notes_and_statements(demo)
    control(server.root_url, "POST", "clock", {"advance_seconds": 12.5})


def _fill_notes_and_statements(demo: BunqClient) -> None:
    """A note on a payment and a statement export (its file bytes must survive too)."""
    base = f"/user/{demo.user_id}/monetary-account/{demo.accounts()[0]['id']}"
    payment = demo.get(f"{base}/payment?count=1").only("Payment")["id"]
    assert demo.post(f"{base}/payment/{payment}/note-text", {"content": "kept"}).status == 200
    body = {"statement_format": "PDF", "date_start": "2025-01-01", "date_end": "2025-12-31"}
    assert demo.post(f"{base}/customer-statement", body).status == 200


def _fill_money_movement(server: EmulatorServer, demo: BunqClient) -> None:
    """A paid bunq.me tab, an accepted and a pending draft payment, a scheduled payment that
    has booked one payment, and request ids the demo's installation has used."""
    account = demo.accounts("monetary-account-bank")[0]["id"]
    base = f"/user/{demo.user_id}/monetary-account/{account}"
    used = {"X-Bunq-Client-Request-Id": "state-file-request-id"}
    entry = {"amount_inquired": {"value": "4.00", "currency": "EUR"}, "description": "tab"}
    tab_id = demo.post(f"{base}/bunqme-tab", {"bunqme_tab_entry": entry}, headers=used)
    tab = demo.get(f"{base}/bunqme-tab/{tab_id.only('Id')['id']}").only("BunqMeTab")
    uuid = tab["bunqme_tab_entry"]["uuid"]
    control(server.root_url, "POST", f"bunqme-tab/{uuid}/pay", {"name": "Payer"})
    bravo = {"type": "EMAIL", "value": "bravo@bunq.com"}
    draft = {
        "entries": [{"amount": {"value": "0.50", "currency": "EUR"}, "counterparty_alias": bravo}],
        "number_of_required_accepts": 1,
    }
    accepted = demo.post(f"{base}/draft-payment", draft).only("Id")["id"]
    control(server.root_url, "POST", f"draft-payment/{accepted}/decide", {"accept": True})
    assert demo.post(f"{base}/draft-payment", draft).status == 200
    start = server.world.clock.utcnow().strftime("%Y-%m-%d %H:%M:%S")
    schedule = {"time_start": start, "recurrence_unit": "DAILY", "recurrence_size": 1}
    body = {
        "payment": {"amount": {"value": "0.25", "currency": "EUR"}, "counterparty_alias": bravo}
    }
    reply = demo.post(f"{base}/schedule-payment", body | {"schedule": schedule}, sign_body=True)
    assert reply.status == 200, reply.body
    held = server.world.accounts[account]
    assert held.tabs[0].payment_ids and held.schedules[-1].payment_ids  # [0]: the seed's
    assert [d.status for d in held.drafts] == ["ACCEPTED", "PENDING"]
    assert any(
        "state-file-request-id" in i.request_ids for i in server.world.installations.values()
    )


def _comparable(world: World) -> dict[str, Any]:
    """Every attribute of the world, with what has no == of its own made comparable."""

    def installation(i: Installation) -> Any:
        return dataclasses.replace(i, server_key=i.server_key.private_numbers())  # type: ignore[arg-type]

    out: dict[str, Any] = {}
    for name, value in vars(world).items():
        if name == "lock":
            continue
        if name == "rng":
            value = value.getstate()
        elif name == "clock":
            value = value.offset
        elif name in ("installations", "installations_by_id"):
            value = {k: installation(v) for k, v in value.items()}
        out[name] = value
    return out


def test_round_trip_keeps_the_whole_world_and_client_sessions(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with _server(state) as server:
        demo = BunqClient(server.base_url).login(server.demo_api_key)
        _fill(server, demo)
        account = demo.accounts("monetary-account-bank")[0]["id"]
        before = _comparable(server.world)
    # one of everything, or the equality below would prove less than it says
    empty = [
        k for k, v in before.items() if v in ({}, [], set(), 0, "") and k != "user_api_key_by_token"
    ]
    assert empty == []
    assert json.loads(state.read_bytes())["format"] == "bunqtui-emulator-state"

    after = load_world(state)
    assert after is not None
    assert _comparable(after) == before
    for account_object in after.accounts.values():  # indexes rebuilt onto the same objects
        assert after.accounts_by_iban[account_object.iban] is account_object

    # A session made before the restart is used after it, on the restarted emulator: its
    # server key verifies the replies (emu_client checks every signature), its client key the
    # signed payment.
    with _server(state) as again:
        demo.base_url, demo.root_url = again.base_url, again.root_url
        assert demo.get("/user").status == 200
        alias = {"type": "EMAIL", "value": "sugardaddy@bunq.com"}
        assert demo.pay(account, "0.01", alias).status == 200
        demo.close()
        assert _comparable(again.world)["rng"] != before["rng"]  # the seeded RNG went on


def test_save_is_data_only_and_private(tmp_path: Path) -> None:
    state = tmp_path / "d" / "state.json"
    with _server(state, seed=1):
        pass
    assert state.stat().st_mode & 0o777 == 0o600
    text = state.read_text("ascii")  # non-ASCII names are escaped: the file is plain ASCII
    document = json.loads(text)
    assert set(document) == {"format", "version", "records", "world"}
    assert [p.name for p in state.parent.iterdir()] == ["state.json"]


class _Touch:
    """Unpickling this creates a marker file: what a hostile state file would do instead."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (str(self.marker), "w"))


def _run(state: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*BUNQTUI, "emulator", "--state", str(state), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.mark.parametrize("kind", ["pickle", "garbage", "nested"])
def test_the_cli_refuses_a_foreign_state_file_and_runs_nothing(tmp_path: Path, kind: str) -> None:
    marker = tmp_path / "pwned"
    state = tmp_path / "state.json"
    content = {
        "pickle": pickle.dumps(_Touch(marker)),
        "garbage": os.urandom(4096),
        "nested": b"[" * 200_000 + b"]" * 200_000,
    }[kind]
    state.write_bytes(content)
    done = _run(state)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(state) in lines[0] and "not an emulator state file" in lines[0]
    assert done.stdout == ""  # never started serving
    assert not marker.exists()
    assert state.read_bytes() == content  # left as it was
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


@pytest.fixture(scope="module")
def good_document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    state = tmp_path_factory.mktemp("good") / "state.json"
    with _server(state, seed=1):
        pass
    return json.loads(state.read_bytes())


def _edit(document: dict[str, Any], change: str) -> Any:
    doc = json.loads(json.dumps(document))
    world = doc["world"]
    fields = doc["records"]
    payments = fields["Account"].index("payments")
    payment = next(a[payments] for a in world["accounts"] if a[payments])[0]
    if change == "not an object":
        return [doc]
    if change == "other format":
        doc["format"] = "something-else"
    elif change == "later version":
        doc["version"] = VERSION + 1
    elif change == "extra top-level field":
        doc["extra"] = 1
    elif change == "other record fields":
        fields["Payment"] = [*fields["Payment"], "new_field"]
    elif change == "missing world field":
        del world["users"]
    elif change == "amount not a decimal":
        payment[fields["Payment"].index("amount")] = "lots"
    elif change == "amount NaN":
        payment[fields["Payment"].index("amount")] = "NaN"
    elif change == "amount as float":
        payment[fields["Payment"].index("amount")] = 1.5
    elif change == "naive datetime":
        payment[fields["Payment"].index("created")] = "2026-01-01T00:00:00"
    elif change == "id as text":
        world["users"][0][0] = "1"
    elif change == "id as bool":
        world["users"][0][0] = True
    elif change == "huge id":
        world["users"][0][0] = 2**80
    elif change == "short record":
        world["users"][0] = world["users"][0][:-1]
    elif change == "record as object":
        world["users"][0] = dict(zip(fields["User"], world["users"][0], strict=True))
    elif change == "dangling owner":
        world["accounts"][0][fields["Account"].index("owner_id")] = 1
    elif change == "duplicate user":
        world["users"].append(world["users"][0])
    elif change == "bad rng":
        world["rng"] = [3, [0] * 10, None]
    elif change == "counters of other kinds":
        world["counters"] = {"user": 1}
    elif change == "geolocation nested":
        payment[fields["Payment"].index("geolocation")] = {"a": {"b": {}}}
    elif change == "demo key unknown":
        world["demo_api_key"] = "sandbox_nope"
    return doc


# change → what the one-line error says (so each edit is caught by the check meant for it)
CHANGES = {
    "not an object": "expected a bunqtui emulator state",
    "other format": "expected a bunqtui emulator state",
    "later version": f"version: expected {VERSION}",
    "extra top-level field": "the file: expected no fields but its own",
    "other record fields": "records: expected the fields",
    "missing world field": "world: expected the field(s) users",
    "amount not a decimal": "amount: expected a decimal number",
    "amount NaN": "amount: expected a finite decimal",
    "amount as float": "amount: expected a decimal number as text",
    "naive datetime": "created: expected a date-time with its UTC offset",
    "id as text": "users[0].id: expected an integer",
    "id as bool": "users[0].id: expected an integer",
    "huge id": "users[0].id: expected an integer",
    "short record": "users[0]: expected a User of 13 fields",
    "record as object": "users[0]: expected a User of 13 fields",
    "dangling owner": "expected owners that exist",
    "duplicate user": "world.users: expected one entry per id",
    "bad rng": "world.rng: expected a Mersenne Twister state",
    "counters of other kinds": "world.counters: expected one counter per kind",
    "geolocation nested": "geolocation: expected an object of plain values",
    "demo key unknown": "demo_api_key: expected the demo user's API key",
}


@pytest.mark.parametrize("change", CHANGES)
def test_json_of_the_wrong_shape_is_refused(
    tmp_path: Path, good_document: dict[str, Any], change: str
) -> None:
    state = tmp_path / "state.json"
    state.write_text(json.dumps(_edit(good_document, change)))
    with pytest.raises(StateFileError, match="is not an emulator state file") as refused:
        load_world(state)
    assert CHANGES[change] in str(refused.value)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"null",
        b"\xff\xfe not utf-8",
        b'{"format": NaN}',
        b"1" * 5000,  # more digits than int() takes
        b"{" * 100_000,
        pickle.dumps({"format": "bunqtui-emulator-state"}),
        pickle.dumps({"format": "bunqtui-emulator-state"}, protocol=0),
    ],
)
def test_garbage_is_refused(tmp_path: Path, content: bytes) -> None:
    state = tmp_path / "state.json"
    state.write_bytes(content)
    with pytest.raises(StateFileError, match="is not an emulator state file"):
        load_world(state)


def test_unchanged_document_loads(tmp_path: Path, good_document: dict[str, Any]) -> None:
    """The control for the refusals above: the same document, unedited, is accepted."""
    state = tmp_path / "state.json"
    state.write_text(json.dumps(good_document))
    world = load_world(state)
    assert world is not None
    save_world(world, state)
    assert json.loads(state.read_bytes()) == good_document


def test_an_unreadable_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StateFileError, match="cannot read"):
        load_world(tmp_path)  # a directory


def _small_document() -> dict[str, Any]:
    from bunqtui.emulator.app import Emulator
    from bunqtui.emulator.statefile import encode_world

    world = Emulator(EmulatorConfig(seed=3, demo_payments=5)).world
    return json.loads(json.dumps(encode_world(world)))


SMALL = _small_document()


def _slots(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON document a value sits (the rng's 625 integers count once)."""
    places = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            places += _slots(item, (*path, key))
    elif isinstance(value, list) and path[-1:] != (1,):
        for index, item in enumerate(value):
            places += _slots(item, (*path, index))
    return places


SLOTS = _slots(SMALL)[1:]
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.sampled_from(["2026-01-01T00:00:00+00:00", "1.00", "NaN", "-1E+999999", "sandbox_x"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=6,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.sampled_from(SLOTS), json_values), min_size=1, max_size=3))
def test_any_edit_of_a_state_file_loads_or_is_refused_never_a_crash(
    tmp_path: Path, edits: list[tuple[tuple[Any, ...], Any]]
) -> None:
    document = json.loads(json.dumps(SMALL))
    for path, value in edits:
        target = document
        try:
            for step in path[:-1]:
                target = target[step]
            target[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit replaced the container
    state = tmp_path / "fuzz.json"
    state.write_text(json.dumps(document))
    try:
        load_world(state)
    except StateFileError as refused:
        assert "\n" not in str(refused)


def test_a_failed_save_after_a_request_does_not_fail_the_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bunqtui.emulator import statefile

    def full_disk(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    state = tmp_path / "state.json"
    with _server(state, seed=1) as server:
        demo = BunqClient(server.base_url).login(server.demo_api_key)
        bank = demo.accounts("monetary-account-bank")[0]["id"]
        monkeypatch.setattr(statefile.os, "replace", full_disk)
        path = f"/user/{demo.user_id}/monetary-account-bank/{bank}"
        assert demo.put(path, {"description": "renamed"}).status == 200
        demo.close()
        monkeypatch.undo()
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temp file left behind
