"""`bunqtui completion bash|zsh|fish`: scripts generated from the parser, run in real shells.

The expected commands, options and choices are read from the parser here too (never listed by
hand), so these tests keep checking every option that is added later.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from bunqtui.cli.completion import SHELLS, generate
from bunqtui.cli.main import build_parser, main


def parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """The parser and every sub-parser below it."""
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                found += parsers(sub)
    return found


def subcommand_names(parser: argparse.ArgumentParser) -> set[str]:
    return {
        name
        for p in parsers(parser)
        for a in p._actions
        if isinstance(a, argparse._SubParsersAction)
        for name in a.choices
    }


def option_flags(parser: argparse.ArgumentParser) -> set[str]:
    return {f for p in parsers(parser) for a in p._actions for f in a.option_strings}


def subparser(name: str) -> argparse.ArgumentParser:
    for a in build_parser()._actions:
        if isinstance(a, argparse._SubParsersAction):
            return a.choices[name]
    raise AssertionError("the parser has no sub-commands")


def choices(parser: argparse.ArgumentParser, flag: str) -> set[str]:
    action = next(a for a in parser._actions if flag in a.option_strings)
    return {str(c) for c in action.choices or ()}


def script(shell: str, tmp_path: Path, parser: argparse.ArgumentParser | None = None) -> Path:
    path = tmp_path / f"bunqtui.{shell}"
    path.write_text(generate(parser or build_parser(), shell))
    return path


def test_the_command_prints_the_generated_script(capsys: pytest.CaptureFixture[str]) -> None:
    for shell in SHELLS:
        assert main(["completion", shell]) == 0
        assert capsys.readouterr().out == generate(build_parser(), shell)


def test_an_unknown_shell_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["completion", "powershell"])
    assert exit_.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.parametrize("shell", SHELLS)
def test_every_command_and_option_is_in_the_script(shell: str) -> None:
    parser = build_parser()
    text = generate(parser, shell)
    names = subcommand_names(parser)
    assert {"payments", "emulator", "completion"} <= names  # the walk found the commands
    for name in names:
        assert word(name, text), name
    for flag in option_flags(parser):
        if shell == "fish":
            flag = f"-l '{flag[2:]}'" if flag.startswith("--") else f"-s '{flag[1:]}'"
        assert word(flag, text), flag
    choices = {
        str(c)
        for p in parsers(parser)
        for a in p._actions
        if a.choices and not isinstance(a, argparse._SubParsersAction)
        for c in a.choices
    }
    assert {"table", "json", "csv", "bash"} <= choices
    for choice in choices:
        assert word(choice, text), choice


def word(needle: str, text: str) -> bool:
    """`needle` in `text` as a whole word (`--user` is not found in `--username`)."""
    return re.search(rf"(?<![\w-]){re.escape(needle)}(?![\w-])", text) is not None


# --- bash: the completion function, called as bash calls it on TAB ---------------------------


def bash_complete(script_path: Path, *lines: list[str]) -> list[set[str]]:
    """What bash offers for each command line; the last word is the one being completed."""
    calls = "\n".join(
        "t " + " ".join("'" + w.replace("'", "'\\''") + "'" for w in words) for words in lines
    )
    program = f"""
