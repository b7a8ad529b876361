"""A full sync when bunq's limits are not the published ones: wall time ÷ the floor of the limits
the emulator applies, side by side with the published limits (docs/protocol.md#rate-limits).

    .venv/bin/python benchmarks/bench_ratelimits.py [--pages N] [--write] [--json] [--quick]

For each case an emulator starts in this process with its GET limit set (50 ms of added latency
per request), a user with ``pages × 200`` payments is made, and a BunqClient (the async driver,
as the TUI and long syncs use) lists them all, newest first, with the limiter core would give it
(`BUNQTUI_RATE_LIMIT` unset: published, or `adaptive`) and what it learnt kept in a temporary
``rate-limits.json``. "first run" starts with nothing learnt; "next run" is a new client and
limiter that load the file (the emulator's clock is moved one window on between the two, so
the next run starts with an empty window and no real waiting). The floor is the earliest the
last request of the sync can be answered at the emulator's limit of X calls per Y s: request k
starts once request k−1 is answered and request k−X is Y s old, and each takes the latency.
429s are the emulator's count.

--write replaces the table between the bench-ratelimits markers in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bunqtui.api.client import BunqClient
from bunqtui.api.environment import Environment
from bunqtui.config import Profile
from bunqtui.core.environment import RATE_LIMIT_ENV, rate_limiter_for
from bunqtui.emulator.config import EmulatorConfig
from bunqtui.emulator.ratelimit import Limits, Window, limits_from_flags
from bunqtui.emulator.server import EmulatorServer

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench-ratelimits:begin -->", "<!-- bench-ratelimits:end -->"
PAYMENTS_ROUTE = "GET /v1/user/{id}/monetary-account/{id}/payment"
# (name, the emulator's GET limit, the client's mode)
CASES = [
    ("published limits (GET 3 per 3 s)", "3/3", "published"),
    ("tighter: GET 2 per 3 s", "2/3", "published"),
    ("looser: GET 10 per 3 s, `BUNQTUI_RATE_LIMIT=adaptive`", "10/3", "adaptive"),
    ("looser: GET 10 per 3 s, published mode (no probing)", "10/3", "published"),
]


def floor(requests: int, window: Window, latency: float) -> float:
    """When the last of ``requests`` sequential calls is answered at best: each starts once the
    one before is answered and once the call ``calls`` before it is a window old."""
    starts: list[float] = []
    for k in range(requests):
        start = starts[-1] + latency if starts else 0.0
        if k >= window.calls:
            start = max(start, starts[k - window.calls] + window.seconds)
        starts.append(start)
    return starts[-1] + latency


async def one_sync(
    server: EmulatorServer, profile: Profile, data_dir: Path, user: dict[str, Any], context: Any
) -> tuple[float, int, int, Any]:
    """(seconds, requests, 429s, context) of listing every payment with a fresh limiter."""
    control = server.root_url + "/_emulator"
    environment = Environment.custom(server.base_url, name="emulator")
    limiter = rate_limiter_for(profile, data_dir)
    async with BunqClient(environment, rate_limiter=limiter, context=context) as client:
        if context is None:
            await client.create_context(user["api_key"])
        (account,) = await client.list_monetary_accounts()
        before = httpx.get(control + "/stats").json()
        start = time.perf_counter()
        count = 0
        async for _ in client.iter_payments(user["user_id"], account.id):
            count += 1
        elapsed = time.perf_counter() - start
        after = httpx.get(control + "/stats").json()
        context = client.context
    requests = after["by_route"][PAYMENTS_ROUTE] - before["by_route"].get(PAYMENTS_ROUTE, 0)
    return elapsed, requests, after["rate_limited"] - before["rate_limited"], context


async def case(limit: str, mode: str, pages: int, latency_ms: float) -> dict[str, Any]:
    os.environ[RATE_LIMIT_ENV] = mode
    limits = Limits().merged(limits_from_flags([f"GET={limit}"]))
    window = limits.window("GET", PAYMENTS_ROUTE)
    config = EmulatorConfig(seed=1, rate_limits=limits, latency_ms=latency_ms)
    result: dict[str, Any] = {"limit": limit, "mode": mode}
    with tempfile.TemporaryDirectory() as data, EmulatorServer(config=config) as server:
        control = server.root_url + "/_emulator"
        body = {"kind": "person", "accounts": 1, "payments": pages * 200}
        user = httpx.post(control + "/users", json=body, timeout=120).json()
        profile = Profile("bench", "api-key", environment="custom", base_url=server.base_url)
        context = None
        for run in ("first", "next"):
            elapsed, requests, limited, context = await one_sync(
                server, profile, Path(data), user, context
            )
            best = floor(pages, window, latency_ms / 1000)
            result[run] = {
                "seconds": elapsed,
                "requests": requests,
                "rate_limited": limited,
                "floor_s": best,
                "ratio": elapsed / best,
            }
            # the next run starts a window later, without waiting for it
            httpx.post(control + "/clock", json={"advance_seconds": window.seconds + 1})
    return result


def table(results: list[dict[str, Any]], pages: int) -> str:
    lines = [
        f"| full sync of {pages * 200:,} payments ({pages} pages) | first run: ÷ floor; "
        "requests; 429s | next run (limit loaded from the file): ÷ floor; requests; 429s |",
        "| --- | --- | --- |",
    ]
    for (name, _, _), r in zip(CASES, results, strict=True):
        cells = [
            f"{r[run]['ratio']:.3f} ({r[run]['seconds']:.1f} s ÷ {r[run]['floor_s']:.2f} s); "
            f"{r[run]['requests']}; {r[run]['rate_limited']}"
            for run in ("first", "next")
        ]
        lines.append(f"| {name} | {cells[0]} | {cells[1]} |")
    return "\n".join(lines)


def write(text: str) -> None:
    doc = DOC.read_text(encoding="utf-8")
    start, end = doc.index(BEGIN) + len(BEGIN), doc.index(END)
    DOC.write_text(doc[:start] + "\n" + text + "\n" + doc[end:], encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=20, help="pages of 200 payments (20)")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    pages = 4 if args.quick else args.pages
    saved = os.environ.get(RATE_LIMIT_ENV)
    try:
        results = [
            asyncio.run(case(limit, mode, pages, args.latency_ms)) for _, limit, mode in CASES
        ]
    finally:
        os.environ.pop(RATE_LIMIT_ENV, None)
        if saved is not None:
            os.environ[RATE_LIMIT_ENV] = saved
    if args.json:
        print(json.dumps(results, indent=1))
        return 0
    text = table(results, pages) + (
        f"\n\nMeasured {time.strftime('%Y-%m-%d')} on {platform.machine()} "
        f"{platform.system()}, Python {platform.python_version()}, {os.cpu_count()} CPUs; "
        f"emulator latency {args.latency_ms:g} ms."
    )
    print(text)
    if args.write:
        write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
