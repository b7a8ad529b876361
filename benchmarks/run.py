"""Every benchmark of docs/benchmarks.md in one command.

    .venv/bin/python benchmarks/run.py [--write] [--quick]

Runs bench_core.py (requests, bunqtui vs the official SDK, full sync, refresh, search),
bench_export.py (exports and syncs of many payments: time per row, memory), bench_ratelimits.py
(syncs against limits other than bunq's published ones) and bench_tui.py (launch, cursor keys,
memory) one after the other, each starting its own emulator; --write updates their tables in
docs/benchmarks.md.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    unknown = [a for a in args if a not in ("--write", "--quick")]
    if unknown:
        print(f"usage: run.py [--write] [--quick] (not {' '.join(unknown)})", file=sys.stderr)
        return 2
    for script in ("bench_core.py", "bench_export.py", "bench_ratelimits.py", "bench_tui.py"):
        print(f"== {script}", flush=True)
        done = subprocess.run([sys.executable, str(HERE / script), *args])
        if done.returncode != 0:
            return done.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
