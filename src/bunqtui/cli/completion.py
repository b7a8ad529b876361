"""`bunqtui completion bash|zsh|fish`: a shell completion script generated from the parser.

Nothing here lists a command or an option: `describe()` walks the argparse parser (its
sub-parsers, their options, choices and positionals) into a small model, and one writer per
shell turns that model into a script. A new command, option or choice is completed as soon as
it is added to the parser.

What is completed:
- sub-commands (at any depth), with their help as the description where the shell shows one;
- the options valid at that point (those of the innermost sub-command typed so far);
- an option's value: its choices; files for a `FILE`/`PATH` metavar (or an `argparse.FileType`),
  directories for a `DIR` metavar; nothing for any other value (an id, a URL, a key);
- a positional argument's choices (e.g. `bunqtui completion <TAB>`).
Options whose help is `argparse.SUPPRESS` are hidden, as they are from `--help`.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

SHELLS = ("bash", "zsh", "fish")

INSTALL = """\
Load it in the running shell, or save it where the shell looks for completions:

  bash:  source <(bunqtui completion bash)
         bunqtui completion bash > ~/.local/share/bash-completion/completions/bunqtui
  zsh:   source <(bunqtui completion zsh)           (after compinit)
         bunqtui completion zsh > "${fpath[1]}/_bunqtui"
  fish:  bunqtui completion fish > ~/.config/fish/completions/bunqtui.fish
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh or fish)",
        description="Print a completion script for SHELL, generated from bunqtui's own arguments.",
        epilog=INSTALL,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bunqtui.cli.main import build_parser  # main imports this module

    sys.stdout.write(generate(build_parser(), args.shell))
    return 0


def generate(parser: argparse.ArgumentParser, shell: str) -> str:
    writer = {"bash": bash_script, "zsh": zsh_script, "fish": fish_script}[shell]
    return writer(describe(parser))


# --- the model -------------------------------------------------------------------------------

NONE, WORDS, FILE, DIR = "none", "words", "file", "dir"


@dataclass(frozen=True)
class Value:
    """What an option's value or a positional argument completes to."""

    kind: str = NONE  # NONE, WORDS (the choices), FILE or DIR
    words: tuple[str, ...] = ()
    metavar: str = "VALUE"


@dataclass(frozen=True)
class Option:
    flags: tuple[str, ...]
    help: str
    value: Value | None  # None: a flag that takes no value
    optional: bool = False  # nargs="?": the value may be left out
    repeatable: bool = False  # append / count
    final: bool = False  # --help, --version: nothing follows
    excludes: tuple[str, ...] = ()  # the flags of the options in its mutually exclusive groups


@dataclass(frozen=True)
class Positional:
    help: str
    value: Value
    first: int  # the positional slots it fills, counted from 0 after the sub-command
    last: int | None  # inclusive; None: every slot from `first` on
    optional: bool = False


@dataclass
class Command:
    path: tuple[str, ...]  # () for the program itself
    help: str = ""
    options: list[Option] = field(default_factory=list)
    positionals: list[Positional] = field(default_factory=list)
    subcommands: dict[str, Command] = field(default_factory=dict)  # aliases share a Command

    @property
    def key(self) -> str:
        return " ".join(self.path)

    def walk(self) -> Iterator[Command]:
        yield self
        seen: set[int] = set()
        for sub in self.subcommands.values():
            if id(sub) not in seen:
                seen.add(id(sub))
                yield from sub.walk()


