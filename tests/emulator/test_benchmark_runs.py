"""The emulator benchmark stays runnable (a short run; the real numbers are in docs/emulator.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_emulator.py"


@pytest.mark.slow
def test_benchmark_reports_throughput_and_latency() -> None:
    run = subprocess.run(
        [sys.executable, str(BENCH), "-n", "60", "--verify", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["requests"] == 60 and result["verify_signatures"] is True
    assert result["requests_per_second"] > 0
    assert 0 < result["p50_ms"] <= result["p95_ms"] <= result["max_ms"]
    assert result["startup_seconds"] > 0  # the < 2 s goal is checked by the benchmark
