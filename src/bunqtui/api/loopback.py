"""The loopback OAuth callback listener (RFC 8252 §7.3): one redirect, on 127.0.0.1 only.

Built on uvicorn + starlette rather than hand-parsed HTTP. It binds the host and port of the
registered redirect URI, answers only its path, checks ``state`` in constant time and accepts
it once, turns ``error=access_denied`` into an error, answers the browser with a short page,
and closes. Access logging is off so the ``code`` never reaches a log.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import socket
from collections.abc import Iterator
from html import escape
from urllib.parse import urlsplit, urlunsplit

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from bunqtui.api.errors import CallbackTimeoutError, OAuthError, StateMismatchError
from bunqtui.api.state import StateGuard

_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>bunqtui</title></head>
<body style="font-family:sans-serif;max-width:32em;margin:4em auto"><h1>{title}</h1>
<p>{text}</p></body></html>"""
_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _page(title: str, text: str, status: int) -> HTMLResponse:
    return HTMLResponse(
        _PAGE.format(title=escape(title), text=escape(text)), status_code=status, headers=_HEADERS
    )


BIND_ATTEMPTS = 10  # × BIND_RETRY_SECONDS: how long a busy port is waited for
BIND_RETRY_SECONDS = 0.1


class _QuietServer(uvicorn.Server):
    """uvicorn without its signal handlers: the host app (the TUI) owns Ctrl+C."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def loopback_host(host: str | None) -> str:
    """The address to bind for a redirect URI host; ValueError if it is not loopback."""
    if host == "localhost":
        return "127.0.0.1"
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:
        raise ValueError(
            f"the OAuth redirect URI host {host!r} is not a loopback address; use "
            "http://127.0.0.1:PORT/callback"
        ) from None
    if not address.is_loopback:
        raise ValueError(f"refusing to listen on non-loopback address {host}")
    return str(address)


class LoopbackCallbackListener:
    """``async with LoopbackCallbackListener(uri, state, timeout=300) as l: code = await l.wait()``

    ``state`` may be a string or a shared :class:`StateGuard` (so a pasted URL and the browser
    cannot both use the same state). Port 0 picks a free port; ``redirect_uri`` then tells it.
    """

    def __init__(
        self, redirect_uri: str, state: str | StateGuard, *, timeout: float = 300.0
    ) -> None:
        parts = urlsplit(redirect_uri)
        if parts.scheme != "http":
            raise ValueError("a loopback redirect URI must start with http://127.0.0.1:PORT/")
        self._host = loopback_host(parts.hostname)
        if parts.port is None:
            raise ValueError("a loopback redirect URI needs an explicit port")
        self._port = parts.port
        self._parts = parts
        self.path = parts.path or "/"
        self.guard = state if isinstance(state, StateGuard) else StateGuard(state)
        self.timeout = timeout
        self._result: asyncio.Future[str] | None = None
        self._server: _QuietServer | None = None
        self._task: asyncio.Task[None] | None = None
        self._socket: socket.socket | None = None

    @property
    def redirect_uri(self) -> str:
        """The redirect URI with the actual port (differs from the given one for port 0)."""
        host = f"[{self._host}]" if ":" in self._host else self._parts.hostname or self._host
        netloc = f"{host}:{self._port}"
        return urlunsplit(("http", netloc, self.path, self._parts.query, ""))

    async def _callback(self, request: Request) -> HTMLResponse:
        assert self._result is not None
        params = request.query_params
        state = params.get("state")
        if self._result.done() or self.guard.used:
            return _page("Login already completed", "This login link was already used.", 400)
        try:
            self.guard.check(state)
        except StateMismatchError:
            # not ours (a stale tab or a forged request): refuse it and keep waiting
            return _page(
                "Login not accepted",
                "This answer does not belong to the login bunqtui is waiting for.",
                400,
            )
        error = params.get("error")
        if error:
            self._result.set_exception(OAuthError(error, params.get("error_description") or None))
            return _page("Login cancelled", "bunq did not grant access. Return to bunqtui.", 400)
        code = params.get("code")
        if not code:
            self._result.set_exception(OAuthError("invalid_request", "bunq sent no code."))
            return _page("Login failed", "bunq sent no authorisation code.", 400)
        self._result.set_result(code)
        return _page("Connected", "bunqtui received the login. You can close this tab.", 200)

    async def start(self) -> None:
        self._result = asyncio.get_running_loop().create_future()
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets whose proto is TCP,
        # and with proto 0 Nagle + delayed ACK add ~40 ms to every keep-alive answer
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            for attempt in range(BIND_ATTEMPTS):  # the last login's listener may be closing
                try:
                    sock.bind((self._host, self._port))
                    break
                except OSError as exc:
                    if exc.errno != errno.EADDRINUSE or attempt == BIND_ATTEMPTS - 1:
                        raise
                    await asyncio.sleep(BIND_RETRY_SECONDS)
            sock.listen(8)
            sock.setblocking(False)
        except OSError as exc:
            sock.close()
            raise OAuthError(
                "listener",
                f"Cannot listen for the bunq login on {self._host}:{self._port} "
                f"({exc.strerror}); is another login running?",
            ) from None
        self._socket = sock
        self._port = sock.getsockname()[1]
        app = Starlette(routes=[Route(self.path, self._callback, methods=["GET"])])
        config = uvicorn.Config(
            app, lifespan="off", log_config=None, access_log=False, log_level="warning"
        )
        self._server = _QuietServer(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            if self._task.done():
                self._task.result()  # surface a startup failure
                raise OAuthError("listener", "The login listener stopped unexpectedly.")
            await asyncio.sleep(0.005)

    async def wait(self) -> str:
        """The authorisation code; OAuthError on denial, CallbackTimeoutError on timeout."""
        if self._result is None:
            raise RuntimeError("start the listener first (async with)")
        try:
            return await asyncio.wait_for(asyncio.shield(self._result), self.timeout)
        except TimeoutError:
            raise CallbackTimeoutError(self.timeout) from None

    async def close(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            with contextlib.suppress(Exception):
                await self._task
        if self._socket is not None:
            self._socket.close()
        if self._result is not None and not self._result.done():
            self._result.cancel()
        self._server = self._task = self._socket = None

    async def __aenter__(self) -> LoopbackCallbackListener:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
