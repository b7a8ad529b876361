"""benchmarks/bench_tui.py stays runnable: a small --quick run measures all three rows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_bench_tui_quick_run_measures_every_row() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("BUNQTUI_HOME", "COLUMNS", "LINES")}
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_tui.py"), "--quick", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert result["launch"]["warm_s"] > 0 and result["launch"]["cold_s"] > 0
    assert result["cursor"]["rows"] == 400 and result["cursor"]["p50_ms"] > 0
    assert result["cursor"]["p50_ms"] <= result["cursor"]["p95_ms"]
    assert result["memory"]["rows"] == 400 and result["memory"]["peak_mb"] > 0
