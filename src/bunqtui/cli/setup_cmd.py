"""`bunqtui setup CONNECTOR --profile P ...`: set up (or re-check) a profile.

A connector's flags are generated from the fields it declares (``SetupField``), the same fields
the TUI builds its setup form from, so a third-party connector gets both: `bunqtui setup
CONNECTOR --help` lists its fields, and `bunqtui completion` completes them. A field's flag is
``--`` and its name (``api_key`` → ``--api-key``) unless it names one; a "bool" field is a flag
without a value, a "choice" field takes one of its choices, a "path" field a file. A "secret"
field given as ``-`` is read from one line of stdin, so it never has to sit in shell history;
a field may also name an environment variable, or ask to be read from a piped stdin when it is
left out (the API key: ``--api-key``, ``--api-key -``, ``BUNQTUI_API_KEY``, or a pipe).
``--set NAME=VALUE`` reaches any field, flag or not.

The connectors are looked up only when `setup` itself is parsed (or its help or the completion
script is made): `bunqtui --help` and every other command never scan the plugins for it.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bunqtui.api.errors import mask_secret
from bunqtui.cli.common import EXIT_OK, add_profile_arg, command, say, workspace
from bunqtui.core import ConfigError, SetupStep
from bunqtui.untrusted import printable

if TYPE_CHECKING:
    from bunqtui.plugins import Connector, SetupField

MARKS = {"running": "…", "done": "✓", "skipped": "·", "failed": "✗", "waiting": " "}
FIELD = "field."  # the namespace prefix of a connector field's value (no clash with --profile)
FILE_KINDS = ("path", "file")
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")
_FLAG = re.compile(r"^--[A-Za-z0-9][A-Za-z0-9-]*$")


class SetupParser(argparse.ArgumentParser):
    """The `setup` parser. Its connectors' flags are added (one argument group per connector)
    the first time anything reads its actions: a parse, its help, the completion generator."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._pending: Callable[[SetupParser], None] | None = None
        self.connector_names: list[str] = []  # the `connector` argument's choices
        self.connector_classes: dict[str, type[Connector]] = {}
        self.connector_actions: dict[str, list[argparse.Action]] = {}
        super().__init__(*args, **kwargs)

    @property
    def _actions(self) -> list[argparse.Action]:
        fill, self._pending = self._pending, None
        if fill is not None:
            fill(self)
        return self._action_list

    @_actions.setter
    def _actions(self, value: list[argparse.Action]) -> None:
        self._action_list = value

    def add_connectors_later(self, fill: Callable[[SetupParser], None]) -> None:
        self._pending = fill

    def format_connector_help(self, name: str) -> str:
        """The help of `setup NAME`: the common options and that connector's own."""
        cls = self.connector_classes[name]
        title = printable(cls.title or name)
        text = f"Set up a profile with the {title} connector ({name}). {printable(cls.description)}"
        helper = argparse.ArgumentParser(
            prog=f"{self.prog} {name}", description=_literal(text.strip())
        )
        _add_common(helper)
        own = helper.add_argument_group(f"{name} options")
        for action in self.connector_actions.get(name, []):
            own._add_action(_copy(action))
        return helper.format_help()


