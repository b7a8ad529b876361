"""Only requests addressed to the emulator's own address are answered (no DNS rebinding),
control POSTs take JSON only (no cross-site form or text POSTs), and a non-loopback bind
warns that anyone who can reach it gets the demo API key."""

from __future__ import annotations

import argparse
import socket
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from emu_client import BunqClient

from bunqtui.emulator.config import EmulatorConfig
from bunqtui.emulator.hosts import allowed_hosts, split_host
from bunqtui.emulator.server import EmulatorServer, exposure_warning

EVIL = "evil.example"


def _counts(server: EmulatorServer) -> tuple[Any, ...]:
    """What a request that had any effect would change."""
    world = server.world
    with world.lock:
        return (
            len(world.users),
            len(world.installations),
            len(world.auth_codes),
            world.clock.offset,
            server.emulator.stats.as_dict(),
            server.emulator.faults.as_dict(),
        )


def _authorize_query(server: EmulatorServer, demo: BunqClient) -> dict[str, str]:
    redirect = "https://app.example/callback"
    base = f"/user/{demo.user_id}/oauth-client"
    client_id = demo.post(base, {"status": "ACTIVE"}).only("Id")["id"]
    assert demo.post(f"{base}/{client_id}/callback-url", {"url": redirect}).status == 200
    oauth = demo.get(f"{base}/{client_id}").only("OauthClient")
    return {"response_type": "code", "client_id": oauth["client_id"], "redirect_uri": redirect}


def test_a_foreign_host_header_is_refused_everywhere_with_no_effect(
    emulator: EmulatorServer, demo: BunqClient
) -> None:
    query = _authorize_query(emulator, demo)
    port = emulator.port
    form = {**query, "user_id": str(emulator.demo_user_id), "decision": "approve"}
    requests: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", "/v1/installation", {"json": {"client_public_key": "x"}}),
        ("GET", f"/v1/user/{demo.user_id}", {}),
        ("GET", "/_emulator/info", {}),
        ("POST", "/_emulator/users", {"json": {"kind": "person"}}),
        ("POST", "/_emulator/clock", {"json": {"advance_seconds": 60}}),
        ("POST", "/_emulator/faults", {"json": {"http_500": 5}}),
        ("DELETE", "/_emulator/stats", {}),
        ("GET", f"/auth?{urlencode(query)}", {}),
        ("POST", "/auth/decide", {"data": form}),
        ("POST", "/v1/token", {"data": {"grant_type": "authorization_code"}}),
        ("POST", "/token", {}),
        ("GET", "/nowhere", {}),
    ]
    before = _counts(emulator)
    with httpx.Client(base_url=emulator.root_url, timeout=10) as http:
        for host in (f"{EVIL}:{port}", EVIL, f"127.0.0.1:{port + 1}", f"{EVIL}:{port}@x", ""):
            headers = {"Host": host, "X-Bunq-Client-Authentication": demo.session_token or ""}
            for method, path, kw in requests:
                reply = http.request(method, path, headers=headers, **kw)
                assert reply.status_code == 421, (host, method, path, reply.text)
                assert reply.headers["content-type"].startswith("text/plain")
                assert "demo" not in reply.text and "sandbox_" not in reply.text
    assert _counts(emulator) == before

    # the same requests with the emulator's own address do get through
    with httpx.Client(base_url=emulator.root_url, timeout=10) as http:
        assert http.get("/_emulator/info").status_code == 200
        assert http.get(f"/auth?{urlencode(query)}").status_code == 200
        decided = http.post("/auth/decide", data=form)  # the page's own form: a form by design
        assert decided.status_code == 302 and "code=" in decided.headers["location"]
        local = http.get("/_emulator/info", headers={"Host": f"localhost:{port}"})
        assert local.status_code == 200
        assert local.json()["api_base_url"] == f"http://localhost:{port}/v1"