def describe(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = (), help_text: str = ""
) -> Command:
    command = Command(path, help_text)
    formatter = parser._get_formatter()
    rivals: dict[int, list[str]] = {}
    for group in parser._mutually_exclusive_groups:
        for action in group._group_actions:
            others = [f for a in group._group_actions if a is not action for f in a.option_strings]
            rivals.setdefault(id(action), []).extend(others)
    slot = 0
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: _help(formatter, a) for a in action._choices_actions}
            by_parser: dict[int, Command] = {}
            for name, sub in action.choices.items():
                if id(sub) not in by_parser:
                    by_parser[id(sub)] = describe(sub, (*path, name), helps.get(name, ""))
                command.subcommands[name] = by_parser[id(sub)]
            continue
        if action.help == argparse.SUPPRESS:
            continue
        if action.option_strings:
            takes_value = action.nargs != 0
            command.options.append(
                Option(
                    flags=tuple(action.option_strings),
                    help=_help(formatter, action),
                    value=_value(action) if takes_value else None,
                    optional=action.nargs == argparse.OPTIONAL,
                    repeatable=isinstance(action, argparse._AppendAction | argparse._CountAction)
                    or action.nargs in (argparse.ZERO_OR_MORE, argparse.ONE_OR_MORE),
                    final=isinstance(action, argparse._HelpAction | argparse._VersionAction),
                    excludes=tuple(rivals.get(id(action), ())),
                )
            )
            continue
        nargs = action.nargs
        if nargs in (argparse.ZERO_OR_MORE, argparse.ONE_OR_MORE, argparse.REMAINDER):
            last = None
        else:
            last = slot + (nargs if isinstance(nargs, int) else 1) - 1
        command.positionals.append(
            Positional(
                _help(formatter, action),
                _value(action),
                slot,
                last,
                optional=nargs in (argparse.OPTIONAL, argparse.ZERO_OR_MORE),
            )
        )
        if last is None:
            break  # it takes every positional word that follows
        slot = last + 1
    return command


def _help(formatter: argparse.HelpFormatter, action: argparse.Action) -> str:
    text = action.help or ""
    if text == argparse.SUPPRESS:
        return ""
    with contextlib.suppress(KeyError, TypeError, ValueError):
        text = formatter._expand_help(action)  # %(default)s and friends
    text = " ".join(text.split())
    return text if len(text) <= 80 else text[:79] + "…"


FILE_METAVAR = re.compile(r"(^|[_-])(FILE|PATH)S?$", re.IGNORECASE)
DIR_METAVAR = re.compile(r"(^|[_-])DIR(ECTORY)?S?$", re.IGNORECASE)


def _value(action: argparse.Action) -> Value:
    metavar = action.metavar if isinstance(action.metavar, str) else action.dest.upper()
    if action.choices is not None:
        return Value(WORDS, tuple(str(c) for c in action.choices), metavar)
    if isinstance(action.type, argparse.FileType) or FILE_METAVAR.search(metavar):
        return Value(FILE, metavar=metavar)
    if DIR_METAVAR.search(metavar):
        return Value(DIR, metavar=metavar)
    return Value(NONE, metavar=metavar)


def _name(prog: str) -> str:
    return re.sub(r"\W", "_", prog)


def _sh(text: str) -> str:
    """A single-quoted word for bash and zsh."""
    return "'" + text.replace("'", "'\\''") + "'"


# --- bash ------------------------------------------------------------------------------------


