"""What :class:`~bunqtui.api.operations.BunqOperations` provides to its operation mixins.

The mixins (money, cards, notes, events, statements) cannot import ``operations.py`` — it
imports them — so each subclasses :class:`OperationsHost`, which declares the plumbing they
call once, with BunqOperations' real signatures, for the type checker only. At run time the
class is empty and the methods come from BunqOperations.

It also holds the one rule every listing shares: bunq's page size (``check_count``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa

    from bunqtui.api.context import ApiContext
    from bunqtui.api.envelope import Envelope
    from bunqtui.api.models import Page
    from bunqtui.api.protocol import Exchange, Flow

T = TypeVar("T")

MAX_COUNT = 200  # bunq's largest page, for every listing


def check_count(count: int) -> int:
    """A page size bunq accepts (1 to MAX_COUNT), or ValueError before anything is sent."""
    if not 1 <= count <= MAX_COUNT:
        raise ValueError(f"count must be between 1 and {MAX_COUNT}, not {count}")
    return count


class OperationsHost:
    """The plumbing of BunqOperations that its mixins use (declarations only)."""

    if TYPE_CHECKING:
        transport: Exchange

        def _url(self, path: str, params: dict[str, Any] | None = None) -> str: ...
        def _user(self, user_id: int | None) -> int: ...
        def _server_key(self, ctx: ApiContext) -> rsa.RSAPublicKey: ...
        def _ensure_session(self) -> Flow[ApiContext]: ...
        def _renew_session(self, stale_token: str | None) -> Flow[ApiContext]: ...
        def _request(
            self,
            method: str,
            path: str,
            *,
            json: Any = None,
            params: dict[str, Any] | None = None,
            signed: bool = False,
            request_id: str | None = None,
            url: str | None = None,
        ) -> Flow[Envelope]: ...
        def _page(
            self,
            path: str,
            parse: Callable[[Any], T],
            *,
            params: dict[str, Any] | None = None,
            url: str | None = None,
        ) -> Flow[Page[T]]: ...
        def _walk(
            self,
            path: str,
            parse: Callable[[Any], T],
            *,
            count: int,
            newer_id: int | None,
            collect: bool = False,
        ) -> Flow[list[T]]: ...
