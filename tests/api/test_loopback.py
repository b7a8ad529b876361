"""The loopback callback listener, driven by real HTTP requests from httpx."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from bunqtui.api.errors import CallbackTimeoutError, OAuthError
from bunqtui.api.oauth import LoopbackCallbackListener, StateGuard


async def test_delivers_the_code_once_and_refuses_the_reused_state() -> None:
    async with (
        LoopbackCallbackListener("http://127.0.0.1:0/callback", "st8", timeout=5) as listener,
        httpx.AsyncClient() as http,
    ):
        uri = listener.redirect_uri
        assert uri.startswith("http://127.0.0.1:") and uri.endswith("/callback")
        first = await http.get(uri, params={"code": "c0de", "state": "st8"})
        assert first.status_code == 200 and "close this tab" in first.text
        assert "c0de" not in first.text
        assert first.headers["cache-control"] == "no-store"
        assert await listener.wait() == "c0de"
        again = await http.get(uri, params={"code": "other", "state": "st8"})
        assert again.status_code == 400
        assert await listener.wait() == "c0de"
    # closed: nothing listens any more
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as http:
            await http.get(uri, params={"code": "c", "state": "st8"})


async def test_wrong_state_and_wrong_path_are_refused_and_it_keeps_waiting() -> None:
    async with (
        LoopbackCallbackListener("http://127.0.0.1:0/cb", "good", timeout=5) as listener,
        httpx.AsyncClient() as http,
    ):
        uri = listener.redirect_uri
        assert (await http.get(uri, params={"code": "x", "state": "bad"})).status_code == 400
        assert (await http.get(uri, params={"code": "x"})).status_code == 400
        other = uri.replace("/cb", "/elsewhere")
        assert (await http.get(other, params={"code": "x", "state": "good"})).status_code == 404
        assert (await http.post(uri, params={"code": "x", "state": "good"})).status_code == 405
        ok = await http.get(uri, params={"code": "y", "state": "good"})
        assert ok.status_code == 200
        assert await listener.wait() == "y"


async def test_access_denied_becomes_an_oauth_error() -> None:
    async with (
        LoopbackCallbackListener("http://127.0.0.1:0/callback", "s", timeout=5) as listener,
        httpx.AsyncClient() as http,
    ):
        page = await http.get(
            listener.redirect_uri, params={"error": "access_denied", "state": "s"}
        )
        assert page.status_code == 400
        with pytest.raises(OAuthError) as info:
            await listener.wait()
        assert info.value.error == "access_denied"


async def test_times_out_with_a_clear_error() -> None:
    async with LoopbackCallbackListener("http://127.0.0.1:0/callback", "s", timeout=0.1) as ln:
        with pytest.raises(CallbackTimeoutError, match="paste"):
            await ln.wait()


async def test_shared_guard_blocks_the_other_path() -> None:
    guard = StateGuard()
    guard.check(guard.state)  # e.g. the URL was already pasted
    async with (
        LoopbackCallbackListener("http://127.0.0.1:0/callback", guard, timeout=0.2) as listener,
        httpx.AsyncClient() as http,
    ):
        page = await http.get(listener.redirect_uri, params={"code": "c", "state": guard.state})
        assert page.status_code == 400
        with pytest.raises(CallbackTimeoutError):
            await listener.wait()


@pytest.mark.parametrize(
    "uri",
    [
        "http://0.0.0.0:8765/cb",
        "http://192.168.1.5:8765/cb",
        "https://127.0.0.1:8765/cb",
        "http://example.com:8765/cb",
        "http://127.0.0.1/cb",
    ],
)
def test_refuses_non_loopback_or_unusable_redirect_uris(uri: str) -> None:
    with pytest.raises(ValueError):
        LoopbackCallbackListener(uri, "s")


async def test_binds_the_registered_port_and_reports_a_busy_one() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    uri = f"http://localhost:{port}/callback"
    async with LoopbackCallbackListener(uri, "s", timeout=5) as listener:
        assert listener.redirect_uri == uri  # localhost binds 127.0.0.1, URI kept as registered
        with pytest.raises(OAuthError, match="Cannot listen"):
            async with LoopbackCallbackListener(f"http://127.0.0.1:{port}/x", "s"):
                pass
        async with httpx.AsyncClient() as http:
            r = await http.get(
                f"http://127.0.0.1:{port}/callback", params={"code": "k", "state": "s"}
            )
        assert r.status_code == 200
        assert await asyncio.wait_for(listener.wait(), 1) == "k"


async def test_a_port_freed_a_moment_later_is_waited_for() -> None:
    """The previous login's listener may still be closing when the next one starts."""
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind(("127.0.0.1", 0))
    holder.listen(1)
    port = holder.getsockname()[1]
    asyncio.get_running_loop().call_later(0.3, holder.close)
    async with LoopbackCallbackListener(f"http://127.0.0.1:{port}/cb", "s", timeout=5) as listener:
        assert listener.redirect_uri == f"http://127.0.0.1:{port}/cb"
