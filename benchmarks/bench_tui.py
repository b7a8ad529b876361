"""The TUI rows of docs/benchmarks.md: launch to accounts, cursor-key latency, peak memory.

    .venv/bin/python benchmarks/bench_tui.py [--write] [--json] [--quick]

1. Launch: a fresh `python` process runs the app (headless, 100×30) on a profile with a saved
   context, against the emulator with bunq's rate limits on and 50 ms of added latency; the
   wall time from starting the process to the first drawn frame that shows accounts. Measured
   cold (no cache yet) and warm (the cache of an earlier run), medians of alternating runs.
   The emulator counts the requests made before that frame and in the second after it (the
   app asks for new events, for "N new", once the accounts are shown).
2. Cursor keys: 10,000 payments loaded in the payments table; the time from a ↓/↑ key event
   reaching the app until a frame showing the moved cursor is composed (what the terminal is
   sent next), p50/p95 over many presses.
3. Peak memory: a fresh process opens the payments of an account with 100,000 cached
   payments, has all of them in the table (``L`` finds the history complete) and moves to
   the oldest; its peak RSS (VmHWM).

Rows 2 and 3 measure no network: their caches are filled from a second emulator with rate
limits and latency off (the full sync at bunq's pace is bench_core.py's row).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from bunqtui.core import Workspace

if TYPE_CHECKING:  # the launch child must not pay for importing the emulator (~100 ms)
    from bunqtui.emulator.server import EmulatorServer

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench-tui:begin -->", "<!-- bench-tui:end -->"
PROFILE = "bench"
STATS_ENV = "BENCH_STATS_URL"  # where a launch child reads the emulator's request count
ACCOUNTS = "GET /v1/user/{id}/monetary-account"
IDLE_WAIT_S = 15.0  # at most this long a launch child waits, after its first frame, for idle


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries ru_maxrss
    over from the parent through fork and exec, so a child would report the parent's peak."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB → MiB
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the child process: the app itself ------------------------------------------------------


def child(mode: str, home: str, account: int | None) -> None:
    """Run the app headless; print one JSON line with what was measured, then exit."""
    started = time.perf_counter()
    from textual.worker import WorkerState

    from bunqtui.tui.app import BunqApp
    from bunqtui.tui.screens.accounts import AccountsScreen, AccountsTable
    from bunqtui.tui.screens.payments import PaymentsScreen

    class Bench(BunqApp):
        _asked = False
        _at_end = False
        _frame_at = 0.0

        def on_accounts_ready(self) -> None:
            if mode == "launch":
                # perf_counter is the system's monotonic clock: the parent subtracts its start
                at = time.perf_counter()
                seen = stats()
                print(json.dumps({"frame_at": at, "requests": seen}), flush=True)
                self._frame_at = at
                self.set_interval(0.1, self.when_idle)
            else:
                self.call_later(self.open_account)

        def when_idle(self) -> None:
            """Every request the launch makes (its background work included) has been sent:
            the next launch starts from the cache this one leaves, as a user's would."""
            busy = [
                w for w in self.workers if w.state in (WorkerState.PENDING, WorkerState.RUNNING)
            ]
            if busy and time.perf_counter() - self._frame_at < IDLE_WAIT_S:
                return
            print(json.dumps({"requests_end": stats()}), flush=True)
            self.exit()

        def open_account(self) -> None:
            screen = self.screen
            assert isinstance(screen, AccountsScreen)
            row = next(i for i, a in enumerate(screen.accounts) if a.id == account)
            screen.query_one(AccountsTable).move_cursor(row=row)
            screen.query_one(AccountsTable).action_select_cursor()
            self.set_interval(0.05, self.watch_payments)

        def watch_payments(self) -> None:
            screen = self.screen
            if not isinstance(screen, PaymentsScreen) or not screen.is_mounted or screen.fetching:
                return
            if not screen.complete:
                if not self._asked:
                    self._asked = True
                    screen.action_load_all()
                return
            if not self._at_end:  # scroll to the oldest payment, drawing it, then measure
                self._at_end = True
                screen.table.action_last()
                return
            peak = peak_rss_mb()
            print(json.dumps({"rows": len(screen.cached), "peak_mb": peak}), flush=True)
            self.exit()

    def stats() -> dict[str, Any]:
        answer: dict[str, Any] = httpx.get(os.environ[STATS_ENV], timeout=10).json()
        return answer

    workspace = Workspace.load(Path(home))
    Bench(workspace, profile=PROFILE, started=started).run(headless=True, size=(100, 30))