def bash_script(root: Command, prog: str = "bunqtui") -> str:
    fn = _name(prog)
    commands = list(root.walk())
    out = [
        f"# bash completion for {prog}, generated by `{prog} completion bash` from its",
        "# argument parser. Load it with:",
        f"#   source <({prog} completion bash)",
        "",
        f"__{fn}_subcommands() {{  # PATH: sets REPLY to the sub-commands of PATH",
        '    case "$1" in',
    ]
    for c in commands:
        if c.subcommands:
            out.append(f"        {_sh(c.key)}) REPLY={_sh(' '.join(c.subcommands))} ;;")
    out += ["        *) REPLY='' ;;", "    esac", "}", ""]

    out += [
        f"__{fn}_options() {{  # PATH: sets REPLY to the options valid after PATH",
        '    case "$1" in',
    ]
    for c in commands:
        flags = [f for o in c.options for f in o.flags]
        out.append(f"        {_sh(c.key)}) REPLY={_sh(' '.join(flags))} ;;")
    out += ["        *) REPLY='' ;;", "    esac", "}", ""]

    out += [
        f"__{fn}_value() {{  # PATH OPTION: sets kind, words and optional; fails for a flag",
        "    optional=0",
        '    case "$1 $2" in',
    ]
    for c in commands:
        for o in c.options:
            if o.value is None:
                continue
            opt = " optional=1;" if o.optional else ""
            for flag in o.flags:
                out.append(f"        {_sh(c.key + ' ' + flag)}){opt} {_bash_value(o.value)} ;;")
    out += ["        *) return 1 ;;", "    esac", "}", ""]

    out += [
        f"__{fn}_positional() {{  # PATH N: sets kind and words for positional argument N",
        "    kind=none words=",
        '    case "$1" in',
    ]
    for c in commands:
        tests = []
        for p in c.positionals:
            if p.value.kind == NONE:
                continue
            cond = f"$2 >= {p.first}" + ("" if p.last is None else f" && $2 <= {p.last}")
            tests.append(f"if (( {cond} )); then {_bash_value(p.value)}; fi")
        if tests:
            out.append(f"        {_sh(c.key)}) {'; '.join(tests)} ;;")
    out += ["    esac", "}", ""]

    out += [
        f"__{fn}_reply() {{  # CURRENT-WORD: completes it from kind and words",
        "    local IFS=$'\\n'",
        '    case "$kind" in',
        '        words) COMPREPLY+=($(compgen -W "$words" -- "$1")) ;;',
        '        file) compopt -o filenames 2>/dev/null; COMPREPLY+=($(compgen -f -- "$1")) ;;',
        '        dir) compopt -o filenames 2>/dev/null; COMPREPLY+=($(compgen -d -- "$1")) ;;',
        "    esac",
        "}",
        "",
        f"_{fn}() {{",
        "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}",
        "    local path='' n=0 i w expect='' opt='' kind=none words='' optional=0 subs",
        "    COMPREPLY=()",
        "    # bash splits `--option=value` at the '=' (COMP_WORDBREAKS): --option, =, value",
        '    if [[ $cur == "=" ]]; then',
        "        opt=$prev cur=''",
        '    elif [[ $prev == "=" ]] && ((COMP_CWORD >= 2)); then',
        "        opt=${COMP_WORDS[COMP_CWORD-2]}",
        "    fi",
        "    # find the sub-command typed so far, skipping options and their values",
        "    for ((i = 1; i < COMP_CWORD; i++)); do",
        "        w=${COMP_WORDS[i]}",
        "        if [[ $w == \"=\" ]]; then ((i++)); expect=''; continue; fi",
        "        if [[ -n $expect ]]; then",
        "            expect=''",
        "            [[ $optional == 1 && $w == -?* ]] || continue",
        "        fi",
        "        if [[ $w == -* ]]; then",
        f'            __{fn}_value "$path" "$w" && expect=$w',
        "            continue",
        "        fi",
        f'        __{fn}_subcommands "$path"',
        '        if [[ " $REPLY " == *" $w "* ]]; then',
        "            path=${path:+$path }$w n=0",
        "        else",
        "            ((n++))",
        "        fi",
        "    done",
        "    [[ -z $opt && -n $expect ]] && opt=$expect",
        f'    if [[ -n $opt ]] && __{fn}_value "$path" "$opt"; then',
        f'        __{fn}_reply "$cur"',
        "        return 0",
        "    fi",
        "    if [[ $cur == -* ]]; then",
        f'        __{fn}_options "$path"',
        "        kind=words words=${REPLY// /$'\\n'}",
        f'        __{fn}_reply "$cur"',
        "        return 0",
        "    fi",
        f'    __{fn}_subcommands "$path"',
        "    subs=$REPLY",
        f'    __{fn}_positional "$path" "$n"',
        f'    __{fn}_reply "$cur"',
        "    kind=words words=${subs// /$'\\n'}",
        f'    __{fn}_reply "$cur"',
        "    return 0",
        "}",
        "",
        f"complete -F _{fn} {prog}",
        "",
    ]
    return "\n".join(out)


def _bash_value(value: Value) -> str:
    if value.kind == WORDS:
        lines = "\n".join(w.replace("\\", "\\\\").replace("'", "\\'") for w in value.words)
        return f"kind=words words=$'{lines}'"  # one word a line, in ANSI-C quotes
    return f"kind={value.kind} words=''"


# --- zsh -------------------------------------------------------------------------------------


