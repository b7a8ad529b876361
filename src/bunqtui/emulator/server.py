"""Run the emulator: uvicorn in a background thread (tests, the demo, benchmarks) or in the
foreground (`bunqtui emulator`). Binds 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import socket
import tempfile
import threading
import time
from pathlib import Path

import uvicorn

from .app import Emulator, create_app
from .config import EmulatorConfig
from .state import World


def load_world(path: Path) -> World | None:
    """The world saved in a state file, or None if there is none yet. The file is the
    emulator's own (written by save_world), so unpickling it is trusted."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    unreadable = ValueError(
        f"{path} is not an emulator state file; move it away or pass another --state FILE"
    )
    try:
        world = pickle.loads(data)  # noqa: S301 - our own state file, 0600
    except Exception:  # any garbage: a clear error, not a traceback
        raise unreadable from None
    if not isinstance(world, World):
        raise unreadable
    return world


def save_world(world: World, path: Path) -> None:
    """Atomically: temp file in the same directory, fsync, rename; 0600."""
    with world.lock:
        data = pickle.dumps(world)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


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
        if self.state_file:
            self.emulator.on_change.append(self.save)
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