# --- the parent: emulator, homes, measurements ----------------------------------------------


def control(server: EmulatorServer, path: str, body: dict[str, Any]) -> Any:
    answer = httpx.post(f"{server.root_url}/_emulator{path}", json=body, timeout=300)
    answer.raise_for_status()
    return answer.json()


def new_home(base: Path, name: str) -> Path:
    home = base / name
    home.mkdir(mode=0o700)
    return home


async def set_up(home: Path, server: EmulatorServer, api_key: str) -> Workspace:
    workspace = Workspace.load(home)
    options = {"api_key": api_key}
    await workspace.setup_profile(PROFILE, "api-key", base_url=server.base_url, options=options)
    return workspace


def run_child(
    mode: str, home: Path, account: int | None = None, stats: str = ""
) -> tuple[float, dict[str, Any]]:
    """Wall time, and what the child printed (its JSON lines merged, ``started`` added)."""
    env = {**os.environ, "BUNQTUI_HOME": str(home), STATS_ENV: stats}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # run from bytecode, as an installed package does
    argv = [sys.executable, __file__, "--child", mode, str(home), str(account or 0)]
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600)
    wall = time.perf_counter() - start
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"the {mode} child failed ({done.returncode}):\n{done.stderr[-3000:]}")
    found: dict[str, Any] = {"started": start}
    for line in lines:
        found.update(json.loads(line))
    return wall, found


def routes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, int]:
    """The requests per route between two of the emulator's stats."""
    was = before["by_route"]
    return {k: n - was.get(k, 0) for k, n in after["by_route"].items() if n != was.get(k, 0)}


def launch(base: Path, runs: int, latency_ms: float, gap: float = 3.1) -> dict[str, Any]:
    """Row 1: process start → first frame with accounts, cold and warm cache, limits on."""
    from bunqtui.emulator.config import EmulatorConfig
    from bunqtui.emulator.server import EmulatorServer

    config = EmulatorConfig(seed=1, rate_limit=True, latency_ms=latency_ms)
    with EmulatorServer(config=config) as server:
        home = new_home(base, "launch")
        asyncio.run(set_up(home, server, server.demo_api_key))
        cache = home / "cache"
        stats = f"{server.root_url}/_emulator/stats"
        cold: list[dict[str, Any]] = []
        warm: list[dict[str, Any]] = []

        def one() -> dict[str, Any]:
            base = httpx.get(stats, timeout=10).json()
            found = run_child("launch", home, stats=stats)[1]
            at, end = found["requests"], found["requests_end"]
            return {
                "s": found["frame_at"] - found["started"],
                "before": at["total"] - base["total"],
                "after": end["total"] - at["total"],
                "routes": routes(base, at),
                "routes_after": routes(at, end),
            }

        for _ in range(runs):
            if cache.exists():
                for f in cache.iterdir():
                    f.unlink()
            cold.append(one())
            time.sleep(gap)  # out of the previous run's GET window: measure pacing-free starts
            warm.append(one())
            time.sleep(gap)
    return {
        "cold_s": statistics.median(r["s"] for r in cold),
        "warm_s": statistics.median(r["s"] for r in warm),
        "warm_total": max(r["before"] + r["after"] for r in warm),
        "warm_accounts": max(
            r["routes"].get(ACCOUNTS, 0) + r["routes_after"].get(ACCOUNTS, 0) for r in warm
        ),
        "cold_total": max(r["before"] + r["after"] for r in cold),
        "warm_routes": warm[-1]["routes"],
        "warm_routes_after": warm[-1]["routes_after"],
        "cold_routes": cold[-1]["routes"],
        "runs": runs,
    }


