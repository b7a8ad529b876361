"""A OneShotSession: one profile opened for a one-shot read, on the synchronous driver.

``bunqtui accounts``, ``user``, ``users`` and ``payments --limit`` make one or a few requests and
exit. Starting asyncio (and anyio's asyncio backend under httpx.AsyncClient) for that costs more
than the request itself, so these commands use :class:`~bunqtui.api.sync_client.SyncBunqClient`
over ``httpx.Client`` instead, with no event loop at all. Every decision — which stored login a
request may use and the base URL it is bound to, what a renewed session may overwrite, what an
answer writes to the cache and the tombstones that refuse it — is
:class:`~bunqtui.core.opened.OpenedProfile`'s, the same code the asynchronous
:class:`~bunqtui.core.session.ProfileSession` runs; this class only makes the clients.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bunqtui.api.context import KIND_OAUTH
from bunqtui.api.models import MonetaryAccount, User
from bunqtui.api.sync_client import SyncBunqClient, sync_http_client
from bunqtui.core.opened import Identity, OpenedProfile, PaymentPage, needs_tls

if TYPE_CHECKING:
    from bunqtui.core.workspace import Workspace


class OneShotSession(OpenedProfile[SyncBunqClient]):
    """``with OneShotSession.open(workspace, "p") as session: session.accounts(identity)``"""

    @classmethod
    def open(cls, workspace: Workspace, profile: str | None = None) -> OneShotSession:
        """The profile named (or the default one), as ``workspace.open`` finds it."""
        chosen = workspace.profile(profile)
        return cls(workspace, chosen, workspace.connector_class(chosen.connector))

    def __enter__(self) -> OneShotSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()
        if self.env.sync_http is not None:
            self.env.sync_http.close()
        self._close_cache()

    def _client(self, identity: Identity) -> SyncBunqClient:
        client = self._clients.get(identity.key)
        if client is not None:
            return client
        if self.env.sync_http is None:  # made only when a command asks bunq (`users` never does)
            self.env.sync_http = sync_http_client(verify=needs_tls(self.env.environment))
        if identity.kind == "self":
            client = self.env.sync_client(self._own_context(), on_context_change=self._save_own)
        else:
            login = self._connected_login(identity)
            client = self.env.sync_client(login.context, on_context_change=login.save)
            if login.context is None:
                client.create_context_on_installation(
                    self._own_context(), login.access_token, KIND_OAUTH
                )
        self._clients[identity.key] = client
        return client

    def user(self, identity: Identity) -> User:
        client = self._client(identity)
        return self._user_fetched(identity, client.context, client.get_user())

    def accounts(self, identity: Identity) -> list[MonetaryAccount]:
        """One request; the answer replaces the cached list."""
        return self._accounts_fetched(identity, self._client(identity).list_monetary_accounts())

    def payments(
        self, identity: Identity, account_id: int, *, older_id: int | None = None, count: int = 200
    ) -> PaymentPage:
        """One page from bunq (1 request), also cached when it joins what is cached."""
        page = self._client(identity).list_payments(
            None, account_id, count=count, older_id=older_id
        )
        return self._page_fetched(identity, account_id, page, older_id)


__all__ = ["OneShotSession"]