@pytest.mark.parametrize(
    ("content", "headers"),
    [
        (b'{"kind": "person"}', {"Content-Type": "text/plain"}),
        (b"kind=person&accounts=2", {"Content-Type": "application/x-www-form-urlencoded"}),
        (
            b'--b\r\nContent-Disposition: form-data; name="kind"\r\n\r\nperson\r\n--b--\r\n',
            {"Content-Type": "multipart/form-data; boundary=b"},
        ),
        (b'{"kind": "person"}', {}),  # no Content-Type at all
        (b"", {}),  # an empty POST would otherwise make a person with defaults
        (b'{"kind": "person"}', {"Content-Type": "application/jsonx"}),
    ],
)
def test_control_posts_take_json_only(
    emulator: EmulatorServer, content: bytes, headers: dict[str, str]
) -> None:
    before = _counts(emulator)
    for path in ("users", "clock", "faults", "oauth/approve"):
        reply = httpx.post(
            f"{emulator.root_url}/_emulator/{path}", content=content, headers=headers
        )
        assert reply.status_code == 415, (path, reply.text)
        assert "application/json" in reply.json()["Error"][0]["error_description"]
    assert _counts(emulator) == before
    # and JSON, with or without a charset, is taken
    ok = httpx.post(
        f"{emulator.root_url}/_emulator/users",
        content=b'{"kind": "person"}',
        headers={"Content-Type": "Application/JSON; charset=utf-8"},
    )
    assert ok.status_code == 200
    assert len(emulator.world.users) == before[0] + 1


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.parametrize("bind", ["127.0.0.2", "::1", "localhost"])
def test_hosts_accepted_follow_the_bound_address(bind: str) -> None:
    if bind == "::1" and not _ipv6_loopback():
        pytest.skip("no IPv6 loopback on this machine")
    config = EmulatorConfig(rate_limit=False, demo_payments=10)
    with EmulatorServer(host=bind, config=config) as server:
        port = server.port
        literal = {"127.0.0.2": "127.0.0.2", "::1": "[::1]", "localhost": "127.0.0.1"}[bind]
        good = [f"{literal}:{port}", f"localhost:{port}", f"LOCALHOST:{port}"]
        bad = [f"{EVIL}:{port}", f"{literal}:{port + 1}", f"{literal}", "[::1"]
        bad.append(f"127.0.0.1:{port}" if bind == "127.0.0.2" else f"127.0.0.2:{port}")
        with httpx.Client(base_url=server.root_url, timeout=10) as http:
            for host in good:
                assert http.get("/_emulator/info", headers={"Host": host}).status_code == 200
            for host in bad:
                assert http.get("/_emulator/info", headers={"Host": host}).status_code == 421
        # the client every test uses, at the URL the server announces, works as before
        client = BunqClient(server.base_url)
        client.install()
        if bind != "::1":  # the test client's device is for 127.0.0.1 only
            client.register_device(server.demo_api_key)
            client.open_session(server.demo_api_key)
            assert client.get("/user").status == 200
        client.close()


def test_allowed_hosts_for_wildcard_and_chosen_binds() -> None:
    """Rules for binds a test may not make (never bind a non-loopback address in tests)."""
    anywhere = allowed_hosts("0.0.0.0", 8080)  # noqa: S104 - the rule, nothing is bound
    assert anywhere.allows("192.0.2.7:8080") and anywhere.allows("[2001:db8::1]:8080")
    assert anywhere.allows("localhost:8080")
    assert not anywhere.allows(f"{EVIL}:8080") and not anywhere.allows("192.0.2.7:8081")
    chosen = allowed_hosts("192.0.2.7", 8080)
    assert chosen.allows("192.0.2.7:8080")
    assert not chosen.allows("localhost:8080") and not chosen.allows(f"{EVIL}:8080")
    named = allowed_hosts("emu.lan", 80)
    assert named.allows("emu.lan") and named.allows("EMU.LAN:80")
    assert not named.allows("emu.lan.evil.example") and not named.allows("evil.example:80")
    assert split_host("[::1]:99") == ("[::1]", 99)
    assert split_host("a:b") == (None, None) and split_host(":80") == (None, None)


@pytest.mark.parametrize(
    ("host", "warns"),
    [
        ("0.0.0.0", True),  # noqa: S104
        ("::", True),
        ("192.0.2.7", True),
        ("[2001:db8::1]", True),
        ("emu.lan", True),  # a name is not resolved: it might be anything
        ("127.0.0.1", False),
        ("127.0.0.2", False),
        ("::1", False),
        ("localhost", False),
    ],
)
def test_a_non_loopback_bind_warns(host: str, warns: bool) -> None:
    warning = exposure_warning(host)
    if not warns:
        assert warning is None
        return
    assert warning is not None and host in warning
    assert "API key" in warning and "\n" not in warning


class _NoBind:
    """Stands in for EmulatorServer so the CLI's 0.0.0.0 path runs without binding anything."""

    base_url = root_url = "http://0.0.0.0:1"
    demo_api_key = "sandbox_x"

    def __init__(self, **kw: Any) -> None:
        self.host = kw["host"]

    def start(self) -> None:
        raise KeyboardInterrupt  # as if Ctrl-C came at once

    def stop(self) -> None:
        pass


def test_the_cli_prints_the_warning_on_stderr(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bunqtui.cli import emulator_cmd
    from bunqtui.emulator import server

    monkeypatch.setattr(server, "EmulatorServer", _NoBind)
    monkeypatch.setattr(emulator_cmd.signal, "signal", lambda *_: None)  # leave pytest's alone
    args = argparse.Namespace(host="0.0.0.0")  # noqa: S104
    assert emulator_cmd.serve_from_args(args) == 0
    err = capsys.readouterr().err
    assert "warning: --host 0.0.0.0 is not a loopback address" in err
    assert "API key" in err
    args = argparse.Namespace(host="127.0.0.2")
    assert emulator_cmd.serve_from_args(args) == 0
    assert capsys.readouterr().err == ""