async def fill_cache(home: Path, server: EmulatorServer, payments: int) -> int:
    """A user with one account of ``payments`` payments, all of them synced into the cache."""
    user = control(server, "/users", {"accounts": 1, "payments": payments})
    workspace = await set_up(home, server, user["api_key"])
    async with workspace.open(PROFILE) as session:
        me = (await session.identities())[0]
        (account,) = await session.accounts(me)
        status = await session.sync_payments(me, account.id)
        assert status.complete and status.count == payments
        return account.id


def unlimited_emulator() -> EmulatorServer:
    """For rows that measure no network: no rate limits, no latency (the client paces not)."""
    from bunqtui.emulator.config import EmulatorConfig
    from bunqtui.emulator.server import EmulatorServer

    os.environ["BUNQTUI_RATE_LIMIT"] = "off"
    return EmulatorServer(config=EmulatorConfig(seed=3, rate_limit=False, sugar_daddy_delay=0))


def cursor_latency(base: Path, payments: int, presses: int) -> dict[str, Any]:
    """Row 2, in this process: 10,000 rows in the table, then ↓ and ↑ timed one by one.

    The emulator that filled the cache is gone: the screen reads everything from the cache
    (its refresh fails offline, which the app shows as a notification and carries on)."""
    home = new_home(base, "cursor")
    with unlimited_emulator() as server:
        asyncio.run(fill_cache(home, server, payments))
    os.environ["BUNQTUI_HOME"] = str(home)

    from textual import events

    from bunqtui.tui.app import BunqApp
    from bunqtui.tui.screens.payments import PaymentsScreen, PaymentsTable

    samples: list[float] = []

    async def drive() -> int:
        app = BunqApp(Workspace.load(home), profile=PROFILE)
        async with app.run_test(size=(100, 30)) as pilot:
            session = app.session(PROFILE)
            me = (await session.identities())[0]
            (cached,) = session.cached_accounts(me) or []
            screen = PaymentsScreen(PROFILE, session, me, cached)
            screen.load_first = lambda: None  # type: ignore[method-assign]  # no network
            await app.push_screen(screen)
            screen.cached.reload()  # every cached payment is a row
            screen.query_one(PaymentsTable).show(screen.cached, cursor=0)
            await pilot.pause(0.2)
            table = screen.query_one(PaymentsTable)
            frames: list[tuple[float, int]] = []  # (when a frame was composed, cursor row)
            compose_frame = app._display

            def display(on: Any, renderable: Any) -> None:
                if renderable is not None:
                    frames.append((time.perf_counter(), table.cursor_row))
                compose_frame(on, renderable)

            app._display = display  # type: ignore[method-assign]
            assert app._driver is not None
            for i in range(presses):
                key = "down" if (i // 50) % 2 == 0 else "up"
                row, seen = table.cursor_row, len(frames)
                start = time.perf_counter()
                app._driver.send_message(events.Key(key, None))
                while not any(r != row for _, r in frames[seen:]):
                    await asyncio.sleep(0.0005)
                    if time.perf_counter() - start > 2:
                        raise SystemExit("no frame with the moved cursor within 2 s")
                shown = next(t for t, r in frames[seen:] if r != row)
                samples.append((shown - start) * 1000)
                await pilot.pause(0.02)  # keys a person presses, not a flood
            return len(screen.cached)

    rows = asyncio.run(drive())
    os.environ.pop("BUNQTUI_HOME", None)
    os.environ.pop("BUNQTUI_RATE_LIMIT", None)
    samples.sort()
    return {
        "rows": rows,
        "presses": presses,
        "p50_ms": samples[len(samples) // 2],
        "p95_ms": samples[int(len(samples) * 0.95) - 1],
    }


def peak_memory(base: Path, payments: int) -> dict[str, Any]:
    """Row 3: a fresh process shows all ``payments`` cached payments of one account."""
    home = new_home(base, "memory")
    with unlimited_emulator() as server:  # still up for the child's one refresh request
        account = asyncio.run(fill_cache(home, server, payments))
        _, result = run_child("memory", home, account)
    return result


# --- report ---------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def table(r: dict[str, Any]) -> str:
    launch, keys, memory = r["launch"], r["cursor"], r["memory"]
    rows = [
        "| what | goal | measured | |",
        "| --- | --- | --- | --- |",
        f"| TUI: launch to the first frame showing accounts | ≤ 0.5 s | "
        f"{launch['warm_s']:.2f} s with the cache of an earlier run, {launch['cold_s']:.2f} s "
        f"without (medians of {launch['runs']}) | {verdict(launch['warm_s'] <= 0.5)} |",
        f"| TUI: requests per launch with the cache of an earlier run, until it is idle | 1 "
        f'to the accounts list (+ 1 event GET for "N new") | '
        f"{launch['warm_accounts']} to the accounts list, {launch['warm_total']} in all "
        f"({launch['cold_total']} without a cache) | "
        f"{verdict(launch['warm_accounts'] == 1 and launch['warm_total'] <= 2)} |",
        f"| TUI: cursor-key latency over {keys['rows']:,} loaded payments (p95) | ≤ 16 ms | "
        f"{keys['p95_ms']:.1f} ms (p50 {keys['p50_ms']:.1f} ms, {keys['presses']} presses) | "
        f"{verdict(keys['p95_ms'] <= 16)} |",
        f"| peak memory with {memory['rows']:,} cached payments open in the TUI | ≤ 150 MB | "
        f"{memory['peak_mb']:.0f} MB (all rows in the table, scrolled to the oldest) | "
        f"{verdict(memory['peak_mb'] <= 150)} |",
    ]
    load = os.getloadavg()[0]
    rows.append("")
    rows.append(
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()} {platform.system()}, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs (load average {load:.1f} "
        "at the end); launch against the emulator with rate limits on and 50 ms latency."
    )
    rows.append(
        "Launch requests, by route (the last run): with the cache, sent before the first frame "
        f"was drawn {fmt_routes(launch['warm_routes'])}; after it, until idle "
        f"{fmt_routes(launch['warm_routes_after'])}"
        f"; without a cache, before the first frame {fmt_routes(launch['cold_routes'])}."
    )
    return "\n".join(rows)


def fmt_routes(found: dict[str, int]) -> str:
    return ", ".join(f"`{k}` × {n}" for k, n in sorted(found.items())) or "none"


def write_doc(text: str) -> None:
    doc = DOC.read_text(encoding="utf-8")
    block = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in doc and END in doc:
        head, rest = doc.split(BEGIN, 1)
        doc = head + block + rest.split(END, 1)[1]
    else:
        doc = doc.rstrip("\n") + "\n\nThe TUI rows (`benchmarks/bench_tui.py`):\n\n" + block + "\n"
    DOC.write_text(doc, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--child", nargs=3, metavar=("MODE", "HOME", "ACCOUNT"), help=argparse.SUPPRESS
    )
    parser.add_argument("--runs", type=int, default=5, help="launches each, cold and warm")
    parser.add_argument("--rows", type=int, default=10_000, help="payments for the cursor row")
    parser.add_argument("--memory-payments", type=int, default=100_000)
    parser.add_argument("--presses", type=int, default=400)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--write", action="store_true", help=f"update {DOC.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    if args.child:
        mode, home, account = args.child
        child(mode, home, int(account) or None)
        return 0
    if args.quick:
        args.runs, args.rows, args.memory_payments, args.presses = 1, 400, 400, 40
    with tempfile.TemporaryDirectory(prefix="bunqtui-bench-tui-") as tmp:
        base = Path(tmp)
        results = {
            "launch": launch(base, args.runs, args.latency_ms, 0.0 if args.quick else 3.1),
            "cursor": cursor_latency(base, args.rows, args.presses),
            "memory": peak_memory(base, args.memory_payments),
        }
    text = table(results)
    print(json.dumps(results, indent=2) if args.json else text)
    if args.write and not args.quick:
        write_doc(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
