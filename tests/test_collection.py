"""A plain `pytest` (the console script, not `python -m pytest`, which puts the current
directory on sys.path) collects the whole suite: no test imports `tests.…` as a package."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_plain_pytest_collects_every_test() -> None:
    script = Path(sys.executable).with_name("pytest")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [str(script), "--collect-only", "-q", "-n", "0", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "error" not in done.stdout.splitlines()[-1], done.stdout[-3000:]


def test_no_test_imports_a_conftest_or_the_tests_package() -> None:
    # several directories have a conftest.py: `from conftest import` gets whichever was imported
    # first (it broke when only some directories were collected); helpers live in *_helpers.py
    bad = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        if "sdk_suite" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if line.lstrip().startswith(("from conftest import", "import conftest", "from tests."))
    ]
    assert bad == []