def zsh_script(root: Command, prog: str = "bunqtui") -> str:
    fn = _name(prog)
    names: dict[int, str] = {}
    for i, c in enumerate(root.walk()):
        names[id(c)] = f"_{fn}" if not c.path else f"_{fn}_cmd{i}"
    out = [
        f"#compdef {prog}",
        f"# zsh completion for {prog}, generated by `{prog} completion zsh` from its argument",
        f"# parser. Save it as _{prog} in a directory of $fpath, or load it after compinit with",
        f"#   source <({prog} completion zsh)",
        "",
    ]
    for c in root.walk():
        out += _zsh_function(c, names, prog)
    out += [
        f'if [[ "$funcstack[1]" == "_{fn}" ]]; then',
        f'    _{fn} "$@"',
        "else",
        f"    compdef _{fn} {prog}",
        "fi",
        "",
    ]
    return "\n".join(out)


def _zsh_escape(text: str, chars: str) -> str:
    return "".join("\\" + ch if ch in chars or ch == "\\" else ch for ch in text)


def _zsh_action(value: Value) -> str:
    if value.kind == WORDS:
        return "(" + " ".join(_zsh_escape(w, " ()[]:'\"$`") for w in value.words) + ")"
    if value.kind == FILE:
        return "_files"
    if value.kind == DIR:
        return "_files -/"
    return " "


def _zsh_function(c: Command, names: dict[int, str], prog: str) -> list[str]:
    specs = []
    for o in c.options:
        if o.final:
            exclude = "(- *)"
        else:
            excluded = [*o.excludes, *(o.flags if len(o.flags) > 1 and not o.repeatable else ())]
            exclude = "(" + " ".join(excluded) + ")" if excluded else ""
            exclude += "*" if o.repeatable else ""
        desc = "[" + _zsh_escape(o.help, "[]:") + "]" if o.help else ""
        for flag in o.flags:
            if o.value is None:
                specs.append(f"{exclude}{flag}{desc}")
                continue
            attach = "=" if flag.startswith("--") else "+"
            colons = "::" if o.optional else ":"
            metavar = _zsh_escape(o.value.metavar, ":") or " "
            specs.append(f"{exclude}{flag}{attach}{desc}{colons}{metavar}:{_zsh_action(o.value)}")
    for p in c.positionals:
        message = _zsh_escape(p.help or p.value.metavar, ":") or " "
        action = _zsh_action(p.value)
        if p.last is None:
            specs.append(f"*:{message}:{action}")
        else:
            colons = "::" if p.optional else ":"
            specs += [f"{colons}{message}:{action}"] * (p.last - p.first + 1)
    if c.subcommands:
        specs += [": :->command", "*:: :->args"]
    lines = [f"{names[id(c)]}() {{"]
    if c.subcommands:
        lines += ['    local curcontext="$curcontext" state line', "    typeset -A opt_args"]
    lines.append("    _arguments -s -S -C \\")
    lines += [f"        {_sh(s)} \\" for s in specs]
    lines.append("        && return 0")
    if c.subcommands:
        described = [
            _zsh_escape(name, ":") + (":" + sub.help if sub.help else "")
            for name, sub in c.subcommands.items()
        ]
        label = " ".join((prog, *c.path))
        lines += [
            "    case $state in",
            "        (command)",
            "            local -a commands",
            "            commands=(",
            *[f"                {_sh(d)}" for d in described],
            "            )",
            f"            _describe -t commands {_sh(label + ' command')} commands",
            "            ;;",
            "        (args)",
            f'            curcontext="${{curcontext%:*:*}}:{"-".join((prog, *c.path))}-$words[1]:"',
            "            case $words[1] in",
        ]
        for name, sub in c.subcommands.items():
            lines.append(f"                ({_zsh_escape(name, ' ()|*?[]')}) {names[id(sub)]} ;;")
        lines += ["            esac", "            ;;", "    esac"]
    lines += ["}", ""]
    return lines


# --- fish ------------------------------------------------------------------------------------


