"""bunq's activity feed (``GET /user/{id}/event``, docs/protocol.md#events): the ``Event`` model
— a payment, request, card change… on one of the user's accounts, newest first — and the
operation that reads one page of it.

:class:`EventOperations` is mixed into :class:`~bunqtui.api.operations.BunqOperations`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bunqtui.api.errors import ProtocolError
from bunqtui.api.host import MAX_COUNT, OperationsHost, check_count
from bunqtui.api.models import Json, Page, _int, _obj, _opt_int, _str, anchor, parse_timestamp
from bunqtui.api.protocol import Flow, operation

if TYPE_CHECKING:
    pass


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    created: dt.datetime | None
    action: str | None = None
    status: str | None = None
    monetary_account_id: int | None = None
    object_type: str | None = None  # "Payment", "RequestInquiry", "Card", …
    object: Json = field(default_factory=dict, repr=False, compare=False)
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_anchor(cls, item: Any) -> Event:
        kind, obj = anchor(item, "an event")
        if kind != "Event":
            raise ProtocolError(f"bunq sent a {kind} where an Event was expected.")
        inner = obj.get("object")
        object_type: str | None = None
        object_json: Json = {}
        if isinstance(inner, dict) and len(inner) == 1:
            object_type, object_json = anchor(inner, "an event's object")
        elif inner not in (None, {}, []):
            _obj(inner, "an event's object")
        return cls(
            id=_int(obj.get("id"), "an event id"),
            created=parse_timestamp(obj.get("created")),
            action=_str(obj.get("action"), "an event action"),
            status=_str(obj.get("status"), "an event status"),
            # swagger types it as a string; bunq may send either
            monetary_account_id=_opt_int(obj.get("monetary_account_id"), "an account id"),
            object_type=object_type,
            object=object_json,
            raw=obj,
        )


class EventOperations(OperationsHost):
    """Events as flows (mixed into BunqOperations, which provides ``_page``/``_user``)."""

    def _list_events(
        self,
        user_id: int | None = None,
        *,
        count: int = MAX_COUNT,
        older_id: int | None = None,
        newer_id: int | None = None,
        account_ids: Iterable[int] | None = None,
        status: str | None = None,
    ) -> Flow[Page[Event]]:
        """One page of events, newest first (1 request)."""
        ids = ",".join(str(i) for i in account_ids) if account_ids is not None else None
        params = {
            "count": check_count(count),
            "older_id": older_id,
            "newer_id": newer_id,
            "monetary_account_id": ids or None,
            "status": status,
        }
        path = f"/user/{self._user(user_id)}/event"
        return (yield from self._page(path, Event.from_anchor, params=params))

    list_events = operation(_list_events)
