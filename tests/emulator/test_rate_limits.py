"""The emulator started with other limits than bunq's published ones (docs/emulator.md#rate-limits):
per method and per endpoint, from a TOML or JSON file or flags, and a 429 that names the limit
hit in bunq's sentence."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from emu_client import BunqClient, control

from bunqtui.emulator.config import EmulatorConfig
from bunqtui.emulator.ratelimit import (
    Limits,
    LimitsError,
    Window,
    limits_from_flags,
    limits_from_mapping,
    load_limits,
    message,
)
from bunqtui.emulator.server import EmulatorServer

PAYMENTS = "GET /v1/user/{id}/monetary-account/{id}/payment"


def serve(limits: Limits) -> EmulatorServer:
    config = EmulatorConfig(seed=1, rate_limits=Limits().merged(limits), sugar_daddy_delay=0)
    return EmulatorServer(config=config)


@pytest.fixture
def custom() -> Iterator[tuple[EmulatorServer, BunqClient]]:
    """GET 2 per 3 s in general, the payment listing 4 per 10 s."""
    limits = limits_from_flags(["GET=2/3", f"{PAYMENTS}=4/10"])
    with serve(limits) as server:
        client = BunqClient(server.base_url)
        client.login(server.demo_api_key)
        yield server, client
        client.close()


def test_the_429_names_the_limit_of_the_method_and_of_the_endpoint(custom) -> None:
    server, client = custom
    accounts = client.accounts()  # 1st GET /user/{id}/monetary-account
    assert client.get(f"/user/{client.user_id}/monetary-account").status == 200
    limited = client.get(f"/user/{client.user_id}/monetary-account")
    assert limited.status == 429
    assert limited.error == message(2, 3)
    assert limited.error == (
        "Too many requests. You can do a maximum of 2 calls per 3 second to this endpoint."
    )
    assert "x-bunq-server-signature" not in limited.headers
    payments = f"/user/{client.user_id}/monetary-account/{accounts[0]['id']}/payment"
    assert [client.get(payments).status for _ in range(5)] == [200] * 4 + [429]
    assert client.get(payments).error.endswith("maximum of 4 calls per 10 second to this endpoint.")
    # the endpoint's window is its own: 3 s later the method's window is free, this one not
    control(server.root_url, "POST", "clock", {"advance_seconds": 3})
    assert client.get(f"/user/{client.user_id}/monetary-account").status == 200
    assert client.get(payments).status == 429
    control(server.root_url, "POST", "clock", {"advance_seconds": 7})
    assert client.get(payments).status == 200
    # POST kept bunq's published 5 per 3 s, and /session-server its 1 per 30 s
    assert control(server.root_url, "GET", "stats")["rate_limited"] == 4


def test_a_limits_file_in_toml_or_json_on_top_of_the_published_limits(tmp_path: Path) -> None:
    toml = tmp_path / "limits.toml"
    toml.write_text(
        '[methods]\nGET = "10/3"\nPUT = {calls = 4, seconds = 3}\n'
        f'[routes]\n"{PAYMENTS}" = {{calls = 70, seconds = 30}}\n'
        '"POST /v1/session-server" = "1/60"\n'
    )
    limits = Limits().merged(load_limits(toml))
    assert limits.window("GET", "GET /v1/user") == Window(10, 3.0)
    assert limits.window("PUT", "PUT /v1/user/{id}") == Window(4, 3.0)
    assert limits.window("POST", "POST /v1/user/{id}/oauth-client") == Window(5, 3.0)
    assert limits.window("DELETE", "DELETE /v1/session/{id}") == Window(5, 3.0)
    assert limits.window("GET", PAYMENTS) == Window(70, 30.0)
    assert limits.window("POST", "POST /v1/session-server") == Window(1, 60.0)
    as_json = tmp_path / "limits.json"
    as_json.write_text(json.dumps({"methods": {"GET": "10/3"}, "routes": {PAYMENTS: "70/30"}}))
    from_json = Limits().merged(load_limits(as_json))
    assert from_json.window("GET", PAYMENTS) == Window(70, 30.0)
    assert from_json.window("POST", "POST /v1/session-server") == Window(1, 30.0)  # untouched
    # flags go on top of the file
    both = Limits().merged(load_limits(toml)).merged(limits_from_flags(["GET=7/3"]))
    assert both.window("GET", "GET /v1/user") == Window(7, 3.0)
    assert both.window("GET", PAYMENTS) == Window(70, 30.0)


@pytest.mark.parametrize(
    "data",
    [
        {"methods": {"GET": "0/3"}},
        {"methods": {"GET": "3/0"}},
        {"methods": {"GET": "3/-1"}},
        {"methods": {"GET": "three/3"}},
        {"methods": {"GET": {"calls": 3}}},
        {"methods": {"GET": {"calls": True, "seconds": 3}}},
        {"methods": {"GET": {"calls": 3.5, "seconds": 3}}},
        {"methods": {"PATCH": "3/3"}},
        {"methods": {PAYMENTS: "3/3"}},  # an endpoint in the methods table
        {"routes": {"GET": "3/3"}},  # a method in the routes table
        {"routes": {"GET /user/{id}": "3/3"}},  # not as stats names it
        {"routes": {"GET /v1/user/{id}\x1b[31m": "3/3"}},
        {"limits": {}},
        ["GET", "3/3"],
    ],
)
def test_a_limits_file_that_makes_no_sense_is_refused(data: object) -> None:
    with pytest.raises(LimitsError):
        limits_from_mapping(data)


def test_an_unknown_endpoint_is_refused_when_the_emulator_starts() -> None:
    with pytest.raises(LimitsError, match="no such endpoint"):
        serve(limits_from_flags(["GET /v1/user/{id}/no-such-thing=3/3"]))


def test_the_command_line_says_what_is_wrong_without_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "limits.toml"
    bad.write_text('[methods]\nGET = "0/3"\n')
    missing = tmp_path / "missing.json"
    cases = [
        (["--rate-limits", str(bad)], "calls must be a whole number"),
        (["--rate-limits", str(missing)], "cannot read"),
        (["--rate-limit", "GET=fast"], "CALLS/SECONDS"),
        (["--rate-limit", "GET /v1/user/{id}/nothing=3/3"], "no such endpoint"),
    ]
    for args, expected in cases:
        run = subprocess.run(
            [sys.executable, "-m", "bunqtui", "emulator", "--port", "0", *args],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode == 2, (args, run.stderr)
        assert expected in run.stderr and "Traceback" not in run.stderr


def test_the_command_line_puts_flags_over_the_file_over_bunqs_numbers(tmp_path: Path) -> None:
    import argparse

    from bunqtui.cli.emulator_cmd import _limits

    path = tmp_path / "limits.json"
    path.write_text(json.dumps({"methods": {"GET": "10/3", "PUT": "4/3"}}))
    args = argparse.Namespace(rate_limits=str(path), rate_limit=["GET=7/3", f"{PAYMENTS}=70/30"])
    limits = _limits(args)
    assert limits.window("GET", "GET /v1/user") == Window(7, 3.0)
    assert limits.window("PUT", "PUT /v1/user/{id}") == Window(4, 3.0)
    assert limits.window("GET", PAYMENTS) == Window(70, 30.0)
    assert limits.window("POST", "POST /v1/session-server") == Window(1, 30.0)
    assert _limits(argparse.Namespace()) == Limits()
