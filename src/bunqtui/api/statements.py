"""Statement exports (``…/monetary-account/{id}/customer-statement``,
docs/protocol.md#statements): ask bunq for an MT940, CSV or PDF file of an account over a date
range, wait until it is ``DONE``, and download its bytes.

The content is not JSON: it is fetched with a raw exchange, whose signature is verified over
the bytes exactly like any answer (``Exchange.exchange(raw=True)``). Polling sleeps between
reads (``poll_seconds``, bunq's GET floor by default) and tells ``progress`` each status seen.
:class:`StatementOperations` is mixed into :class:`~bunqtui.api.operations.BunqOperations`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bunqtui.api.envelope import is_stale_session
from bunqtui.api.errors import BunqError, ForbiddenError, ProtocolError, UnauthorizedError
from bunqtui.api.host import OperationsHost
from bunqtui.api.models import Json, _int, _str, anchor, parse_timestamp
from bunqtui.api.protocol import Flow, Notify, Sleep, operation

if TYPE_CHECKING:
    from bunqtui.api.context import ApiContext

FORMATS = ("MT940", "CSV", "PDF")
REGIONAL_FORMATS = ("UK_US", "EUROPEAN")
POLL_SECONDS = 1.0  # bunq allows 3 GETs per 3 s: one read a second is its floor
MAX_POLLS = 120


@dataclass(frozen=True, slots=True)
class CustomerStatement:
    id: int
    status: str | None
    statement_format: str | None = None
    date_start: str | None = None
    date_end: str | None = None
    regional_format: str | None = None
    statement_number: int | None = None
    created: dt.datetime | None = None
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_anchor(cls, item: Any) -> CustomerStatement:
        kind, obj = anchor(item, "a statement")
        if kind not in ("CustomerStatement", "ExportStatement"):
            raise ProtocolError(f"bunq sent a {kind} where a CustomerStatement was expected.")
        number = obj.get("statement_number")
        return cls(
            id=_int(obj.get("id"), "a statement id"),
            status=_str(obj.get("status"), "a statement status"),
            statement_format=_str(obj.get("statement_format"), "a statement format"),
            date_start=_str(obj.get("date_start"), "a start date"),
            date_end=_str(obj.get("date_end"), "an end date"),
            regional_format=_str(obj.get("regional_format"), "a regional format"),
            statement_number=None if number is None else _int(number, "a statement number"),
            created=parse_timestamp(obj.get("created")),
            raw=obj,
        )


def statement_body(
    statement_format: str, start: dt.date, end: dt.date, regional_format: str | None
) -> dict[str, str]:
    """The POST body, or ValueError for what bunq would refuse anyway."""
    fmt = statement_format.upper()
    if fmt not in FORMATS:
        raise ValueError(f"a statement format is MT940, CSV or PDF, not {statement_format!r}")
    if start > end:
        raise ValueError("the start date is after the end date")
    body = {"statement_format": fmt, "date_start": start.isoformat(), "date_end": end.isoformat()}
    if fmt == "CSV":
        regional = (regional_format or "UK_US").upper()
        if regional not in REGIONAL_FORMATS:
            raise ValueError("a regional format is UK_US (commas) or EUROPEAN (semicolons)")
        body["regional_format"] = regional
    return body


class StatementOperations(OperationsHost):
    """Statement exports as flows (mixed into BunqOperations)."""

    def _statements_path(self, user_id: int | None, account_id: int) -> str:
        return f"/user/{self._user(user_id)}/monetary-account/{account_id}/customer-statement"

    def _create_statement(
        self,
        user_id: int | None,
        account_id: int,
        statement_format: str,
        start: dt.date,
        end: dt.date,
        regional_format: str | None = None,
    ) -> Flow[int]:
        """POST the export (1 request); its id."""
        body = statement_body(statement_format, start, end, regional_format)
        envelope = yield from self._request(
            "POST", self._statements_path(user_id, account_id), json=body
        )
        return envelope.id()

    create_statement = operation(_create_statement)

    def _get_statement(
        self, user_id: int | None, account_id: int, statement_id: int
    ) -> Flow[CustomerStatement]:
        path = f"{self._statements_path(user_id, account_id)}/{statement_id}"
        envelope = yield from self._request("GET", path)
        if not envelope.items:
            raise ProtocolError("bunq's statement answer is empty.")
        return CustomerStatement.from_anchor(envelope.items[0])

    get_statement = operation(_get_statement)

    def _statement_content(
        self, user_id: int | None, account_id: int, statement_id: int
    ) -> Flow[bytes]:
        """The file's bytes, verified (1 request; a stale session renewed once)."""
        url = self._url(f"{self._statements_path(user_id, account_id)}/{statement_id}/content")
        ctx = yield from self._ensure_session()
        try:
            return (yield from self._raw_get(ctx, url))
        except (UnauthorizedError, ForbiddenError) as exc:
            if not is_stale_session(exc):
                raise
        ctx = yield from self._renew_session(ctx.session_token)
        return (yield from self._raw_get(ctx, url))

    statement_content = operation(_statement_content)

    def _raw_get(self, ctx: ApiContext, url: str) -> Flow[bytes]:
        content: bytes = yield from self.transport.exchange(
            "GET", url, token=ctx.session_token, server_key=self._server_key(ctx), raw=True
        )
        return content

    def _export_statement(
        self,
        user_id: int | None,
        account_id: int,
        statement_format: str,
        start: dt.date,
        end: dt.date,
        regional_format: str | None = None,
        *,
        progress: Callable[[str], Any] | None = None,
        poll_seconds: float = POLL_SECONDS,
        max_polls: int = MAX_POLLS,
    ) -> Flow[bytes]:
        """Create → read until DONE → the content (3 requests or more). ``progress(status)``
        after each read."""
        statement_id = yield from self._create_statement(
            user_id, account_id, statement_format, start, end, regional_format
        )
        for poll in range(max_polls):
            found = yield from self._get_statement(user_id, account_id, statement_id)
            if progress is not None:
                yield Notify(progress, found.status or "")
            if found.status == "DONE":
                return (yield from self._statement_content(user_id, account_id, statement_id))
            if found.status in ("FAILED", "CANCELLED", "REJECTED"):
                raise BunqError(f"bunq could not make the statement ({found.status.lower()}).")
            if poll + 1 < max_polls:
                yield Sleep(poll_seconds)
        raise BunqError(
            f"bunq's statement {statement_id} was not ready after {max_polls} reads; "
            "try again later."
        )

    export_statement = operation(_export_statement)