class _Help(argparse._HelpAction):
    """``--help`` after a connector's name shows that connector's options."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: Any, *_: Any) -> None:
        name = getattr(namespace, "connector", None)
        if isinstance(parser, SetupParser) and name in parser.connector_classes:
            parser._print_message(parser.format_connector_help(name), sys.stdout)
        else:
            parser.print_help()
        parser.exit()


def register(subparsers: argparse._SubParsersAction) -> None:
    parser_class = subparsers._parser_class
    subparsers._parser_class = SetupParser
    try:
        p = subparsers.add_parser(
            "setup",
            help="set up a profile with a connector (api-key, psd2, or a plugin's)",
            description="Set up a profile. Running it again reuses what is stored and creates "
            "nothing twice. `bunqtui setup CONNECTOR --help` lists a connector's own options.",
            add_help=False,
        )
    finally:
        subparsers._parser_class = parser_class
    assert isinstance(p, SetupParser)
    p.add_argument("-h", "--help", action=_Help, help="show this help message and exit")
    p.add_argument(
        "connector",
        metavar="CONNECTOR",
        choices=p.connector_names,  # filled with the installed connectors' names
        help="connector name: api-key, psd2, or one from `bunqtui plugins`",
    )
    _add_common(p)
    p.set_defaults(func=command(run), setup_connectors=p.connector_classes)
    p.add_connectors_later(_add_connectors)


def _add_common(p: argparse.ArgumentParser) -> None:
    add_profile_arg(p, required=True)
    env = p.add_mutually_exclusive_group()
    # no default: a rerun keeps the profile's environment (sandbox for a new profile)
    env.add_argument("--environment", choices=("sandbox", "production"))
    env.add_argument("--base-url", metavar="URL", help="another API base URL (e.g. the emulator)")
    p.add_argument("--redirect-uri", metavar="URI", help="OAuth redirect URI (loopback)")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="any connector option, by its field name (repeatable)",
    )


def _add_connectors(p: SetupParser) -> None:
    from bunqtui.plugins.manager import PluginRegistry

    # the full scan; not written to the plugin index (the completion script may run anywhere)
    for name, cls in sorted(PluginRegistry(index=None).connectors.items()):
        p.connector_names.append(name)
        p.connector_classes[name] = cls
        group = p.add_argument_group(name, _literal(printable(cls.description)) or None)
        actions = [_add_field(p, group, f) for f in cls.fields]
        p.connector_actions[name] = [a for a in actions if a is not None]


def _add_field(
    p: argparse.ArgumentParser, group: argparse._ArgumentGroup, f: SetupField
) -> argparse.Action | None:
    """The flag of field ``f``; None if it cannot have one (``--set`` still reaches it)."""
    flag, dest = f.option, FIELD + f.name
    if not _FLAG.match(flag):
        return None
    kwargs: dict[str, Any] = {"dest": dest, "default": argparse.SUPPRESS, "help": _help(f)}
    if f.kind == "bool":
        kwargs["action"] = argparse.BooleanOptionalAction if f.default is True else "store_true"
    elif f.kind == "choice":
        kwargs["choices"] = tuple(f.choices)
    else:
        kwargs["metavar"] = "FILE" if f.kind in FILE_KINDS else f.name.rsplit("_", 1)[-1].upper()
    existing = p._option_string_actions.get(flag)
    if existing is not None:
        # another connector's field of the same name and shape shares the flag; a clash with a
        # common option (--profile) or a different shape leaves this field to --set
        same = existing.dest == dest and existing.nargs == (0 if f.kind == "bool" else None)
        return existing if same and existing.choices == kwargs.get("choices") else None
    try:
        return group.add_argument(flag, **kwargs)
    except (argparse.ArgumentError, ValueError, TypeError):  # e.g. --no-x of a bool is taken
        return None


def _help(f: SetupField) -> str:
    text = printable(f.label) + (f" — {printable(f.help)}" if f.help else "")
    notes = []
    if f.kind == "secret":
        notes.append("- reads it from stdin")
    if f.env:
        notes.append(f"else ${printable(f.env)}")
    if f.stdin:
        notes.append("else a pipe on stdin")
    if f.required:
        notes.append("required")
    if _default(f) is not None:
        notes.append(f"default: {printable(f.default)}")
    return (text + (f" ({'; '.join(notes)})" if notes else "")).replace("%", "%%")


def _literal(text: str) -> str:
    """Text argparse shows as written (it fills in ``%(prog)s`` in descriptions)."""
    return text.replace("%", "%%") if "%(prog)" in text else text


def _copy(action: argparse.Action) -> argparse.Action:
    clone = argparse.Action.__new__(type(action))
    clone.__dict__.update(action.__dict__)
    return clone


def _default(f: SetupField) -> object:
    """What the CLI passes for a field left out, as the TUI's form is prefilled with it."""
    if f.kind == "bool":
        return True if f.default is True else None
    if f.kind == "secret" or f.default in (None, ""):
        return None
    return f.default