def _fish(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def fish_script(root: Command, prog: str = "bunqtui") -> str:
    fn = _name(prog)
    commands = list(root.walk())
    out = [
        f"# fish completion for {prog}, generated by `{prog} completion fish` from its argument",
        f"# parser. Save it as ~/.config/fish/completions/{prog}.fish",
        "",
        f"function __{fn}_subcommands  # PATH: the sub-commands of PATH, one a line",
        "    switch $argv[1]",
    ]
    for c in commands:
        if c.subcommands:
            out += [
                f"        case {_fish(c.key)}",
                f"            printf '%s\\n' {' '.join(_fish(n) for n in c.subcommands)}",
            ]
    out += ["    end", "end", ""]

    out += [
        f"function __{fn}_value  # PATH OPTION: 'required' or 'optional'; fails for a flag",
        '    switch "$argv[1] $argv[2]"',
    ]
    for c in commands:
        for o in c.options:
            if o.value is None:
                continue
            keys = " ".join(_fish(c.key + " " + f) for f in o.flags)
            out += [
                f"        case {keys}",
                f"            echo {'optional' if o.optional else 'required'}",
            ]
    out += ["        case '*'", "            return 1", "    end", "end", ""]

    out += [
        f"function __{fn}_state  # the sub-command typed so far, then the positionals after it",
        "    set -l path ''",
        "    set -l n 0",
        "    set -l expect ''",
        "    set -l words (commandline -opc)",
        "    set -e words[1]",
        "    for w in $words",
        '        if test -n "$expect"',
        "            set -l was $expect",
        "            set expect ''",
        "            if test $was = required; or not string match -q -- '-?*' $w",
        "                continue",
        "            end",
        "        end",
        "        switch $w",
        "            case '--*=*'",
        "                continue",
        "            case '-*'",
        f'                set expect (__{fn}_value "$path" $w)',
        "                continue",
        "        end",
        f'        if contains -- $w (__{fn}_subcommands "$path")',
        '            set path (string trim -- "$path $w")',
        "            set n 0",
        "        else",
        "            set n (math $n + 1)",
        "        end",
        "    end",
        "    printf '%s\\n' \"$path\" $n",
        "end",
        "",
        f"function __{fn}_at  # PATH [FIRST [LAST]]: at PATH (and at positional FIRST..LAST)",
        f"    set -l state (__{fn}_state)",
        '    test "$state[1]" = "$argv[1]"; or return 1',
        "    set -q argv[2]; or return 0",
        "    test $state[2] -ge $argv[2]; or return 1",
        "    set -q argv[3]; or return 0",
        "    test $state[2] -le $argv[3]",
        "end",
        "",
        f"complete -c {prog} -f",
    ]
    for c in commands:
        at = f"__{fn}_at {_fish(c.key) if c.key else chr(39) * 2}"
        for name, sub in c.subcommands.items():
            line = f"complete -c {prog} -n {_fish(at)} -a {_fish(_fish(name))}"
            out.append(line + (f" -d {_fish(sub.help)}" if sub.help else ""))
        for o in c.options:
            parts = [f"complete -c {prog} -n {_fish(at)}"]
            for flag in o.flags:
                if flag.startswith("--"):
                    parts.append(f"-l {_fish(flag[2:])}")
                elif len(flag) == 2:
                    parts.append(f"-s {_fish(flag[1:])}")
                else:
                    parts.append(f"-o {_fish(flag[1:])}")
            if o.value is not None:
                parts.append(_fish_value(o.value))
            if o.help:
                parts.append(f"-d {_fish(o.help)}")
            out.append(" ".join(parts))
        for p in c.positionals:
            if p.value.kind == NONE:
                continue
            cond = f"{at} {p.first}" + ("" if p.last is None else f" {p.last}")
            line = f"complete -c {prog} -n {_fish(cond)} {_fish_value(p.value, positional=True)}"
            out.append(line + (f" -d {_fish(p.help)}" if p.help else ""))
    out.append("")
    return "\n".join(out)


def _fish_value(value: Value, *, positional: bool = False) -> str:
    # an option's value: -r (required) with -f (no files) or -F (files); -x is -r -f
    no_files, files = ("-f", "-F") if positional else ("-x", "-r -F")
    if value.kind == WORDS:
        return f"{no_files} -a " + _fish(" ".join(_fish(w) for w in value.words))
    if value.kind == FILE:
        return files
    if value.kind == DIR:
        return f"{no_files} -a '(__fish_complete_directories)'"
    return no_files
