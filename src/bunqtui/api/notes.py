"""Notes on a payment (``…/payment/{id}/note-text``, docs/protocol.md#notes): the
``NoteText`` model and its operations — list, add, edit, delete. A note is text the user (or a
co-owner) wrote: untrusted like any other text from bunq.

:class:`NoteOperations` is mixed into :class:`~bunqtui.api.operations.BunqOperations`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bunqtui.api.errors import ProtocolError
from bunqtui.api.host import OperationsHost
from bunqtui.api.models import Json, _int, _obj, _str, anchor, parse_timestamp
from bunqtui.api.protocol import Flow, operation

if TYPE_CHECKING:
    pass

MAX_NOTE = 10_000


@dataclass(frozen=True, slots=True)
class NoteText:
    id: int
    content: str
    created: dt.datetime | None = None
    updated: dt.datetime | None = None
    creator: str | None = None  # the display name of who wrote it
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_anchor(cls, item: Any) -> NoteText:
        kind, obj = anchor(item, "a note")
        if kind != "NoteText":
            raise ProtocolError(f"bunq sent a {kind} where a NoteText was expected.")
        creator = obj.get("label_user_creator")
        return cls(
            id=_int(obj.get("id"), "a note id"),
            content=_str(obj.get("content"), "a note") or "",
            created=parse_timestamp(obj.get("created")),
            updated=parse_timestamp(obj.get("updated")),
            creator=_str(_obj(creator, "a note's author").get("display_name"), "a name")
            if creator is not None
            else None,
            raw=obj,
        )


def check_note(content: str) -> str:
    """The note to send, or ValueError: not empty, at most MAX_NOTE characters."""
    if not content.strip():
        raise ValueError("a note cannot be empty")
    if len(content) > MAX_NOTE:
        raise ValueError(f"a note can be at most {MAX_NOTE} characters")
    return content


class NoteOperations(OperationsHost):
    """Notes as flows (mixed into BunqOperations, which provides ``_request``/``_user``)."""

    def _notes_path(self, user_id: int | None, account_id: int, payment_id: int) -> str:
        return (
            f"/user/{self._user(user_id)}/monetary-account/{account_id}"
            f"/payment/{payment_id}/note-text"
        )

    def _list_notes(
        self, user_id: int | None, account_id: int, payment_id: int
    ) -> Flow[list[NoteText]]:
        """Every note on the payment, newest first (1 request per 200)."""
        path = self._notes_path(user_id, account_id, payment_id)
        return (
            yield from self._walk(
                path, NoteText.from_anchor, count=200, newer_id=None, collect=True
            )
        )

    list_notes = operation(_list_notes)

    def _add_note(
        self, user_id: int | None, account_id: int, payment_id: int, content: str
    ) -> Flow[int]:
        """POST a note (1 request); its id."""
        path = self._notes_path(user_id, account_id, payment_id)
        envelope = yield from self._request("POST", path, json={"content": check_note(content)})
        return envelope.id()

    add_note = operation(_add_note)

    def _edit_note(
        self, user_id: int | None, account_id: int, payment_id: int, note_id: int, content: str
    ) -> Flow[int]:
        path = f"{self._notes_path(user_id, account_id, payment_id)}/{note_id}"
        envelope = yield from self._request("PUT", path, json={"content": check_note(content)})
        return envelope.id()

    edit_note = operation(_edit_note)

    def _delete_note(
        self, user_id: int | None, account_id: int, payment_id: int, note_id: int
    ) -> Flow[None]:
        path = f"{self._notes_path(user_id, account_id, payment_id)}/{note_id}"
        yield from self._request("DELETE", path)

    delete_note = operation(_delete_note)
