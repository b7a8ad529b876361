"""Answer only requests addressed to the emulator by the address it is bound to.

A web page cannot read the emulator's answers (same-origin policy) unless DNS rebinding makes
the emulator look same-origin: the page's own name (evil.example) is re-pointed at 127.0.0.1,
and the browser then sends `Host: evil.example:PORT`. Refusing every Host header that does not
name the bound address closes that, before routing, for the API, the control API and the
OAuth pages alike. Starlette's TrustedHostMiddleware is not used: it ignores the port and cannot
parse an IPv6 Host (`[::1]:PORT`).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})


@dataclass(frozen=True)
class AllowedHosts:
    names: frozenset[str]  # lower case; IPv6 literals in brackets, as in a Host header
    port: int | None  # None: any port (an app that is not bound yet)
    any_ip: bool = False  # a wildcard bind: any IP literal (rebinding always uses a name)

    def allows(self, header: str) -> bool:
        host, port = split_host(header.strip().lower())
        if host is None:
            return False
        if self.port is not None and port != self.port and not (port is None and self.port == 80):
            return False
        if host in self.names:
            return True
        return self.any_ip and _is_ip(host)

    def describe(self) -> str:
        port = "" if self.port is None else f":{self.port}"
        names = ", ".join(f"{name}{port}" for name in sorted(self.names))
        return names + (f", or any IP address{port}" if self.any_ip else "")


def split_host(header: str) -> tuple[str | None, int | None]:
    """(host, port) of a Host header; (None, None) if it is not one."""
    if header.startswith("["):
        end = header.find("]")
        if end < 0:
            return None, None
        host, rest = header[: end + 1], header[end + 1 :]
    else:
        host, colon, port_text = header.partition(":")
        rest = colon + port_text
    if not host:
        return None, None
    if not rest:
        return host, None
    if rest[0] != ":" or not rest[1:].isdigit() or len(rest) > 6:
        return None, None
    return host, int(rest[1:])


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host[1:-1] if host.startswith("[") else host)
    except ValueError:
        return False
    return True


def allowed_hosts(bind: str, port: int) -> AllowedHosts:
    """What a Host header may say for a server bound to `bind`:`port`."""
    host = bind.strip("[]").lower()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:  # a name the user chose; localhost also by its usual address
        extra = {"127.0.0.1"} if host == "localhost" else set()
        return AllowedHosts(frozenset({host, *extra}), port)
    literal = f"[{address.compressed}]" if address.version == 6 else address.compressed
    if address.is_unspecified:  # 0.0.0.0 or :: — reachable under any of the machine's addresses
        names = {"localhost", socket.gethostname().lower()}
        return AllowedHosts(frozenset(names), port, any_ip=True)
    if address.is_loopback:
        return AllowedHosts(frozenset({literal, "localhost"}), port)
    return AllowedHosts(frozenset({literal}), port)


# An app that has not been bound (e.g. under httpx.ASGITransport) answers loopback names only.
UNBOUND = AllowedHosts(LOOPBACK_NAMES, None)


class HostCheck:
    """Pure ASGI middleware: a Host header that names another address gets 421, nothing runs."""

    def __init__(self, app: ASGIApp, allowed: Callable[[], AllowedHosts]) -> None:
        self.app = app
        self.allowed = allowed  # read per request: the port is known only once bound

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":  # no websocket routes: Starlette refuses those itself
            rule = self.allowed()
            hosts = [v.decode("latin-1") for k, v in scope["headers"] if k == b"host"]
            if len(hosts) != 1 or not rule.allows(hosts[0]):
                await _refuse(send, rule)
                return
        await self.app(scope, receive, send)


async def _refuse(send: Send, rule: AllowedHosts) -> None:
    body = (
        "Misdirected request: this emulator answers only to the Host "
        f"{rule.describe()} (a guard against DNS rebinding).\n"
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 421,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
