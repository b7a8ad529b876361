"""`bunqtui emulator`: serve the local bunq emulator in the foreground."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import TYPE_CHECKING

from bunqtui.untrusted import printable

if TYPE_CHECKING:
    from bunqtui.emulator.ratelimit import Limits
    from bunqtui.emulator.server import EmulatorServer


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "emulator",
        help="serve the local bunq emulator (bunq's API, offline)",
        description="Serve the local bunq emulator in the foreground until Ctrl-C.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--seed", type=int, default=1, help="seed for the demo data (default 1)")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added latency per request")
    parser.add_argument("--no-rate-limit", action="store_true", help="turn bunq's rate limits off")
    parser.add_argument(
        "--rate-limits",
        metavar="FILE",
        help="other rate limits than bunq's published ones, from a TOML or JSON file "
        "(see docs/emulator.md#rate-limits)",
    )
    parser.add_argument(
        "--rate-limit",
        metavar="TARGET=CALLS/SECONDS",
        action="append",
        default=[],
        help="one limit, over the file's: a method (GET=10/3) or an endpoint as "
        "/_emulator/stats names it ('GET /v1/user/{id}/monetary-account=70/30'); repeatable",
    )
    parser.add_argument("--state", metavar="FILE", help="keep the emulator's data in FILE")
    parser.set_defaults(func=serve_from_args)


def _limits(args: argparse.Namespace) -> Limits:
    """bunq's published limits with the file's and then the flags' entries on top."""
    from bunqtui.emulator.ratelimit import Limits, limits_from_flags, load_limits

    limits = Limits()
    if getattr(args, "rate_limits", None):
        limits = limits.merged(load_limits(args.rate_limits))
    return limits.merged(limits_from_flags(getattr(args, "rate_limit", None) or []))


def serve_from_args(args: argparse.Namespace) -> int:
    from bunqtui.emulator.config import EmulatorConfig
    from bunqtui.emulator.ratelimit import LimitsError
    from bunqtui.emulator.server import EmulatorServer, exposure_warning

    host = getattr(args, "host", "127.0.0.1")
    try:
        config = EmulatorConfig(
            seed=getattr(args, "seed", 1),
            rate_limit=not getattr(args, "no_rate_limit", False),
            rate_limits=_limits(args),
            latency_ms=getattr(args, "latency_ms", 0.0),
        )
    except LimitsError as exc:
        print(f"bunqtui emulator: {printable(str(exc))}", file=sys.stderr)
        return 2
    try:
        server = EmulatorServer(
            host=host,
            port=getattr(args, "port", 0),
            config=config,
            state_file=getattr(args, "state", None),
            log_level="warning",
        )
    except LimitsError as exc:  # an endpoint in the limits that the emulator does not serve
        print(f"bunqtui emulator: {printable(str(exc))}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"bunqtui emulator: cannot listen: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # StateFileError: a state file that is not the emulator's own
        print(f"bunqtui emulator: {exc}", file=sys.stderr)
        return 2
    warning = exposure_warning(host)
    if warning:
        print(f"bunqtui emulator: {warning}", file=sys.stderr, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:  # Ctrl-C at any moment, even while the banner prints, stops cleanly
        server.start()
        print(f"bunq emulator serving the API at {server.base_url}", flush=True)
        print(f"demo user API key: {server.demo_api_key}", flush=True)
        print(f"OAuth authorize page: {server.root_url}/auth · Ctrl-C stops", flush=True)
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stopped = _stop(server)
    return 0 if stopped else 1


def _stop(server: EmulatorServer) -> bool:
    """Stop the server (which writes the state file a last time); False if that write failed."""
    try:
        server.stop()
    except OSError as exc:
        print(f"bunqtui emulator: could not write the state file: {exc}", file=sys.stderr)
        return False
    return True
