"""bunqtui-example: a read-only connector that logs in with a bunq API key.

The worked example of docs/plugins.md. It declares its setup fields (the TUI's form and the
flags of `bunqtui setup example` are made from them), plans its steps, and runs them
idempotently: a rerun with the same key reuses the stored installation. It registers no OAuth
client (``can_connect`` is False), so its only identity is the key's own user.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bunqtui.plugins import Connector, SetupError, SetupField, SetupStep, Steps, hookimpl

TOKEN_ENV = "BUNQTUI_EXAMPLE_TOKEN"
CHECKS = ("user", "accounts", "none")


class ExampleConnector(Connector):
    name = "example"
    title = "Example (read-only)"
    description = "A read-only login with a bunq API key; connects no other users."
    fields = (
        SetupField(
            "token",
            "API key",
            "secret",
            help="a bunq API key",
            env=TOKEN_ENV,
            stdin=True,
            excludes=("token_file",),
        ),
        SetupField("token_file", "API key file", "path", help="a file holding the API key"),
        SetupField("device", "Device name", "text", default="bunqtui example"),
        SetupField(
            "check",
            "Check after login",
            "choice",
            choices=CHECKS,
            default="user",
            help="what to fetch once logged in",
        ),
        SetupField("fresh", "Start afresh", "bool", help="a new installation, even if one is kept"),
    )
    can_connect = False
    has_own_identity = True

    def validate(self, options: dict[str, Any]) -> dict[str, Any]:
        options = super().validate(options)  # unknown names, required fields
        if options.get("token") and options.get("token_file"):
            raise SetupError("give the API key or a file holding it, not both")
        path = options.pop("token_file", None)
        if path:
            try:
                options["token"] = Path(str(path)).expanduser().read_text().strip()
            except OSError as exc:
                raise SetupError(f"cannot read the API key file: {exc}") from None
        if options.get("check", "user") not in CHECKS:
            raise SetupError(f"check is one of {', '.join(CHECKS)}")
        reusable = self.env.own_context() is not None and not options.get("fresh")
        if not options.get("token") and not reusable:
            raise SetupError(
                "an API key is needed",
                f"pass --token KEY, --token - (stdin), --token-file FILE or set {TOKEN_ENV}",
            )
        return options

    def plan(self, options: dict[str, Any]) -> list[SetupStep]:
        steps = [SetupStep("login", "Installation, device and session")]
        if options.get("check", "user") != "none":
            steps.append(SetupStep("check", f"Fetch the {options.get('check', 'user')}"))
        return steps

    async def setup(self, options: dict[str, Any], steps: Steps) -> None:
        env = self.env
        token = options.get("token")
        ctx = None if options.get("fresh") else env.own_context()
        if ctx is not None and (not ctx.has_installation or (token and ctx.secret != token)):
            ctx = None  # another key: a new installation
        # the client saves every new or renewed context in the profile's vault
        async with env.client(ctx) as client:
            async with steps.run("login") as step:
                if ctx is not None:
                    await client.ensure_session()  # no request while the session is fresh
                    step.detail = "reusing the saved installation"
                else:
                    device = str(options.get("device") or "bunqtui example")
                    await client.create_context(str(token), description=device)
                    step.detail = f"user {client.context.user_id if client.context else '?'}"
            check = options.get("check", "user")
            if check == "accounts":
                async with steps.run("check") as step:
                    step.detail = f"{len(await client.list_monetary_accounts())} accounts"
            elif check == "user":
                async with steps.run("check") as step:
                    step.detail = (await client.get_user()).display_name


@hookimpl
def bunqtui_register_connectors() -> list[type]:
    return [ExampleConnector]