def _stdin_line() -> str | None:
    try:
        if sys.stdin is None or sys.stdin.isatty():
            return None
        return sys.stdin.readline().strip() or None
    except (OSError, ValueError):
        return None


def _flag_value(f: SetupField, value: Any) -> Any:
    if value == "-" and f.kind == "secret":
        value = _stdin_line()
        if not value:
            raise ConfigError(f"{f.option} - was given but stdin had no {printable(f.label)}")
    return value


def _set_value(f: SetupField | None, text: str) -> Any:
    if f is None or f.kind != "bool":
        return text
    if text.strip().lower() in TRUE + FALSE:
        return text.strip().lower() in TRUE
    raise ConfigError(f"--set {f.name}= takes true or false, not {text!r}")


def options_from(args: argparse.Namespace) -> dict[str, Any]:
    """The connector's options from ``--set``, its flags, environment variables and stdin."""
    connector: str = args.connector
    cls = args.setup_connectors.get(connector)
    fields: list[SetupField] = list(cls.fields) if cls is not None else []
    by_name = {f.name: f for f in fields}
    given = {k[len(FIELD) :]: v for k, v in vars(args).items() if k.startswith(FIELD)}
    foreign = sorted(name for name in given if name not in by_name)
    if foreign:
        known = {f.name: f.option for c in args.setup_connectors.values() for f in c.fields}
        flags = ", ".join(known.get(name, name) for name in foreign)
        raise ConfigError(
            f"{flags} {'is not an option' if len(foreign) == 1 else 'are not options'} "
            f"of {connector}",
            f"`bunqtui setup {connector} --help` lists its options",
        )
    options: dict[str, Any] = {}
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ConfigError(f"--set expects NAME=VALUE, not {item!r}")
        name = name.strip().replace("-", "_")
        options[name] = _set_value(by_name.get(name), value)
    for f in fields:  # the flags win over --set
        if f.name in given:
            value = _flag_value(f, given[f.name])
            if value not in (None, "", False) or f.kind == "bool":
                options[f.name] = value
    for f in fields:  # then what a left-out field may come from
        if options.get(f.name) not in (None, ""):
            continue
        value = os.environ.get(f.env) if f.env else None
        if not value and f.stdin and not any(options.get(x) for x in f.excludes):
            value = _stdin_line()
        if not value:
            value = _default(f)
        if value not in (None, ""):
            options[f.name] = value
    return options


def _report(step: SetupStep) -> None:
    if step.status == "running":
        return
    detail = f" — {step.detail}" if step.detail else ""
    # a step's detail may quote bunq (a user's name, an error text): shown literally
    say(f"  {MARKS.get(step.status, '?')} {step.label}{detail}", file=sys.stderr)


async def run(args: argparse.Namespace) -> int:
    ws = workspace()
    options = options_from(args)
    say(f"Setting up profile {args.profile!r} ({args.connector}):", file=sys.stderr)
    info = await ws.setup_profile(
        args.profile,
        args.connector,
        environment=args.environment,
        base_url=args.base_url,
        redirect_uri=args.redirect_uri,
        options=options,
        on_step=_report,
    )
    where = info.base_url or info.environment
    cls = args.setup_connectors.get(args.connector)
    secrets = [f for f in getattr(cls, "fields", ()) if f.kind == "secret"]
    # e.g. ", API key sandbox_ab…yz": which secret was used, never the secret itself
    shown = "".join(
        f", {f.label} {mask_secret(str(options[f.name]))}" for f in secrets if options.get(f.name)
    )
    default = " (default)" if info.is_default else ""
    say(f"Profile {info.name}{default} ready: {info.connector} on {where}{shown}")
    return EXIT_OK
