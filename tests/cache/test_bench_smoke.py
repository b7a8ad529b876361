"""benchmarks/bench_core.py stays runnable: a --quick smoke run (the real figures are in
docs/benchmarks.md, measured by the full run; nothing here is timed)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_core.py"


@pytest.mark.slow
def test_quick_benchmark_run_reports_every_row() -> None:
    run = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout)
    assert result["launch"] == {"before_cached_view": 0, "to_accounts_list": 1}
    cli = result["cli_vs_sdk"]
    assert cli["bunqtui_requests"] == 1 and cli["sdk_requests"] >= 1
    assert cli["floor_requests"] == 1 and cli["floor_ratio"] > 0
    assert cli["ratio"] > 0 and cli["rate_limited"] == 0
    sync = result["sync"]
    assert sync["payments"] == 600 and sync["complete"]
    assert sync["requests"] == sync["ideal_requests"] == 3
    assert sync["rate_limited"] == 0 and sync["refresh_requests"] == 1
    search = result["search"]
    assert search["payments"] == 2000 and len(search["queries"]) >= 5


@pytest.mark.slow
def test_quick_export_benchmark_run_reports_every_row() -> None:
    run = subprocess.run(
        [sys.executable, str(BENCH.with_name("bench_export.py")), "--quick", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout)
    (size,) = result["sizes"].values()
    for fmt in ("csv", "json", "table"):
        assert size[fmt]["peak_mb"] > 0 and size[fmt]["bytes"] > 0
    assert size["first_sync"]["peak_mb"] > 0
    paced = result["paced"]
    assert paced["requests"] == 2 and paced["rate_limited"] == 0
