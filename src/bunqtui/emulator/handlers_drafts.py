"""Draft payments: what an app connected by OAuth may do instead of paying someone else.

An OAuth grant may pay directly only between the granting user's own accounts (a direct
payment elsewhere is 403, handlers_resources.payment_order); to anyone else the app creates a
draft, which the user accepts or rejects in bunq's app.

- `POST …/draft-payment` `{"entries":[{"amount","counterparty_alias","description"}],
  "number_of_required_accepts":1}` → `Id`; the draft is `PENDING` and moves no money.
- `GET …/draft-payment[/{id}]` → `DraftPayment`.
- `PUT …/draft-payment/{id}` `{"status":"ACCEPTED"}` (**signed**: it pays) or `"REJECTED"` by
  the account's owner in their own session; a connected app may only withdraw its draft
  (`"CANCELLED"`) — accepting is for the user, in the app.
- The control API plays the bunq app: `decide` accepts (books the entries: one payment, or a
  payment batch for several) or rejects.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from . import views, wire
from .call import Call
from .handlers_money import MAX_BATCH
from .handlers_resources import (
    FORBIDDEN,
    book,
    check_balance,
    finalize_events,
    parse_amount,
    resolve_counterparty,
    visible_account,
)
from .pagination import paginate
from .state import Account, DraftEntry, DraftPayment, PaymentBatch, World
from .wire import ApiError


def _entry(world: World, account: Account, data: Any) -> DraftEntry:
    if not isinstance(data, dict):
        raise ApiError(400, "Each entry of a draft payment must be an object.")
    amount = parse_amount(data.get("amount"), "amount", account.currency)
    target = resolve_counterparty(world, data.get("counterparty_alias"))
    if target.account_id == account.id:
        raise ApiError(400, "The counterparty cannot be the same monetary account.")
    description = data.get("description", "")
    limit = 140 if target.account_id is None else 9000
    if not isinstance(description, str) or len(description) > limit:
        raise ApiError(400, f"The description must be text of at most {limit} characters.")
    return DraftEntry(world.next_id("draft_entry"), amount, target, description)


def find_draft(world: World, draft_id: int) -> DraftPayment:
    for account in world.accounts.values():
        for draft in account.drafts:
            if draft.id == draft_id:
                return draft
    raise wire.not_found("DraftPayment", draft_id)


def decide(world: World, draft: DraftPayment, accept: bool) -> None:
    """The owner's answer to a pending draft. Call with the lock held."""
    if draft.status != "PENDING":
        raise ApiError(400, f"This draft payment is already {draft.status.lower()}.")
    now = world.clock.utcnow()
    if accept:
        account = world.accounts[draft.account_id]
        if account.status != "ACTIVE":
            raise ApiError(400, "This monetary account is not active.")
        check_balance(world, account, sum((e.amount for e in draft.entries), Decimal(0)))
        batch = None
        if len(draft.entries) > 1:  # several entries are paid as one batch
            batch = PaymentBatch(world.next_id("payment_batch"), account.id, now)
            account.batches.append(batch)
            draft.batch_id = batch.id
        for entry in draft.entries:
            payment = book(world, account, entry.counterparty, entry.amount, entry.description)
            draft.payment_ids.append(payment.id)
            if batch is not None:
                payment.batch_id = batch.id
                batch.payment_ids.append(payment.id)
    draft.status, draft.updated = ("ACCEPTED" if accept else "REJECTED"), now
    finalize_events(world, "DraftPayment", draft.id)


def _draft(call: Call) -> DraftPayment:
    account = visible_account(call)
    draft_id = call.param(2)
    for draft in account.drafts:
        if draft.id == draft_id:
            return draft
    raise wire.not_found("DraftPayment", draft_id)


async def create_draft(call: Call) -> Any:
    account = visible_account(call)
    data = call.object()
    entries = data.get("entries")
    if not isinstance(entries, list) or not 1 <= len(entries) <= MAX_BATCH:
        raise ApiError(400, f"The field entries must hold 1 to {MAX_BATCH} payments.")
    accepts = data.get("number_of_required_accepts")
    if type(accepts) is not int or accepts != 1:
        raise ApiError(400, "The field number_of_required_accepts must be 1.")
    world = call.world
    with world.lock:
        if account.status != "ACTIVE":
            raise ApiError(400, "This monetary account is not active.")
        parsed = [_entry(world, account, e) for e in entries]
        now = world.clock.utcnow()
        draft = DraftPayment(
            world.next_id("draft_payment"),
            account.id,
            now,
            now,
            call.auth_session.user_id,
            parsed,
        )
        account.drafts.append(draft)
        world.add_event(
            account.owner_id, account.id, "DraftPayment", draft.id, now, "AWAITING_REPLY"
        )
    return wire.id_only(draft.id)


async def list_drafts(call: Call) -> Any:
    account = visible_account(call)
    world = call.world
    with world.lock:
        page, pagination = paginate(
            account.drafts, lambda d: d.id, call.request.url.path, call.query
        )
        items = [views.draft_payment(world, d) for d in page]
    return wire.ok(*items, pagination=pagination)


async def get_draft(call: Call) -> Any:
    with call.world.lock:
        return wire.ok(views.draft_payment(call.world, _draft(call)))


async def answer_draft(call: Call) -> Any:
    data = call.object()
    status = data.get("status")
    world = call.world
    with world.lock:
        draft = _draft(call)
        connected = call.auth_session.user_id in world.user_api_keys
        if status == "CANCELLED":
            if draft.status != "PENDING":
                raise ApiError(400, f"This draft payment is already {draft.status.lower()}.")
            draft.status, draft.updated = "CANCELLED", world.clock.utcnow()
            finalize_events(world, "DraftPayment", draft.id)
        elif status in ("ACCEPTED", "REJECTED"):
            if connected:  # the user decides in bunq's app, never the app that asked
                raise ApiError(403, FORBIDDEN)
            decide(world, draft, status == "ACCEPTED")
        else:
            raise ApiError(
                400, "A draft payment can only be updated to ACCEPTED, REJECTED or CANCELLED."
            )
    return wire.id_only(draft.id)
