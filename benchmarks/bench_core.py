"""bunqtui's request counts, rate-limit pacing, cache and search, side by side with bunq's SDK.

The rows of docs/benchmarks.md about requests, pacing, cache and search (benchmarks/run.py runs
them and the TUI rows of benchmarks/bench_tui.py in one go):

    .venv/bin/python benchmarks/bench_core.py [--write] [--json] [--quick]

It starts the emulator in this process with bunq's rate limits on and 50 ms of added latency
(the search row fills its cache from a second emulator with both off, since it measures no
network), sets up a profile in a temporary BUNQTUI_HOME, and measures:

1. HTTP requests from a launch (saved context, cache of an earlier run) to the accounts list,
   and how many of them come before the cached accounts can be shown;
2. wall time of the `bunqtui accounts --json` process ÷ the official SDK's script
   (benchmarks/sdk_accounts.py) listing the same accounts from its saved context — medians of
   alternating runs, spaced so neither meets the other's rate-limit window — and, in the same
   rotation, the floors of bunqtui's two stacks (benchmarks/floor_accounts.py: the one signed
   GET with httpx.Client and no event loop — the stack of one-shot commands — and with
   httpx.AsyncClient under asyncio, the TUI's; nothing else);
3. a full sync of a 10,000-payment account: wall time ÷ the rate-limit floor, and 429s;
4. the requests of a refresh of that synced account;
5. search over 100,000 cached payments (median of repeated runs per query, the slowest query).

--write replaces the table in docs/benchmarks.md; --quick is a small smoke run (tests use it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bunqtui.core import Workspace
from bunqtui.emulator.config import EmulatorConfig
from bunqtui.emulator.server import EmulatorServer

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
SDK_SCRIPT = ROOT / "benchmarks" / "sdk_accounts.py"
FLOOR_SCRIPT = ROOT / "benchmarks" / "floor_accounts.py"
BEGIN, END = "<!-- bench-core:begin -->", "<!-- bench-core:end -->"
PAYMENTS_ROUTE = "GET /v1/user/{id}/monetary-account/{id}/payment"
GET_CALLS, GET_WINDOW = 3, 3.0  # bunq's GET limit per endpoint (docs/protocol.md#rate-limits)
SEARCHES = [
    "albert",
    '"albert heijn"',
    "<-100",
    "12.50",
    "2025-01-01..2025-03-31",
    "since:2025-06-01 <0",
    "salary >1000",
    "no-such-words",
]


class Control:
    def __init__(self, server: EmulatorServer) -> None:
        self.root = server.root_url + "/_emulator"

    def post(self, path: str, body: dict[str, Any]) -> Any:
        response = httpx.post(self.root + path, json=body, timeout=120)
        response.raise_for_status()
        return response.json()

    def stats(self) -> dict[str, Any]:
        return httpx.get(self.root + "/stats", timeout=10).json()

    def total(self) -> int:
        return int(self.stats()["total"])

    def limited(self) -> int:
        return int(self.stats()["rate_limited"])

    def route(self, key: str) -> int:
        return int(self.stats()["by_route"].get(key, 0))


def sync_floor(requests: int, latency: float) -> float:
    """The earliest the last of ``requests`` GETs on one endpoint can be answered: bunq allows
    3 per sliding 3 s, so request k (from 0) starts no earlier than 3·⌊k/3⌋ s, then takes at
    least the added latency."""
    return GET_WINDOW * ((requests - 1) // GET_CALLS) + latency


async def setup_profile(ws: Workspace, name: str, server: EmulatorServer, api_key: str) -> None:
    await ws.setup_profile(name, "api-key", base_url=server.base_url, options={"api_key": api_key})


async def launch_requests(control: Control, profile: str) -> dict[str, Any]:
    """Row 1: a launch with a saved context and a cache from an earlier run."""
    async with Workspace.load().open(profile) as earlier:
        me = (await earlier.identities())[0]
        await earlier.accounts(me)
    start = control.total()
    async with Workspace.load().open(profile) as session:
        me = (await session.identities())[0]
        cached = session.cached_accounts(me)
        before_cached = control.total() - start
        fresh = await session.accounts(me)
        total = control.total() - start
    assert cached is not None and [a.id for a in cached] == [a.id for a in fresh]
    return {"before_cached_view": before_cached, "to_accounts_list": total}


def timed_run(argv: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    run = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    elapsed = time.perf_counter() - start
    if run.returncode != 0:
        raise SystemExit(f"{argv[1]} failed ({run.returncode}):\n{run.stderr[-2000:]}")
    return elapsed, run.stdout


def cli_vs_sdk(
    control: Control, server: EmulatorServer, api_key: str, home: Path, runs: int, warmup: int
) -> dict[str, Any]:
    """Row 2: `bunqtui accounts --json` against the SDK script, both from a saved context."""
    from bunq.sdk.context.api_context import ApiContext
    from bunq.sdk.context.api_environment_type import ApiEnvironmentType

    # bunq allows one POST /session-server per 30 s; move the emulator's clock past the
    # bunqtui setup's session instead of waiting
    control.post("/clock", {"advance_seconds": 31})
    ApiEnvironmentType.SANDBOX._uri_base = server.base_url + "/"
    sdk_context = home / "bunq-sdk.conf"
    ApiContext.create(ApiEnvironmentType.SANDBOX, api_key, "bench sdk").save(str(sdk_context))

    env = {**os.environ, "BUNQTUI_HOME": str(home)}
    env.pop("BUNQTUI_RATE_LIMIT", None)
    # both programs run as installed ones do, from compiled bytecode (the warm-up writes it)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    bunqtui = shutil.which("bunqtui", path=str(Path(sys.executable).parent)) or "bunqtui"
    commands = {
        "bunqtui": [bunqtui, "accounts", "--json", "--profile", "bench"],
        "sdk": [sys.executable, str(SDK_SCRIPT), str(sdk_context), server.base_url],
        "floor_sync": [
            sys.executable,
            str(FLOOR_SCRIPT),
            "--sync",
            str(home / "secrets" / "bench.json"),
        ],
        "floor": [sys.executable, str(FLOOR_SCRIPT), str(home / "secrets" / "bench.json")],
    }
    names = list(commands)
    times: dict[str, list[float]] = {name: [] for name in names}
    requests: dict[str, list[int]] = {name: [] for name in names}
    ids: dict[str, set[int]] = {}
    limited = control.limited()
    for i in range(runs + warmup):  # warm-up runs fill the disk and bytecode caches
        order = names[i % len(names) :] + names[: i % len(names)]  # each goes first in turn
        for name in order:
            time.sleep(1.1)  # ≤ 1 call per endpoint per 1.1 s: never 3 in a 3-s window
            before = control.total()
            elapsed, out = timed_run(commands[name], env)
            if i >= warmup:
                times[name].append(elapsed)
                requests[name].append(control.total() - before)
            ids[name] = {a["id"] for a in json.loads(out)}
    assert ids["bunqtui"] == ids["sdk"] == ids["floor"] == ids["floor_sync"], "listings differ"
    median = {name: statistics.median(times[name]) for name in names}
    return {
        "runs": runs,
        "bunqtui_s": median["bunqtui"],
        "sdk_s": median["sdk"],
        "floor_s": median["floor"],
        "floor_sync_s": median["floor_sync"],
        "ratio": median["bunqtui"] / median["sdk"],
        "floor_ratio": median["floor"] / median["sdk"],
        "floor_sync_ratio": median["floor_sync"] / median["sdk"],
        "bunqtui_requests": max(requests["bunqtui"]),
        "sdk_requests": max(requests["sdk"]),
        "floor_requests": max(requests["floor"]),
        "accounts": len(ids["bunqtui"]),
        "rate_limited": control.limited() - limited,
        "load": os.getloadavg()[0],
    }


async def full_sync(
    control: Control, server: EmulatorServer, payments: int, latency: float, pause: float
) -> dict[str, Any]:
    """Rows 3 and 4: sync the whole history from an empty payment cache, then refresh."""
    user = control.post("/users", {"accounts": 1, "payments": payments})
    control.post("/clock", {"advance_seconds": 31})  # the next POST /session-server
    await setup_profile(Workspace.load(), "sync", server, user["api_key"])
    async with Workspace.load().open("sync") as session:
        me = (await session.identities())[0]
        (account,) = await session.accounts(me)
        # nothing has listed payments yet: the sync starts with an empty rate-limit window
        assert session.cached_payment_count(me, account.id) == 0
        pages_before, limited_before = control.route(PAYMENTS_ROUTE), control.limited()
        start = time.perf_counter()
        status = await session.sync_payments(me, account.id)
        elapsed = time.perf_counter() - start
        requests = control.route(PAYMENTS_ROUTE) - pages_before
        limited = control.limited() - limited_before

        time.sleep(pause)  # let the sync's window pass, so the refresh is timed alone
        before = control.total()
        start = time.perf_counter()
        new = await session.refresh_payments(me, account.id)
        refresh_s = time.perf_counter() - start
        refresh_requests = control.total() - before
    floor = sync_floor(requests, latency)
    return {
        "payments": status.count,
        "complete": status.complete,
        "requests": requests,
        "ideal_requests": math.ceil(status.count / 200),
        "seconds": elapsed,
        "floor_s": floor,
        "ratio": elapsed / floor,
        "ratio_one_per_second": elapsed / (requests * GET_WINDOW / GET_CALLS),
        "rate_limited": limited,
        "refresh_requests": refresh_requests,
        "refresh_new": new,
        "refresh_ms": refresh_s * 1000,
    }


async def search(count: int, repeats: int) -> dict[str, Any]:
    """Row 5: fill a cache with ``count`` emulator payments (no limits, no latency), search."""
    os.environ["BUNQTUI_RATE_LIMIT"] = "off"
    try:
        config = EmulatorConfig(seed=2, rate_limit=False, sugar_daddy_delay=0.0)
        with EmulatorServer(config=config) as server:
            control = Control(server)
            user = control.post("/users", {"accounts": 1, "payments": count})
            ws = Workspace.load()
            await setup_profile(ws, "search", server, user["api_key"])
            async with ws.open("search") as session:
                me = (await session.identities())[0]
                (account,) = await session.accounts(me)
                fill = time.perf_counter()
                status = await session.sync_payments(me, account.id)
                fill_s = time.perf_counter() - fill
                assert status.complete and status.count == count
                results: dict[str, dict[str, float]] = {}
                for query in SEARCHES:
                    session.search_payments(query)  # first run: SQLite's page cache
                    samples, hits = [], 0
                    for _ in range(repeats):
                        start = time.perf_counter()
                        hits = len(session.search_payments(query))
                        samples.append((time.perf_counter() - start) * 1000)
                    results[query] = {"median_ms": statistics.median(samples), "hits": hits}
    finally:
        os.environ.pop("BUNQTUI_RATE_LIMIT", None)
    slowest = max(results, key=lambda q: results[q]["median_ms"])
    return {
        "payments": count,
        "fill_s": fill_s,
        "queries": results,
        "slowest_query": slowest,
        "slowest_ms": results[slowest]["median_ms"],
    }


async def run(args: argparse.Namespace, home: Path) -> dict[str, Any]:
    latency = args.latency_ms / 1000
    config = EmulatorConfig(
        seed=1, rate_limit=True, latency_ms=args.latency_ms, sugar_daddy_delay=0.0
    )
    with EmulatorServer(config=config) as server:
        control = Control(server)
        # the seeded demo user (four accounts of three kinds) for the account listings
        await setup_profile(Workspace.load(), "bench", server, server.demo_api_key)
        result: dict[str, Any] = {"latency_ms": args.latency_ms}
        result["launch"] = await launch_requests(control, "bench")
        result["cli_vs_sdk"] = cli_vs_sdk(
            control, server, server.demo_api_key, home, args.runs, 0 if args.quick else 1
        )
        pause = 0.0 if args.quick else GET_WINDOW + 0.5
        result["sync"] = await full_sync(control, server, args.payments, latency, pause)
    result["search"] = await search(args.search_payments, args.repeats)
    return result


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def table(r: dict[str, Any]) -> str:
    launch, cli, sync, found = r["launch"], r["cli_vs_sdk"], r["sync"], r["search"]
    slow = found["queries"][found["slowest_query"]]
    rows = [
        (
            "HTTP requests from launch to the accounts list, with a saved context",
            "1 (0 before the cached view shows)",
            f"{launch['to_accounts_list']} ({launch['before_cached_view']} before the cached "
            "view shows)",
            verdict(launch["to_accounts_list"] == 1 and launch["before_cached_view"] == 0),
        ),
        (
            "wall time of `bunqtui accounts --json` ÷ an official-SDK script doing the same "
            "listing from a saved context",
            "≤ 0.5",
            f"{cli['ratio']:.2f} ({cli['bunqtui_s'] * 1000:.0f} ms ÷ {cli['sdk_s'] * 1000:.0f} "
            f"ms, medians of {cli['runs']} runs; {cli['bunqtui_requests']} request vs "
            f"{cli['sdk_requests']})",
            verdict(cli["ratio"] <= 0.5),
        ),
        (
            f"full sync of a {sync['payments']:,}-payment account: wall time ÷ the rate-limit "
            "floor; 429s answered",
            "≤ 1.05; 0",
            f"{sync['ratio']:.3f} ({sync['seconds']:.1f} s ÷ {sync['floor_s']:.2f} s, "
            f"{sync['requests']} requests = ⌈N/200⌉ {sync['ideal_requests']}); "
            f"{sync['rate_limited']}",
            verdict(sync["ratio"] <= 1.05 and sync["rate_limited"] == 0),
        ),
        (
            "refresh of an already synced account: requests",
            "1",
            f"{sync['refresh_requests']} ({sync['refresh_ms']:.0f} ms)",
            verdict(sync["refresh_requests"] == 1),
        ),
        (
            f"search of {found['payments']:,} cached payments",
            "≤ 50 ms",
            f"{found['slowest_ms']:.1f} ms (slowest of {len(found['queries'])} queries: "
            f"`{found['slowest_query']}`, {slow['hits']:.0f} hits)",
            verdict(found["slowest_ms"] <= 50),
        ),
    ]
    lines = ["| what | goal | measured | |", "| --- | --- | --- | --- |"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    queries = ", ".join(f"`{q}` {v['median_ms']:.1f} ms" for q, v in r["search"]["queries"].items())
    lines += [
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()} Linux, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs (1-minute load average "
        f"{r['load_start']:.1f} at the start, {cli['load']:.1f} after the CLI ÷ SDK runs, "
        f"{os.getloadavg()[0]:.1f} at the end); emulator latency {r['latency_ms']:.0f} ms, "
        "rate limits on (search row: cache filled from an emulator without either, in "
        f"{found['fill_s']:.1f} s).",
        "CLI ÷ SDK: the floors of bunqtui's two stacks in the same rotation (benchmarks/"
        "floor_accounts.py, the one signed GET and nothing else) took "
        f"{cli['floor_sync_s'] * 1000:.0f} ms with httpx.Client and no event loop (the one-shot "
        f"commands' stack), {cli['floor_sync_ratio']:.2f} × the SDK, and "
        f"{cli['floor_s'] * 1000:.0f} ms with httpx.AsyncClient under asyncio, "
        f"{cli['floor_ratio']:.2f} × the SDK. "
        f"Sync: {sync['ratio_one_per_second']:.3f} × the looser floor of ⌈N/200⌉ requests at "
        "one per second. Search medians per query: " + queries + ".",
    ]
    return "\n".join(lines)


def write_doc(text: str) -> None:
    doc = DOC.read_text(encoding="utf-8")
    head, _, rest = doc.partition(BEGIN)
    _, _, tail = rest.partition(END)
    DOC.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=10_000, help="payments to sync")
    parser.add_argument("--search-payments", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7, help="CLI and SDK runs each")
    parser.add_argument("--repeats", type=int, default=15, help="runs of each search")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--write", action="store_true", help=f"update {DOC.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    if args.quick:
        args.payments, args.search_payments, args.runs, args.repeats = 600, 2_000, 1, 2
    home = Path(tempfile.mkdtemp(prefix="bunqtui-bench-"))
    os.environ["BUNQTUI_HOME"] = str(home)
    os.environ.pop("BUNQTUI_RATE_LIMIT", None)
    try:
        load_start = os.getloadavg()[0]  # the machine may be shared: say how busy it was
        result = asyncio.run(run(args, home))
        result["load_start"] = load_start
    finally:
        shutil.rmtree(home, ignore_errors=True)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(table(result))
    if args.write:
        write_doc(table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
