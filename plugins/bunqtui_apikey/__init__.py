"""The API-key connector: log in with a bunq API key (or, in the sandbox, a fresh sandbox user).

Its identity is the key's own user. It can also register an OAuth client and connect other bunq
users, as the seed example's "bunq business user" path does.
"""

from __future__ import annotations

from typing import Any

from bunqtui.api.errors import mask_secret
from bunqtui.plugins import Connector, SetupError, SetupField, SetupStep, Steps, hookimpl
from bunqtui.plugins.connector import OWN_CONTEXT, ConnectorEnv

API_KEY = "api_key"
API_KEY_ENV = "BUNQTUI_API_KEY"


class ApiKeyConnector(Connector):
    name = "api-key"
    title = "API key"
    description = "Your own bunq user, with a personal or business API key."
    fields = (
        SetupField(
            "api_key",
            "API key",
            "secret",
            help="from the bunq app: Settings › API keys",
            env=API_KEY_ENV,
            stdin=True,  # `pass show bunq | bunqtui setup api-key …`: never in shell history
            excludes=("create_sandbox_user",),
        ),
        SetupField(
            "create_sandbox_user",
            "Create a sandbox user",
            "bool",
            default=False,
            help="sandbox only: a new test user, topped up by Sugar Daddy",
        ),
        SetupField(
            "register_oauth",
            "Register an OAuth client",
            "bool",
            default=False,
            help="to connect other bunq users by QR login",
        ),
    )
    can_connect = True
    has_own_identity = True

    def validate(self, options: dict[str, Any]) -> dict[str, Any]:
        options = super().validate(options)
        create = bool(options.get("create_sandbox_user"))
        if create and options.get("api_key"):
            raise SetupError("give either an API key or --create-sandbox-user, not both")
        if create and not self.env.environment.is_sandbox:
            raise SetupError(
                "sandbox users exist only in the sandbox",
                "use --environment sandbox, or give your production API key",
            )
        if not create and not options.get("api_key") and self._reusable() is None:
            raise SetupError(
                "an API key is needed",
                "pass --api-key KEY, set BUNQTUI_API_KEY, pipe it on stdin, "
                "or use --create-sandbox-user in the sandbox",
            )
        return options

    def _reusable(self, api_key: str | None = None) -> Any:
        """The stored context, if it was made for this key (or any key when none is given)."""
        ctx = self.env.own_context()
        if ctx is None or not ctx.has_installation:
            return None
        if api_key is not None and ctx.secret != api_key:
            return None
        return ctx

    def plan(self, options: dict[str, Any]) -> list[SetupStep]:
        steps = []
        if options.get("create_sandbox_user"):
            steps.append(SetupStep("sandbox_user", "Create a sandbox user"))
        steps.append(SetupStep("context", "Installation, device and session"))
        if options.get("create_sandbox_user"):
            steps.append(SetupStep("top_up", "Top up from Sugar Daddy"))
        if options.get("register_oauth"):
            steps += [
                SetupStep("oauth", "Get or create the OAuth client"),
                SetupStep("callback", "Register the callback URL"),
            ]
        return steps

    async def setup(self, options: dict[str, Any], steps: Steps) -> None:
        env = self.env
        api_key = options.get("api_key") or None
        created = False
        if options.get("create_sandbox_user"):
            ctx = self._reusable()
            if ctx is not None and env.vault.get("sandbox_user"):
                steps.skip("sandbox_user", "already created; reusing it")
                api_key = ctx.secret
            else:
                async with steps.run("sandbox_user") as step:
                    # the async driver (asyncio) only here: one-shot reads load this
                    # connector on the synchronous one
                    from bunqtui.api.client import BunqClient

                    api_key = await BunqClient.create_sandbox_user(
                        env.environment, http=env.http, rate_limiter=env.rate_limiter
                    )
                    step.detail = f"API key {mask_secret(api_key)}"
                created = True
        ctx = self._reusable(api_key)
        forgotten = False
        if ctx is not None:
            # bunq forgets installations (a sandbox reset, an emulator restarted without its
            # state): reusing one it no longer knows would fail the same way forever
            async with env.client(ctx, on_context_change=lambda c: None) as probe:
                forgotten = not await probe.installation_known()
            if forgotten:
                api_key, ctx = ctx.secret, None
        # reusing the stored login, a renewed session is written back only over that same
        # login: a concurrent setup with another key must not be undone
        renewed = (lambda c: save_renewed(env, c)) if ctx is not None else None
        async with env.client(ctx, on_context_change=renewed) as client:
            if ctx is not None:
                async with steps.run("context") as step:
                    await client.ensure_session()  # 0 requests if the saved session is fresh
                    step.detail = "reusing the saved installation"
            else:
                async with steps.run("context") as step:
                    if api_key is None:
                        raise SetupError("an API key is needed")
                    await client.create_context(api_key, description=f"bunqtui {env.profile}")
                    env.vault.update(lambda doc: _remember(doc, api_key, created))
                    user = client.context.user_id if client.context else "?"
                    step.detail = (
                        f"bunq no longer knew the saved installation: a new one, user {user}"
                        if forgotten
                        else f"user {user}"
                    )
            if created:
                async with steps.run("top_up") as step:
                    accounts = await client.list_monetary_accounts()
                    if not accounts:
                        step.detail = "no account to top up"
                    else:
                        await client.request_sugar_daddy(None, accounts[0].id)
                        step.detail = f"€500 requested for account {accounts[0].id}"
            elif "top_up" in steps.plan:
                steps.skip("top_up", "already topped up")
            if options.get("register_oauth"):
                await self.ensure_oauth_client(client, steps)


def save_renewed(env: ConnectorEnv, ctx: Any) -> None:
    """Store a renewed session of the reused login, unless another setup replaced it."""
    if not env.vault.save_renewed(OWN_CONTEXT, ctx.to_dict()):
        raise SetupError(
            f"profile {env.profile!r} was set up again by another bunqtui meanwhile",
            "run setup again if you meant this one",
        )


def _remember(doc: dict[str, Any], api_key: str, created: bool) -> None:
    doc[API_KEY] = api_key
    if created:
        doc["sandbox_user"] = True


@hookimpl
def bunqtui_register_connectors() -> list[type]:
    return [ApiKeyConnector]
