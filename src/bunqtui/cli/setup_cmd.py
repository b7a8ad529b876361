"""`bunqtui setup CONNECTOR --profile P ...`: set up (or re-check) a profile.

api-key and psd2 get their own flags; any connector (third-party ones too) takes
``--set NAME=VALUE`` for its fields. The API key may come from ``--api-key``, ``--api-key -``
(stdin), ``BUNQTUI_API_KEY``, or a pipe, so it never has to sit in shell history.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from bunqtui.api.errors import mask_secret
from bunqtui.cli.common import EXIT_OK, add_profile_arg, command, say, workspace
from bunqtui.core import ConfigError, SetupStep

API_KEY_ENV = "BUNQTUI_API_KEY"
MARKS = {"running": "…", "done": "✓", "skipped": "·", "failed": "✗", "waiting": " "}


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "setup",
        help="set up a profile with a connector (api-key, psd2, or a plugin's)",
        description="Set up a profile. Running it again reuses what is stored and creates "
        "nothing twice.",
    )
    p.add_argument("connector", help="connector name: api-key, psd2, or one from `bunqtui plugins`")
    add_profile_arg(p, required=True)
    env = p.add_mutually_exclusive_group()
    # no default: a rerun keeps the profile's environment (sandbox for a new profile)
    env.add_argument("--environment", choices=("sandbox", "production"))
    env.add_argument("--base-url", metavar="URL", help="another API base URL (e.g. the emulator)")
    p.add_argument("--redirect-uri", metavar="URI", help="OAuth redirect URI (loopback)")
    key = p.add_argument_group("api-key")
    key.add_argument("--api-key", metavar="KEY", help="the API key, or - to read it from stdin")
    key.add_argument("--create-sandbox-user", action="store_true", help="sandbox: a new user")
    key.add_argument("--register-oauth", action="store_true", help="register an OAuth client")
    psd2 = p.add_argument_group("psd2")
    psd2.add_argument("--generate-sandbox-certificate", action="store_true")
    psd2.add_argument("--certificate", metavar="FILE")
    psd2.add_argument("--private-key", metavar="FILE")
    psd2.add_argument("--chain", metavar="FILE")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="any connector option (repeatable)",
    )
    p.set_defaults(func=command(run))


def _stdin_line() -> str | None:
    try:
        if sys.stdin is None or sys.stdin.isatty():
            return None
        return sys.stdin.readline().strip() or None
    except (OSError, ValueError):
        return None


def options_from(args: argparse.Namespace) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ConfigError(f"--set expects NAME=VALUE, not {item!r}")
        options[name.strip().replace("-", "_")] = value
    if args.connector == "api-key":
        api_key = args.api_key
        if api_key == "-":
            api_key = _stdin_line()
            if not api_key:
                raise ConfigError("--api-key - was given but stdin had no key")
        api_key = api_key or os.environ.get(API_KEY_ENV) or None
        if api_key is None and not args.create_sandbox_user:
            api_key = _stdin_line()
        if api_key:
            options["api_key"] = api_key
        if args.create_sandbox_user:
            options["create_sandbox_user"] = True
        if args.register_oauth:
            options["register_oauth"] = True
    elif args.api_key or args.create_sandbox_user or args.register_oauth:
        raise ConfigError(
            f"--api-key and --create-sandbox-user are for api-key, not {args.connector}"
        )
    if args.connector == "psd2":
        if args.generate_sandbox_certificate:
            options["generate_sandbox_certificate"] = True
        for name in ("certificate", "private_key", "chain"):
            if getattr(args, name):
                options[name] = getattr(args, name)
    elif args.generate_sandbox_certificate or args.certificate or args.private_key or args.chain:
        raise ConfigError(f"certificate options are for psd2, not {args.connector}")
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
    key = f", API key {mask_secret(options['api_key'])}" if options.get("api_key") else ""
    default = " (default)" if info.is_default else ""
    say(f"Profile {info.name}{default} ready: {info.connector} on {where}{key}")
    return EXIT_OK
