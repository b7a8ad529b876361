"""`bunqtui connect` (OAuth login of another bunq user) and `bunqtui disconnect`.

connect prints the authorize URL and its QR code on stderr, opens the browser unless
``--no-browser``, then waits for the loopback callback; a redirect URL (or bare code) pasted
on stdin works too. On success it prints the seed's ``{"message": "OAuth success",
"new_user_id": N}`` on stdout, so scripts can read it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import sys
import threading
from collections.abc import Awaitable

from bunqtui.cli.common import EXIT_OK, add_profile_arg, command, id_arg, say, workspace
from bunqtui.core import ConfigError, ConnectRequest
from bunqtui.core.oauth_login import wait_for_login


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("connect", help="connect another bunq user by OAuth (QR login)")
    add_profile_arg(p)
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")
    p.add_argument("--timeout", type=float, default=300.0, metavar="S", help="seconds to wait")
    p.set_defaults(func=command(connect))

    p = subparsers.add_parser(
        "disconnect", help="disconnect a connected user, deleting its secrets"
    )
    add_profile_arg(p)
    p.add_argument("--user", "-u", type=id_arg, required=True, metavar="N")
    p.set_defaults(func=command(disconnect))


def print_qr(url: str) -> None:
    try:
        import qrcode

        qr = qrcode.QRCode(border=1)
        qr.add_data(url)
        qr.make(fit=True)
        qr.print_ascii(out=sys.stderr, invert=True)
    except (ImportError, UnicodeEncodeError, OSError):
        pass  # the URL itself is printed as well


def _read_stdin(loop: asyncio.AbstractEventLoop, future: asyncio.Future[str]) -> None:
    """A daemon thread: a blocked readline must not keep the process alive."""
    try:
        line = sys.stdin.readline() if sys.stdin is not None else ""
    except (OSError, ValueError):
        line = ""

    def deliver() -> None:
        if not future.done():
            future.set_result(line)

    with contextlib.suppress(RuntimeError):  # the loop may be gone already
        loop.call_soon_threadsafe(deliver)


def _stdin_line() -> Awaitable[str]:
    """A line pasted on stdin ("" when it is closed), read by a daemon thread, one per call. A
    wrong paste ends the command (no ``refused``); a paste while bunq's redirect is already
    being exchanged is ignored and the next line is read."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[str] = loop.create_future()
    threading.Thread(target=_read_stdin, args=(loop, future), daemon=True).start()
    return future


async def connect(args: argparse.Namespace) -> int:
    if not (math.isfinite(args.timeout) and args.timeout > 0):
        raise ConfigError("--timeout must be a positive number of seconds")
    async with workspace().open(args.profile) as session:
        request = await session.begin_connect()

        def ready(problem: ConfigError | None) -> None:
            # core bound the listener first: a redirect can never come before it listens
            if problem is not None:
                say(f"bunqtui: {problem.message}; paste the URL instead", file=sys.stderr)
            _show(request, browser=not args.no_browser)

        identity = await wait_for_login(
            session, request, timeout=args.timeout, pasted=_stdin_line, ready=ready
        )
    print(json.dumps({"message": "OAuth success", "new_user_id": identity.local_id}))
    return EXIT_OK


def _show(request: ConnectRequest, *, browser: bool) -> None:
    print("Open this URL to log in with bunq (or scan the QR code):", file=sys.stderr)
    # built from bunq's client id and config: shown literally (a real URL is unchanged)
    say(request.authorize_url, file=sys.stderr)
    print_qr(request.authorize_url)
    say(
        f"Waiting for the redirect to {request.redirect_uri} "
        "(or paste the redirect URL or code here)…",
        file=sys.stderr,
    )
    if browser:
        import webbrowser  # here: every other command would pay for it at start-up

        with contextlib.suppress(Exception):
            webbrowser.open(request.authorize_url)


async def disconnect(args: argparse.Namespace) -> int:
    async with workspace().open(args.profile) as session:
        identity = session.identity(args.user)
        await session.disconnect(args.user)
    say(f"Disconnected user {args.user} ({identity.label}); its session and secrets are gone.")
    return EXIT_OK
