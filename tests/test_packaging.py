"""The wheel, as a user gets it: built with `python -m build`, installed with pipx into a clean
environment, then `bunqtui --version`, `bunqtui emulator` (and a headless command against it,
through the plugins found in the installed wheel) and `bunqtui --demo` in a real terminal.

One test, so that one build and one install serve every check (spread over xdist workers, a
fixture would build once per worker). Needs `build` and `pipx` (the test extra) and tmux
(.ci/run installs it); without build or pipx it fails; without tmux it fails in CI and
elsewhere skips only the demo, after every other check.
"""

from __future__ import annotations

import importlib.util
import os
import queue
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path, PurePosixPath

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow

# the environment of the user's shell, less whatever ties a program to this checkout or venv
DROP = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "COLUMNS", "LINES")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in DROP and not k.startswith("BUNQTUI_")}
    env.pop("PIP_REQUIRE_VIRTUALENV", None)
    return {**env, **extra}


def run(
    cmd: list[str],
    *,
    timeout: float = 300,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd)
    assert done.returncode == 0, f"{shlex.join(cmd)} failed ({done.returncode}):\n{done.stderr}"
    return done


def test_the_wheel_installs_with_pipx_and_runs(tmp_path: Path) -> None:
    for tool, why in (("build", "builds the wheel"), ("pipx", "installs it")):
        if importlib.util.find_spec(tool) is None:
            pytest.fail(f"`{tool}` is missing ({why}): pip install -e '.[test]'")
    # tmux runs the installed `bunqtui --demo` in a terminal: CI must have it (.ci/run installs
    # it); on a developer's machine without it, everything else is still checked
    no_tmux = shutil.which("tmux") is None
    if no_tmux and os.environ.get("CI"):
        pytest.fail("tmux is missing: it runs `bunqtui --demo` in a terminal (.ci/run installs it)")

    dist = tmp_path / "dist"
    run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)], cwd=tmp_path)
    (wheel,) = dist.glob("bunqtui-*.whl")
    version = check_wheel(wheel)

    pipx_home, bin_dir = tmp_path / "pipx", tmp_path / "bin"
    pipx_env = clean_env(
        PIPX_HOME=str(pipx_home), PIPX_BIN_DIR=str(bin_dir), PIPX_MAN_DIR=str(tmp_path / "man")
    )
    run([sys.executable, "-m", "pipx", "install", str(wheel)], env=pipx_env, cwd=tmp_path)
    exe = bin_dir / "bunqtui"
    assert exe.exists(), f"pipx put no bunqtui in {bin_dir}"

    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(HOME=str(home), BUNQTUI_HOME=str(home / "bunqtui"))
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env.pop(name, None)

    # the code that runs is the installed copy, not this checkout
    python = pipx_home / "venvs" / "bunqtui" / "bin" / "python"
    probe = "import bunqtui, bunqtui_apikey, bunqtui_psd2, importlib.metadata as m\n"
    probe += "print(bunqtui.__file__, bunqtui_apikey.__file__, m.version('bunqtui'))"
    found = run([str(python), "-c", probe], env=env, cwd=home).stdout.split()
    for path in found[:2]:
        assert Path(path).is_relative_to(pipx_home), f"{path} is not the installed copy"
    assert found[2] == version

    done = run([str(exe), "--version"], env=env, cwd=home)
    assert done.stdout.strip() == f"bunqtui {version}"

    done = run([str(exe), "completion", "bash"], env=env, cwd=home)
    assert "complete -F _bunqtui bunqtui" in done.stdout

    check_emulator(exe, env, home)
    if no_tmux:
        pytest.skip("tmux is missing: the installed `bunqtui --demo` was not run (all else passed)")
    check_demo(exe, env, tmp_path)


# --- what is in the wheel ---------------------------------------------------------------------

SECRET_SUFFIXES = {".pem", ".key", ".p12", ".pfx", ".crt", ".der", ".env", ".db", ".sqlite"}
SECRET_TEXT = re.compile(rb"-----BEGIN [A-Z ]*PRIVATE KEY-----|sandbox_[0-9a-f]{32,}")


