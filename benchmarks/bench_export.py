"""Exports and syncs of many payments: time per row, end to end, and peak memory.

The rows of docs/benchmarks.md about `bunqtui payments --all` (benchmarks/run.py runs them with
the others):

    .venv/bin/python benchmarks/bench_export.py [--write] [--json] [--quick]

Every figure is a real `bunqtui` process (this file re-run as ``--child``, which calls
``bunqtui.cli.main.main`` and then reads its own VmHWM; the parent times the process):

1. the first sync of 100,000 payments (`payments --all --format csv` on an empty cache, from an
   emulator with rate limits and latency off): peak memory;
2. the export's cost per row: wall time of `payments --all --format F` minus `--limit 200
   --format F`, over N − 200 rows, for CSV and JSON over 20,000 and 100,000 cached payments
   (medians of alternating runs);
3. the export's peak memory, the largest of those runs;
4. `payments --all` (the table) over 100,000 cached payments, end to end;
5. `payments --all --format json` of 4,000 payments from an empty cache with bunq's rate
   limits on and 50 ms latency: wall time ÷ the rate-limit floor of its requests.

--write replaces this table in docs/benchmarks.md; --quick is a small smoke run.
"""

from __future__ import annotations

import sys


def _child() -> None:
    """``--child HWM_FILE ARGS…``: run bunqtui with ARGS, then write its VmHWM (MiB) there.
    Nothing else is imported first, so the process is `bunqtui` plus a few lines."""
    hwm_file, argv = sys.argv[2], sys.argv[3:]
    from bunqtui.cli.main import main

    code = main(argv)
    with open("/proc/self/status", encoding="ascii") as status:
        kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    with open(hwm_file, "w", encoding="ascii") as out:
        out.write(str(kib / 1024))
    raise SystemExit(code)


if __name__ == "__main__" and sys.argv[1:2] == ["--child"]:
    _child()

import argparse  # noqa: E402 - after the child's early exit, which needs none of this
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from bench_core import PAYMENTS_ROUTE, Control, setup_profile, sync_floor  # noqa: E402

from bunqtui.core import Workspace  # noqa: E402
from bunqtui.emulator.config import EmulatorConfig  # noqa: E402
from bunqtui.emulator.server import EmulatorServer  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench-export:begin -->", "<!-- bench-export:end -->"


def run_cli(argv: list[str], home: Path, env_extra: dict[str, str] | None = None) -> dict[str, Any]:
    """One `bunqtui` process: wall time, peak memory, bytes written to stdout."""
    env = {**os.environ, "BUNQTUI_HOME": str(home), **(env_extra or {})}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # compiled bytecode, as an installed package has
    with tempfile.TemporaryDirectory() as tmp:
        out_path, hwm_path = Path(tmp) / "out", Path(tmp) / "hwm"
        with out_path.open("wb") as out:
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, __file__, "--child", str(hwm_path), *argv],
                stdout=out,
                stderr=subprocess.PIPE,
                env=env,
                timeout=1800,
            )
            elapsed = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"{argv} failed ({done.returncode}):\n{done.stderr[-2000:]!r}")
        return {
            "seconds": elapsed,
            "peak_mb": float(hwm_path.read_text()),
            "bytes": out_path.stat().st_size,
        }


async def make_profile(server: EmulatorServer, name: str, payments: int) -> int:
    """A profile whose one account has ``payments`` payments; returns the account id."""
    control = Control(server)
    control.post("/clock", {"advance_seconds": 31})  # bunq's one session-server per 30 s
    user = control.post("/users", {"accounts": 1, "payments": payments})
    await setup_profile(Workspace.load(), name, server, user["api_key"])
    async with Workspace.load().open(name) as session:
        me = (await session.identities())[0]
        (account,) = await session.accounts(me)
    return account.id


def export_rows(server: EmulatorServer, home: Path, sizes: list[int], runs: int) -> dict[str, Any]:
    """Rows 1–4, against an emulator without rate limits or latency."""
    off = {"BUNQTUI_RATE_LIMIT": "off"}
    result: dict[str, Any] = {"sizes": {}}
    for size in sizes:
        name = f"export{size}"
        account = asyncio.run(make_profile(server, name, size))
        base = ["payments", "--profile", name, "--account", str(account)]
        first = run_cli([*base, "--all", "--format", "csv"], home, off)  # the first sync
        per: dict[str, Any] = {"first_sync": first}
        for fmt in ("csv", "json", "table"):
            full: list[dict[str, Any]] = []
            short: list[dict[str, Any]] = []
            for _ in range(runs):  # alternating, so load hits both alike
                full.append(run_cli([*base, "--all", "--format", fmt], home, off))
                short.append(run_cli([*base, "--limit", "200", "--format", fmt], home, off))
            all_s = statistics.median(r["seconds"] for r in full)
            limit_s = statistics.median(r["seconds"] for r in short)
            per[fmt] = {
                "all_s": all_s,
                "limit_s": limit_s,
                "us_per_row": (all_s - limit_s) / (size - 200) * 1e6,
                "peak_mb": max(r["peak_mb"] for r in full),
                "bytes": full[0]["bytes"],
            }
        result["sizes"][str(size)] = per
    return result


