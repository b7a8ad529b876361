"""Run the emulator: uvicorn in a background thread (tests, the demo, benchmarks) or in the
foreground (`bunqtui emulator`). Binds 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
import time
from pathlib import Path

import uvicorn

from .app import Emulator, create_app
from .config import EmulatorConfig
from .hosts import allowed_hosts
from .ratelimit import check_routes
from .router import Router
from .state import World
from .statefile import StateFileError, load_world, save_world

__all__ = ["EmulatorServer", "StateFileError", "exposure_warning", "load_world", "save_world"]
log = logging.getLogger("bunqtui.emulator")


def exposure_warning(host: str) -> str | None:
    """The warning for binding `host`, or None when only this machine can connect (loopback).

    A name other than localhost is not resolved here (no lookups): it gets the warning.
    """
    if host.lower() == "localhost":
        return None
    try:
        if ipaddress.ip_address(host.strip("[]")).is_loopback:
            return None
    except ValueError:
        pass
    return (
        f"warning: --host {host} is not a loopback address: anyone who can reach it can use "
        "the emulator's control API and the demo user's API key (it hands them out), and "
        "everything travels as plain HTTP"
    )


class EmulatorServer:
    """A running emulator. Use as a context manager, or start()/stop()."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 1,
        rate_limit: bool = True,
        latency_ms: float = 0.0,
        state_file: str | Path | None = None,
        config: EmulatorConfig | None = None,
        log_level: str = "error",
    ) -> None:
        self.host = host
        self.config = config or EmulatorConfig(
            seed=seed, rate_limit=rate_limit, latency_ms=latency_ms
        )
        self.state_file = Path(state_file) if state_file else None
        world = load_world(self.state_file) if self.state_file else None
        self.emulator = Emulator(self.config, world)
        routes = self.emulator.router.routes
        check_routes(self.config.rate_limits, {Router.stats_key(r.method, r) for r in routes})
        if self.state_file:
            self.emulator.on_change.append(self._save_after_change)
        self.app = create_app(emulator=self.emulator)
        # proto=IPPROTO_TCP: asyncio only sets TCP_NODELAY on accepted sockets whose proto says
        # TCP; with the default 0, Nagle + delayed ACK add ~40 ms to every response.
        self._socket = socket.socket(
            socket.AF_INET6 if ":" in host else socket.AF_INET,
            socket.SOCK_STREAM,
            socket.IPPROTO_TCP,
        )
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self.port = self._socket.getsockname()[1]
        # Before the first request: only Host headers naming this address get an answer.
        self.emulator.allowed_hosts = allowed_hosts(host, self.port)
        self._server = uvicorn.Server(
            uvicorn.Config(self.app, log_level=log_level, lifespan="off", access_log=False)
        )
        self._thread: threading.Thread | None = None

    @property
    def root_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        return self.root_url + "/v1"

    @property
    def demo_api_key(self) -> str:
        return self.emulator.world.demo_api_key

    @property
    def demo_user_id(self) -> int:
        return self.emulator.world.demo_user_id

    @property
    def world(self) -> World:
        return self.emulator.world

    def save(self) -> None:
        if self.state_file:
            save_world(self.emulator.world, self.state_file)

    def _save_after_change(self) -> None:
        # The request itself succeeded; a full disk must not turn its answer into a 500.
        try:
            self.save()
        except OSError as exc:
            log.error("could not write the state file %s: %s", self.state_file, exc)

    def start(self) -> EmulatorServer:
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            daemon=True,
            name="bunq-emulator",
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the bunq emulator did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
            self._thread = None
        self._socket.close()
        self.save()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


logging.getLogger("uvicorn.error").propagate = False