def check_wheel(wheel: Path) -> str:
    """The wheel holds the app, both connector plugins and the stylesheet, nothing else."""
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        contents = {name: z.read(name) for name in names}
    (meta,) = [n for n in names if n.endswith(".dist-info/METADATA")]
    version = re.search(r"^Version: (\S+)$", contents[meta].decode(), re.M)
    assert version, "no Version in the wheel's METADATA"
    dist_info = meta.split("/")[0]
    for needed in (
        "bunqtui/__init__.py",
        "bunqtui/cli/main.py",
        "bunqtui/cli/completion.py",
        "bunqtui/emulator/server.py",
        "bunqtui/tui/app.tcss",
        "bunqtui_apikey/__init__.py",
        "bunqtui_psd2/__init__.py",
        "bunqtui_accounting/__init__.py",
    ):
        assert needed in names, f"{needed} is not in the wheel"
    entry_points = contents[f"{dist_info}/entry_points.txt"].decode()
    assert re.search(r"^bunqtui = bunqtui\.cli\.main:main$", entry_points, re.M)
    for plugin in (
        "api-key = bunqtui_apikey",
        "psd2 = bunqtui_psd2",
        "accounting = bunqtui_accounting",
    ):
        assert plugin in entry_points, f"the wheel does not register {plugin}"

    for name in names:
        path = PurePosixPath(name)
        plugins = {"bunqtui_apikey", "bunqtui_psd2", "bunqtui_accounting"}
        assert path.parts[0] in {"bunqtui", *plugins, dist_info}, name
        assert "tests" not in path.parts and path.name != "conftest.py", f"a test: {name}"
        assert not path.name.startswith("test_"), f"a test: {name}"
        assert "__pycache__" not in path.parts and path.suffix != ".pyc", name
        assert path.suffix not in SECRET_SUFFIXES and "secrets" not in path.parts[:-1], name
        assert path.name not in {"config.toml", ".env", "id_rsa"}, name
        assert not SECRET_TEXT.search(contents[name]), f"{name} holds a key"
    return version.group(1)


# --- `bunqtui emulator` -----------------------------------------------------------------------


def check_emulator(exe: Path, env: dict[str, str], home: Path) -> None:
    server = subprocess.Popen(
        [str(exe), "emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=home,
    )
    lines: queue.Queue[str] = queue.Queue()
    out = server.stdout
    assert out is not None

    def read() -> None:
        for line in out:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    try:
        first = lines.get(timeout=60)
        match = re.search(r"(http://127\.0\.0\.1:\d+/v1)\s*$", first)
        assert match, f"the emulator's first line names no base URL: {first!r}"
        base_url = match.group(1)
        api_key = lines.get(timeout=10).split()[-1]
        # it answers as bunq does: an unauthenticated call is refused with bunq's error shape
        response = httpx.get(f"{base_url}/user", timeout=10)
        assert response.status_code == 401, response.text
        assert "Error" in response.json() and response.headers["x-bunq-client-response-id"]
        # and the installed client, with the connector found through the wheel's entry points,
        # sets a profile up against it and lists its accounts
        setup = [str(exe), "setup", "api-key", "--profile", "p", "--base-url", base_url]
        run([*setup, "--api-key", api_key], env=env, cwd=home, timeout=60)
        done = run([str(exe), "accounts", "--json"], env=env, cwd=home, timeout=60)
        assert '"MonetaryAccount' in done.stdout
        server.send_signal(signal.SIGINT)
        code = server.wait(timeout=30)
        err = server.stderr.read() if server.stderr else ""
        assert code == 0, f"Ctrl-C stopped the emulator with {code}:\n{err}"
        assert "Traceback" not in err, err
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


# --- `bunqtui --demo` in a terminal -----------------------------------------------------------


def check_demo(exe: Path, env: dict[str, str], tmp_path: Path) -> None:
    status = tmp_path / "demo-exit-status"
    scratch = tmp_path / "demo-tmp"
    scratch.mkdir()
    tmux = ["tmux", "-L", f"bunqtui-wheel-{os.getpid()}"]
    keep = ("PATH", "HOME", "LANG", "LC_ALL")
    command = "env -i " + " ".join(f"{k}={shlex.quote(env[k])}" for k in keep if k in env)
    command += f" TERM=xterm-256color TMPDIR={shlex.quote(str(scratch))} {shlex.quote(str(exe))}"
    command += f" --demo; echo $? > {shlex.quote(str(status))}; sleep 60"
    size = ["-x", "100", "-y", "30"]
    run([*tmux, "-f", "/dev/null", "new-session", "-d", "-s", "t", *size, "sleep 600"])
    try:
        run([*tmux, "respawn-pane", "-k", "-t", "t", command])
        screen = ""
        deadline = time.monotonic() + 60
        while not ("Main account" in screen and "A. Visser (you)" in screen):
            assert time.monotonic() < deadline, f"the demo never showed its accounts:\n{screen}"
            time.sleep(0.1)
            screen = run([*tmux, "capture-pane", "-t", "t", "-p"]).stdout
        run([*tmux, "send-keys", "-t", "t", "q"])
        deadline = time.monotonic() + 30
        while not status.exists() or not status.read_text().strip():
            assert time.monotonic() < deadline, "the demo did not quit on q"
            time.sleep(0.1)
        assert status.read_text().strip() == "0"
        assert list(scratch.iterdir()) == [], "the demo left its temporary home behind"
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