def rate_limited_json(server: EmulatorServer, home: Path, payments: int, latency: float) -> dict:
    """Row 5: `payments --all --format json` from an empty cache at bunq's pace."""
    control = Control(server)
    account = asyncio.run(make_profile(server, "paced", payments))
    time.sleep(3.5)  # the setup's GETs leave the rate-limit window
    before, limited = control.route(PAYMENTS_ROUTE), control.limited()
    run = run_cli(
        ["payments", "--profile", "paced", "--account", str(account), "--all", "--format", "json"],
        home,
    )
    requests = control.route(PAYMENTS_ROUTE) - before
    floor = sync_floor(requests, latency)
    return {
        "payments": payments,
        "seconds": run["seconds"],
        "requests": requests,
        "floor_s": floor,
        "ratio": run["seconds"] / floor,
        "rate_limited": control.limited() - limited,
        "peak_mb": run["peak_mb"],
    }


def run(args: argparse.Namespace, home: Path) -> dict[str, Any]:
    config = EmulatorConfig(seed=3, rate_limit=False, sugar_daddy_delay=0.0)
    with EmulatorServer(config=config) as server:
        result = export_rows(server, home, args.sizes, args.runs)
    paced = EmulatorConfig(
        seed=4, rate_limit=True, latency_ms=args.latency_ms, sugar_daddy_delay=0.0
    )
    with EmulatorServer(config=paced) as server:
        result["paced"] = rate_limited_json(
            server, home, args.paced_payments, args.latency_ms / 1000
        )
    result["latency_ms"] = args.latency_ms
    return result


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def table(r: dict[str, Any]) -> str:
    sizes = r["sizes"]
    big = max(sizes, key=int)
    rows = []
    worst = max(sizes[s][f]["us_per_row"] for s in sizes for f in ("csv", "json"))
    per_row = "; ".join(
        f"{int(s):,}: CSV {sizes[s]['csv']['us_per_row']:.1f} µs, "
        f"JSON {sizes[s]['json']['us_per_row']:.1f} µs"
        for s in sorted(sizes, key=int)
    )
    rows.append(
        (
            "export of cached payments, CSV and JSON: cost per row (`payments --all` minus "
            "`--limit 200`)",
            "≤ 10 µs",
            per_row,
            verdict(worst <= 10),
        )
    )
    peak = max(sizes[s][f]["peak_mb"] for s in sizes for f in ("csv", "json", "table"))
    peaks = "; ".join(
        f"{int(s):,}: CSV {sizes[s]['csv']['peak_mb']:.0f}, JSON {sizes[s]['json']['peak_mb']:.0f}"
        f", table {sizes[s]['table']['peak_mb']:.0f} MB"
        for s in sorted(sizes, key=int)
    )
    rows.append(("export peak memory, whatever the number of payments", "≤ 120 MB", peaks,
                 verdict(peak <= 120)))  # fmt: skip
    end = sizes[big]
    rows.append(
        (
            f"`payments --all` over {int(big):,} cached payments, end to end",
            "≤ 1.5 s",
            f"{end['table']['all_s']:.2f} s table, {end['csv']['all_s']:.2f} s CSV, "
            f"{end['json']['all_s']:.2f} s JSON (medians; one refresh request each)",
            verdict(max(end[f]["all_s"] for f in ("table", "csv", "json")) <= 1.5),
        )
    )
    first = end["first_sync"]
    rows.append(
        (
            f"first sync of {int(big):,} payments, peak memory",
            "≤ 150 MB",
            f"{first['peak_mb']:.0f} MB (`payments --all --format csv` from an empty cache, "
            f"{first['seconds']:.0f} s without rate limits)",
            verdict(first["peak_mb"] <= 150),
        )
    )
    paced = r["paced"]
    rows.append(
        (
            f"`payments --all --format json` of {paced['payments']:,} payments with rate "
            "limits on, end to end ÷ the rate-limit floor",
            "≤ 1.05",
            f"{paced['ratio']:.3f} ({paced['seconds']:.2f} s ÷ {paced['floor_s']:.2f} s, "
            f"{paced['requests']} requests, {paced['rate_limited']} × 429)",
            verdict(paced["ratio"] <= 1.05 and paced["rate_limited"] == 0),
        )
    )
    lines = ["| what | goal | measured | |", "| --- | --- | --- | --- |"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    lines += [
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()} Linux, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs (1-minute load average "
        f"{r['load_start']:.1f} at the start, {os.getloadavg()[0]:.1f} at the end). Each "
        "figure is a `bunqtui` process, stdout to a file; rows 1–4 against an emulator without "
        f"rate limits or latency, row 5 with bunq's limits and {r['latency_ms']:.0f} ms "
        "latency. Per-row costs: medians of "
        f"{r['runs']} alternating runs of each command. `--all` over {int(big):,}: "
        f"--limit 200 took {end['csv']['limit_s']:.2f} s (CSV).",
    ]
    return "\n".join(lines)


def write_doc(text: str) -> None:
    doc = DOC.read_text(encoding="utf-8")
    head, found, rest = doc.partition(BEGIN)
    if not found:
        raise SystemExit(f"{DOC} has no {BEGIN} marker")
    _, _, tail = rest.partition(END)
    DOC.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--runs", type=int, default=5, help="runs of each command")
    parser.add_argument("--paced-payments", type=int, default=4_000)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--write", action="store_true", help=f"update {DOC.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.runs, args.paced_payments = [1_000], 1, 400
    home = Path(tempfile.mkdtemp(prefix="bunqtui-bench-export-"))
    os.environ["BUNQTUI_HOME"] = str(home)
    os.environ.pop("BUNQTUI_RATE_LIMIT", None)
    try:
        load_start = os.getloadavg()[0]
        result = run(args, home)
        result["load_start"] = load_start
        result["runs"] = args.runs
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