source {script_path}
t() {{ COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _bunqtui
      local IFS=$'\\t'; printf '%s\\n' "${{COMPREPLY[*]}}"; }}
{calls}
"""
    done = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", program],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=script_path.parent,
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return [set(filter(None, line.split("\t"))) for line in done.stdout.splitlines()]


def test_bash_completes_commands_options_and_values(tmp_path: Path) -> None:
    parser = build_parser()
    payments = subparser("payments")
    formats = choices(payments, "--format")
    environments = choices(subparser("setup"), "--environment")
    options = {f for a in payments._actions for f in a.option_strings}
    (tmp_path / "cert.pem").write_text("")
    got = bash_complete(
        script("bash", tmp_path, parser),
        ["bunqtui", "paym"],  # "pay" is a command of its own
        ["bunqtui", ""],
        ["bunqtui", "payments", "--f"],
        ["bunqtui", "payments", "--format", ""],
        ["bunqtui", "payments", "--format", "j"],
        ["bunqtui", "payments", "--format", "=", ""],  # --format=<TAB>, as bash splits it
        ["bunqtui", "payments", "-"],
        ["bunqtui", "--profile", "payments", "paym"],  # an option's value is not a command
        ["bunqtui", "payments", "-p", "me", "--account", "3", "--f"],
        ["bunqtui", "payments", "--account", ""],  # an id: nothing to offer
        ["bunqtui", "setup", "--environment", ""],
        ["bunqtui", "setup", "--certificate", "ce"],  # a FILE: file names
        ["bunqtui", "completion", ""],
        ["bunqtui", "completion", "bash", ""],
        ["bunqtui", "--v"],
    )
    assert got[0] == {"payments"}
    # the top level offers the commands; a command's own sub-commands (`note list`) come after it
    top = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert got[1] == set(top.choices)
    assert got[2] == {"--format"}
    assert got[3] == formats and {"table", "json", "csv"} <= formats
    assert got[4] == {"json"}
    assert got[5] == formats
    assert got[6] == options
    assert got[7] == {"payments"}
    assert got[8] == {"--format"}
    assert got[9] == set()
    assert got[10] == environments
    assert got[11] == {"cert.pem"}
    assert got[12] == set(SHELLS)
    assert got[13] == set()
    assert got[14] == {"--version"}


def test_a_new_option_is_completed_without_touching_the_generator(tmp_path: Path) -> None:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    new = subparsers.add_parser("frobnicate", help="a command added later")
    new.add_argument("--colour", choices=("red", "green"))
    inner = new.add_subparsers(dest="inner").add_parser("deeper")
    inner.add_argument("--depth", type=int)
    inner.add_argument("thing", choices=("one", "two"))
    got = bash_complete(
        script("bash", tmp_path, parser),
        ["bunqtui", "frob"],
        ["bunqtui", "frobnicate", "--c"],
        ["bunqtui", "frobnicate", "--colour", ""],
        ["bunqtui", "frobnicate", "--colour", "red", "d"],
        ["bunqtui", "frobnicate", "deeper", "--d"],
        ["bunqtui", "frobnicate", "deeper", "--depth", "2", ""],
    )
    assert got == [
        {"frobnicate"},
        {"--colour"},
        {"red", "green"},
        {"deeper"},
        {"--depth"},
        {"one", "two"},
    ]


# --- zsh and fish: their syntax check, and completion in the real shell ----------------------


def needs(shell: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        shutil.which(shell) is None, reason=f"needs {shell} (.ci/run installs it)"
    )


@needs("zsh")
def test_zsh_script_parses_and_registers(tmp_path: Path) -> None:
    path = script("zsh", tmp_path)
    done = subprocess.run(["zsh", "-n", str(path)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    program = f"autoload -Uz compinit && compinit -u -D && source {path} && print $_comps[bunqtui]"
    done = subprocess.run(
        ["zsh", "-f", "-c", program],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "_bunqtui", "")


@needs("fish")
def test_fish_script_parses_and_completes(tmp_path: Path) -> None:
    path = script("fish", tmp_path)
    done = subprocess.run(["fish", "-n", str(path)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    lines = [
        "bunqtui paym",
        "bunqtui payments --f",
        "bunqtui payments --format ",
        "bunqtui --profile payments paym",
        "bunqtui completion ",
        "bunqtui setup --environment ",
    ]
    calls = "; ".join(f"complete -C '{line}'; echo '<end>'" for line in lines)
    done = subprocess.run(
        ["fish", "--no-config", "-c", f"source {path}; {calls}"],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    # one completion a line (a tab before its description), each case closed by <end>
    cases = done.stdout.split("<end>\n")[:-1]
    got = [{line.split("\t")[0] for line in case.splitlines()} for case in cases]
    formats = choices(subparser("payments"), "--format")
    environments = choices(subparser("setup"), "--environment")
    assert got == [{"payments"}, {"--format"}, formats, {"payments"}, set(SHELLS), environments]


ZSHRC = """\
autoload -Uz compinit && compinit -u -D
source {script}
PS1='ready> '
# record what the completion system offers: every match passes through compadd
compadd() {{
    if [[ ${{@[1,(i)(-|--)]}} == *-(O|A|D)\\ * ]]; then builtin compadd "$@"; return; fi
    local -a hits
    builtin compadd -A hits "$@"
    (( $#hits )) && print -rl -- $hits >> {hits}
    builtin compadd "$@"
}}
tab() {{ zle expand-or-complete; print -r -- '<end>' >> {hits} }}
zle -N tab
bindkey '^I' tab
"""


@needs("zsh")
@needs("tmux")
def test_zsh_completes_in_a_terminal(tmp_path: Path) -> None:
    hits = tmp_path / "hits"
    rc = tmp_path / "rc.zsh"
    rc.write_text(ZSHRC.format(script=script("zsh", tmp_path), hits=hits))
    tmux = ["tmux", "-L", f"bunqtui-zsh-{os.getpid()}"]
    env = "env -u ZDOTDIR TERM=xterm-256color HOME=" + str(tmp_path)
    size = ["-x", "150", "-y", "40"]
    subprocess.run(
        [*tmux, "-f", "/dev/null", "new-session", "-d", "-s", "t", *size, f"{env} zsh -f"],
        check=True,
    )

    def complete(line: str) -> set[str]:
        hits.write_text("")
        subprocess.run([*tmux, "send-keys", "-t", "t", "-l", line], check=True)
        subprocess.run([*tmux, "send-keys", "-t", "t", "Tab"], check=True)
        deadline = time.monotonic() + 15
        while "<end>" not in hits.read_text():
            assert time.monotonic() < deadline, f"zsh did not complete {line!r}"
            time.sleep(0.05)
        subprocess.run([*tmux, "send-keys", "-t", "t", "C-u"], check=True)
        return set(hits.read_text().split()) - {"<end>"}

    try:
        subprocess.run([*tmux, "send-keys", "-t", "t", f"source {rc}", "Enter"], check=True)
        payments = subparser("payments")
        formats = choices(payments, "--format")
        assert complete("bunqtui paym") == {"payments"}
        assert complete("bunqtui payments --f") == {"--format"}
        assert complete("bunqtui payments --format ") == formats
        assert complete("bunqtui completion ") == set(SHELLS)
        # --limit and --all are mutually exclusive; -p stands for --profile
        offered = complete("bunqtui payments -p me --all --")
        assert "--format" in offered and not {"--limit", "--profile", "--all"} & offered
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
