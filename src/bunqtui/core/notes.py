"""Notes on a payment, for the CLI and the TUI's payment detail: list, add and edit.

A note is someone's text (the user's or a joint account's co-owner's): front ends show it
through the trust boundary like a description. ``list_notes``/``add_note``/``edit_note`` run on
a one-shot (sync) session; the ``a…`` twins on a :class:`~bunqtui.core.session.ProfileSession`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bunqtui.api.notes import NoteText, check_note
from bunqtui.core.errors import ConfigError

if TYPE_CHECKING:
    from bunqtui.core.oneshot import OneShotSession
    from bunqtui.core.opened import Identity
    from bunqtui.core.session import ProfileSession

__all__ = [  # NoteText too: the TUI names the type without reaching into bunqtui.api
    "NoteText",
    "aadd_note",
    "add_note",
    "aedit_note",
    "alist_notes",
    "checked",
    "edit_note",
    "list_notes",
    "note_record",
]


def checked(content: str) -> str:
    """The note as it will be sent, or ConfigError (exit 2, nothing sent)."""
    try:
        return check_note(content)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def note_record(note: NoteText) -> dict[str, Any]:
    """The stable JSON shape of ``bunqtui note list --json``."""
    return {
        "id": note.id,
        "content": note.content,
        "creator": note.creator,
        "created": note.created.isoformat() if note.created else None,
        "updated": note.updated.isoformat() if note.updated else None,
    }


def list_notes(
    session: OneShotSession, identity: Identity, account_id: int, payment_id: int
) -> list[NoteText]:
    return session._client(identity).list_notes(None, account_id, payment_id)


def add_note(
    session: OneShotSession, identity: Identity, account_id: int, payment_id: int, content: str
) -> int:
    return session._client(identity).add_note(None, account_id, payment_id, checked(content))


def edit_note(
    session: OneShotSession,
    identity: Identity,
    account_id: int,
    payment_id: int,
    note_id: int,
    content: str,
) -> int:
    client = session._client(identity)
    return client.edit_note(None, account_id, payment_id, note_id, checked(content))


async def alist_notes(
    session: ProfileSession, identity: Identity, account_id: int, payment_id: int
) -> list[NoteText]:
    return await (await session._client(identity)).list_notes(None, account_id, payment_id)


async def aadd_note(
    session: ProfileSession, identity: Identity, account_id: int, payment_id: int, content: str
) -> int:
    client = await session._client(identity)
    return await client.add_note(None, account_id, payment_id, checked(content))


async def aedit_note(
    session: ProfileSession,
    identity: Identity,
    account_id: int,
    payment_id: int,
    note_id: int,
    content: str,
) -> int:
    client = await session._client(identity)
    return await client.edit_note(None, account_id, payment_id, note_id, checked(content))
