"""Notes on a payment (`/user/{id}/monetary-account/{id}/payment/{id}/note-text[/{id}]`):
list, read, add, edit and delete, as the official SDK's `NoteTextPaymentApiObject` calls them
(docs/protocol.md#notes). A note is `{"NoteText": {id, created, updated, label_user_creator,
content}}`; creating or editing answers with its `Id`, deleting with an empty `Response`.
"""

from __future__ import annotations

from typing import Any

from . import views
from .call import Call
from .handlers_resources import acting_user, owner_of, visible_account
from .pagination import paginate
from .state import NoteText, Payment, World
from .wire import ApiError, id_only, not_found, ok, timestamp

MAX_NOTE = 10_000  # bunq does not document one; a note is meant to be short


def note_view(world: World, note: NoteText) -> dict[str, Any]:
    creator = world.users.get(owner_of(world, note.user_id))
    name = creator.legal_name if creator else ""
    return {
        "NoteText": {
            "id": note.id,
            "created": timestamp(note.created),
            "updated": timestamp(note.updated),
            "label_user_creator": views.label_user(creator, name),
            "content": note.content,
        }
    }


def _payment(call: Call) -> Payment:
    account = visible_account(call)
    payment_id = call.param(2)
    for payment in account.payments:
        if payment.id == payment_id:
            return payment
    raise not_found("Payment", payment_id)


def _content(call: Call) -> str:
    content = call.object().get("content")
    if not isinstance(content, str) or not content.strip():
        raise ApiError(400, "The field content is required.")
    if len(content) > MAX_NOTE:
        raise ApiError(400, f"A note can be at most {MAX_NOTE} characters.")
    return content


def _note(call: Call, payment: Payment) -> NoteText:
    note = call.world.notes.get(call.param(3))
    if note is None or note.payment_id != payment.id or note.account_id != payment.account_id:
        raise not_found("NoteText", call.param(3))
    return note


async def list_notes(call: Call) -> Any:
    world = call.world
    payment = _payment(call)
    notes = sorted(
        (n for n in world.notes.values() if n.payment_id == payment.id),
        key=lambda n: n.id,
    )
    page, pagination = paginate(notes, lambda n: n.id, call.request.url.path, call.query)
    return ok(*(note_view(world, n) for n in page), pagination=pagination)


async def add_note(call: Call) -> Any:
    world = call.world
    with world.lock:
        payment = _payment(call)
        content = _content(call)
        now = world.clock.utcnow()
        note = NoteText(
            world.next_id("note"),
            payment.account_id,
            payment.id,
            acting_user(call),
            now,
            now,
            content,
        )
        world.notes[note.id] = note
    return id_only(note.id)


async def get_note(call: Call) -> Any:
    return ok(note_view(call.world, _note(call, _payment(call))))


async def edit_note(call: Call) -> Any:
    world = call.world
    with world.lock:
        note = _note(call, _payment(call))
        note.content = _content(call)
        note.updated = world.clock.utcnow()
    return id_only(note.id)


async def delete_note(call: Call) -> Any:
    world = call.world
    with world.lock:
        note = _note(call, _payment(call))
        del world.notes[note.id]
    return ok()
