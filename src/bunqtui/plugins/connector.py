"""What a connector is: a way to log in to bunq (API key, PSD2 certificate, …).

A connector declares the setup fields it needs (so the TUI can build a form and the CLI can map
flags), plans its setup as named steps, and runs them idempotently: a rerun reuses what is
stored and creates nothing twice. Everything it keeps goes through ``ConnectorEnv.vault`` (the
profile's private secret document); config.toml never sees a secret.

Loading a connector loads no bunq driver: ``ConnectorEnv.client()`` imports the asynchronous
one (asyncio) and ``ConnectorEnv.sync_client()`` the synchronous one when first called, so a
one-shot CLI command that reads through the synchronous driver never starts asyncio.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from bunqtui.api.context import ApiContext
from bunqtui.api.environment import Environment
from bunqtui.api.ratelimit import RateLimiter
from bunqtui.store.secrets import ProfileVault
from bunqtui.store.users import ConnectedUsers

if TYPE_CHECKING:
    import httpx

    from bunqtui.api.client import BunqClient
    from bunqtui.api.sync_client import SyncBunqClient

OWN_CONTEXT = "context"
OAUTH_CLIENT = "oauth_client"


@dataclass(frozen=True)
class SetupField:
    """One setup option of a connector: the TUI's setup form and the CLI's flags of
    ``bunqtui setup CONNECTOR`` are both built from these.

    ``kind`` is "text", "secret" (masked in the form; on the command line ``-`` reads it from
    stdin), "path" (a file), "bool" (a checkbox / a flag without a value) or "choice" (one of
    ``choices``). The rest matter only on the command line: ``flag`` names the option (default
    ``--`` and the name with ``-`` for ``_``); ``env`` is an environment variable read when the
    flag is not given; ``stdin`` reads the value from a piped stdin when neither gave it, unless
    a field named in ``excludes`` (options it cannot go with) was given.
    """

    name: str
    label: str
    kind: str  # "text" | "secret" | "path" | "bool" | "choice"
    required: bool = False
    default: object = None
    choices: tuple[str, ...] = ()
    help: str = ""
    flag: str = ""
    env: str = ""
    stdin: bool = False
    excludes: tuple[str, ...] = ()

    @property
    def option(self) -> str:
        """The command-line flag, e.g. ``--api-key``."""
        return self.flag or "--" + self.name.replace("_", "-")


@dataclass
class SetupStep:
    key: str
    label: str
    status: str = "waiting"  # waiting | running | done | failed | skipped
    detail: str = ""


class SetupError(Exception):
    """The setup options are wrong (a usage error, not bunq's): say what to do instead."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message)


class Steps:
    """Runs a setup plan, reporting each step's status change to ``on_step``."""

    def __init__(
        self, plan: list[SetupStep], on_step: Callable[[SetupStep], None] | None = None
    ) -> None:
        self.plan = {step.key: step for step in plan}
        self.on_step = on_step

    def _set(self, key: str, status: str, detail: str = "") -> None:
        step = self.plan.get(key)
        if step is None:
            step = self.plan[key] = SetupStep(key, key)
        step.status, step.detail = status, detail
        if self.on_step is not None:
            self.on_step(step)

    def skip(self, key: str, detail: str = "") -> None:
        self._set(key, "skipped", detail)

    def done(self, key: str, detail: str = "") -> None:
        self._set(key, "done", detail)

    @contextlib.asynccontextmanager
    async def run(self, key: str) -> AsyncIterator[SetupStep]:
        """Mark ``key`` running, then done; failed (with the error's text) if the block raises."""
        self._set(key, "running")
        try:
            yield self.plan[key]
        except BaseException as exc:
            self._set(key, "failed", str(exc) or type(exc).__name__)
            raise
        if self.plan[key].status == "running":
            self._set(key, "done", self.plan[key].detail)


@dataclass
class ConnectorEnv:
    """What bunqtui hands a connector: its profile, environment, secrets and HTTP plumbing."""

    profile: str
    environment: Environment
    redirect_uri: str
    vault: ProfileVault
    rate_limiter: RateLimiter = field(default_factory=RateLimiter)
    http: httpx.AsyncClient | None = None
    sync_http: httpx.Client | None = None
    client_options: dict[str, Any] = field(default_factory=dict)

    def own_context(self) -> ApiContext | None:
        """The stored context of the profile's own login, if it is for this environment."""
        data = self.vault.get(OWN_CONTEXT)
        if not data:
            return None
        try:
            ctx = ApiContext.from_dict(data)
        except (ValueError, TypeError, KeyError):
            return None
        if ctx.api_base_url.rstrip("/") != self.environment.api_base_url.rstrip("/"):
            return None  # set up for another environment: start afresh
        return ctx

    def save_own_context(self, ctx: ApiContext) -> None:
        self.vault.set(OWN_CONTEXT, ctx.to_dict())

    def client(
        self,
        context: ApiContext | None = None,
        on_context_change: Callable[[ApiContext], None] | None = None,
    ) -> BunqClient:
        """A client sharing this profile's rate limiter; by default it saves the own context."""
        from bunqtui.api.client import BunqClient  # asyncio: only for whoever drives it

        return BunqClient(
            self.environment,
            context=context,
            http=self.http,
            rate_limiter=self.rate_limiter,
            on_context_change=on_context_change or self.save_own_context,
            **self.client_options,
        )

    def sync_client(
        self,
        context: ApiContext | None = None,
        on_context_change: Callable[[ApiContext], None] | None = None,
    ) -> SyncBunqClient:
        """:meth:`client` on the synchronous driver (over ``sync_http``; no event loop)."""
        from bunqtui.api.sync_client import SyncBunqClient

        return SyncBunqClient(
            self.environment,
            context=context,
            http=self.sync_http,
            rate_limiter=self.rate_limiter,
            on_context_change=on_context_change or self.save_own_context,
            **self.client_options,
        )

    def connected_users(self) -> ConnectedUsers:
        return ConnectedUsers(self.vault)


class Connector(ABC):
    """Base class of every connector. Subclasses set the class attributes and two methods."""

    name: ClassVar[str]
    title: ClassVar[str] = ""
    description: ClassVar[str] = ""
    fields: ClassVar[tuple[SetupField, ...]] = ()
    can_connect: ClassVar[bool] = False  # can register an OAuth client and connect users
    has_own_identity: ClassVar[bool] = True  # the login is itself a bunq user with accounts

    def __init__(self, env: ConnectorEnv) -> None:
        self.env = env

    def validate(self, options: dict[str, Any]) -> dict[str, Any]:
        """Check and normalise the options; raise SetupError for a usage mistake."""
        known = {f.name for f in self.fields}
        unknown = sorted(set(options) - known)
        if unknown:
            raise SetupError(
                f"the {self.name} connector has no option {', '.join(unknown)}",
                f"its options are: {', '.join(sorted(known)) or 'none'}",
            )
        for f in self.fields:
            if f.required and options.get(f.name) in (None, ""):
                raise SetupError(f"the {self.name} connector needs {f.label}")
        return dict(options)

    @abstractmethod
    def plan(self, options: dict[str, Any]) -> list[SetupStep]:
        """The setup steps for these options, all "waiting"."""

    @abstractmethod
    async def setup(self, options: dict[str, Any], steps: Steps) -> None:
        """Run the plan; leaves the own context in the vault. Idempotent."""

    async def ensure_oauth_client(
        self, client: BunqClient, steps: Steps | None = None
    ) -> dict[str, Any]:
        """Get or create the OAuth client and register the redirect URI as a callback URL.

        bunq allows one client per user, so this reuses it; the callback URL is added only if
        missing. The client id and secret are kept in the vault.
        """
        cm = steps.run("oauth") if steps else contextlib.nullcontext()
        async with _maybe(cm):
            oauth = await client.get_or_create_oauth_client()
        record = {"id": oauth.id, "client_id": oauth.client_id, "secret": oauth.secret}
        self.env.vault.set(OAUTH_CLIENT, record)
        cm = steps.run("callback") if steps else contextlib.nullcontext()
        async with _maybe(cm):
            await client.ensure_callback_url(None, oauth.id, self.env.redirect_uri)
        return record


@contextlib.asynccontextmanager
async def _maybe(cm: Any) -> AsyncIterator[None]:
    if isinstance(cm, contextlib.AbstractAsyncContextManager):
        async with cm:
            yield
    else:
        with cm:
            yield
