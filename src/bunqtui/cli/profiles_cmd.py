"""`bunqtui profiles [--json]` and `bunqtui plugins [--json]`."""

from __future__ import annotations

import argparse

from bunqtui.cli.common import EXIT_OK, command, print_json, print_table, say, workspace
from bunqtui.plugins.manager import load_plugins


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("profiles", help="list the profiles")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--set-default", metavar="NAME", help="make NAME the default profile")
    p.set_defaults(func=command(profiles))
    p = subparsers.add_parser("plugins", help="list plugins, connectors, exporters and problems")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=command(plugins))


def profiles(args: argparse.Namespace) -> int:
    ws = workspace()
    if args.set_default:
        ws.set_default_profile(args.set_default)
    items = ws.profiles()
    if args.json:
        print_json(
            [
                {
                    "name": p.name,
                    "connector": p.connector,
                    "environment": p.environment,
                    "base_url": p.base_url,
                    "default": p.is_default,
                }
                for p in items
            ]
        )
        return EXIT_OK
    if not items:
        print("No profiles yet. Create one with `bunqtui setup api-key --profile NAME ...`.")
        return EXIT_OK
    print_table(
        ["NAME", "CONNECTOR", "ENVIRONMENT", "DEFAULT"],
        [
            [p.name, p.connector, p.base_url or p.environment, "*" if p.is_default else ""]
            for p in items
        ],
    )
    return EXIT_OK


def plugins(args: argparse.Namespace) -> int:
    # works even when config.toml is broken: plugins are what one checks first then
    found = load_plugins()
    if args.json:
        print_json(
            {
                "plugins": [
                    {
                        "name": p.name,
                        "source": p.source,
                        "value": p.value,
                        "status": p.status,
                        "error": p.error or None,
                    }
                    for p in found.plugins
                ],
                "connectors": [
                    {"name": n, "title": c.title, "plugin": found.connector_plugin.get(n)}
                    for n, c in sorted(found.connectors.items())
                ],
                "exporters": sorted(found.exporters),
            }
        )
        return EXIT_OK
    print_table(
        ["PLUGIN", "STATUS", "FROM", "ERROR"],
        [[p.name, p.status, p.source, p.error] for p in found.plugins],
    )
    print()
    print("Connectors (setup modes):")
    for name, cls in sorted(found.connectors.items()):
        say(f"  {name:<12} {cls.title or ''} — {cls.description or ''}")  # a plugin's text
    say(f"Exporters: {', '.join(sorted(found.exporters)) or 'none'}")
    return EXIT_OK
