"""Moving money in bulk or on request: payment batches and request responses.

- `POST …/payment-batch` (signed, like a payment) checks every payment first and books them
  all or none; each is booked like a single payment (debit here, credit on a bunq
  counterparty) and carries the batch's id. The answer is the batch's `Id`.
- A request inquiry to another bunq account (handlers_resources.py) appears there as a
  `RequestResponse`. Answering it: `PUT …/request-response/{id}` with `ACCEPTED` (signed: it
  pays) books the payment to the requester and accepts the inquiry; `REJECTED` (unsigned)
  rejects both and moves nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from . import views, wire
from .call import Call
from .handlers_resources import (
    FORBIDDEN,
    book,
    check_balance,
    finalize_events,
    parse_amount,
    payment_order,
    visible_account,
)
from .pagination import paginate
from .state import Counterparty, PaymentBatch, RequestResponse, World
from .wire import ApiError

MAX_BATCH = 100  # bunq documents no limit; the SDK's own test sends 10


def _response(call: Call) -> RequestResponse:
    account = visible_account(call)
    response_id = call.param(2)
    for response in account.responses:
        if response.id == response_id:
            return response
    raise wire.not_found("RequestResponse", response_id)


def _batch(call: Call) -> PaymentBatch:
    account = visible_account(call)
    batch_id = call.param(2)
    for batch in account.batches:
        if batch.id == batch_id:
            return batch
    raise wire.not_found("PaymentBatch", batch_id)


def answer(world: World, response: RequestResponse, status: str, amount: Decimal) -> None:
    """Accept (pay) or reject a pending request response, and its inquiry with it."""
    now = world.clock.utcnow()
    requester = world.accounts.get(response.counterparty.account_id or 0)
    inquiry = None
    if requester is not None:
        inquiry = next((r for r in requester.requests if r.id == response.inquiry_id), None)
    if status == "ACCEPTED":
        payer = world.accounts[response.account_id]
        if payer.status != "ACTIVE" or requester is None:
            raise ApiError(400, "This monetary account is not active.")
        check_balance(world, payer, amount)
        book(
            world,
            payer,
            Counterparty(
                requester.iban,
                response.counterparty.name,
                requester.owner_id,
                requester.id,
            ),
            amount,
            response.description,
            sub_type="REQUEST",
        )
        response.amount_responded = amount
    response.status, response.time_responded, response.updated = status, now, now
    if inquiry is not None and inquiry.status == "PENDING":
        inquiry.status, inquiry.time_responded, inquiry.updated = status, now, now
        if status == "ACCEPTED":
            inquiry.amount_responded = amount
    finalize_events(world, "RequestResponse", response.id)
    if inquiry is not None:
        finalize_events(world, "RequestInquiry", inquiry.id)


async def create_batch(call: Call) -> Any:
    account = visible_account(call)
    payments = call.object().get("payments")
    if not isinstance(payments, list) or not 1 <= len(payments) <= MAX_BATCH:
        raise ApiError(400, f"The field payments must hold 1 to {MAX_BATCH} payments.")
    if not all(isinstance(p, dict) for p in payments):
        raise ApiError(400, "Each payment of a batch must be an object.")
    world = call.world
    with world.lock:
        orders = [payment_order(world, account, p, call.auth_session.user_id) for p in payments]
        check_balance(world, account, sum((o.amount for o in orders), Decimal(0)))
        batch = PaymentBatch(world.next_id("payment_batch"), account.id, world.clock.utcnow())
        for order in orders:
            payment = book(world, account, order.target, order.amount, order.description)
            payment.batch_id = batch.id
            batch.payment_ids.append(payment.id)
        account.batches.append(batch)
    return wire.id_only(batch.id)


async def list_batches(call: Call) -> Any:
    account = visible_account(call)
    world = call.world
    with world.lock:
        page, pagination = paginate(
            account.batches, lambda b: b.id, call.request.url.path, call.query
        )
        items = [views.payment_batch(world, b) for b in page]
    return wire.ok(*items, pagination=pagination)


async def get_batch(call: Call) -> Any:
    batch = _batch(call)
    with call.world.lock:
        return wire.ok(views.payment_batch(call.world, batch))


async def list_responses(call: Call) -> Any:
    account = visible_account(call)
    status = call.query.get("status")
    responses = [r for r in account.responses if status is None or r.status == status]
    page, pagination = paginate(responses, lambda r: r.id, call.request.url.path, call.query)
    return wire.ok(*(views.request_response(call.world, r) for r in page), pagination=pagination)


async def get_response(call: Call) -> Any:
    return wire.ok(views.request_response(call.world, _response(call)))


async def answer_response(call: Call) -> Any:
    response = _response(call)
    data = call.object()
    world = call.world
    if call.auth_session.user_id in world.user_api_keys:
        raise ApiError(403, FORBIDDEN)  # OAuth apps may read request responses only
    status = data.get("status")
    if status not in ("ACCEPTED", "REJECTED"):
        raise ApiError(400, "A request response can only be ACCEPTED or REJECTED.")
    with world.lock:
        if response.status != "PENDING":
            raise ApiError(400, f"This request is already {response.status.lower()}.")
        amount = response.amount
        if data.get("amount_responded") is not None:
            amount = parse_amount(data["amount_responded"], "amount_responded", "EUR")
            if amount != response.amount:
                raise ApiError(400, "The amount must be the amount requested.")
        answer(world, response, status, amount)
        return wire.ok(views.request_response(world, response))
