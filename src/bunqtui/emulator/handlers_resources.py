"""Users, monetary accounts, payments, request inquiries, events and cards
(docs/protocol.md#objects)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from . import views, wire
from .call import Call
from .pagination import paginate
from .state import Account, Counterparty, Payment, RequestInquiry, RequestResponse, World
from .wire import ApiError

NO_PAGES = {"future_url": None, "newer_url": None, "older_url": None}
FORBIDDEN = "You're not allowed to make this call."


# access -------------------------------------------------------------------------------------
def acting_user(call: Call) -> int:
    """The {userID} of the path, which must be the session's own user (no leaks across users)."""
    user_id = call.param(0)
    if user_id != call.auth_session.user_id:
        raise wire.not_found("User", user_id)
    return user_id


def visible_accounts(world: World, user_id: int) -> list[Account]:
    grant = world.user_api_keys.get(user_id)
    if grant is not None:  # an OAuth grant sees exactly the accounts the user granted
        return [world.accounts[a] for a in grant.account_ids if a in world.accounts]
    return world.user_accounts(user_id)


def owner_of(world: World, user_id: int) -> int:
    grant = world.user_api_keys.get(user_id)
    return grant.granted_by_id if grant else user_id


def visible_account(call: Call, index: int = 1, kind: str | None = None) -> Account:
    user_id = acting_user(call)
    account_id = call.param(index)
    for account in visible_accounts(call.world, user_id):
        if account.id == account_id and (kind is None or account.kind == kind):
            return account
    raise wire.not_found("Monetary account", account_id)


# parsing ------------------------------------------------------------------------------------
def parse_amount(value: Any, field: str, currency: str) -> Decimal:
    if not isinstance(value, dict):
        raise ApiError(400, f"The field {field} must be an object with value and currency.")
    raw = value.get("value")
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        raise ApiError(400, f"The field {field}.value is required.")
    try:
        amount = Decimal(str(raw))
    except InvalidOperation:
        raise ApiError(400, f"The amount {raw!r} is not a valid amount.") from None
    if not amount.is_finite() or amount <= 0:
        raise ApiError(400, "The amount must be greater than zero.")
    if amount != amount.quantize(Decimal("0.01")):
        raise ApiError(400, "The amount can have at most two decimals.")
    if value.get("currency", currency) != currency:
        raise ApiError(400, f"The currency must be the account's currency ({currency}).")
    return amount.quantize(Decimal("0.01"))


def resolve_counterparty(world: World, alias: Any) -> Counterparty:
    if not isinstance(alias, dict):
        raise ApiError(400, "The field counterparty_alias is required.")
    kind, value, name = alias.get("type"), alias.get("value"), alias.get("name")
    if kind not in ("IBAN", "EMAIL", "PHONE_NUMBER") or not isinstance(value, str) or not value:
        raise ApiError(
            400,
            "The counterparty alias must have a type (IBAN, EMAIL or PHONE_NUMBER) and a value.",
        )
    if kind == "IBAN":
        iban = value.replace(" ", "").upper()
        account = world.accounts_by_iban.get(iban)
        if account is not None:
            owner = world.users[account.owner_id]
            return Counterparty(iban, owner.legal_name, owner.id, account.id)
        if not isinstance(name, str) or not name.strip():
            raise ApiError(400, "A name is required for an IBAN counterparty.")
        if not _iban_valid(iban):
            raise ApiError(400, f"The IBAN {iban} is not valid.")
        return Counterparty(iban, name.strip())
    user = world.user_by_alias(kind, value)
    account = world.primary_account(user.id) if user else None
    if user is None or account is None:
        raise ApiError(400, f"The counterparty {value} could not be found.")
    return Counterparty(account.iban, user.legal_name, user.id, account.id)


def _iban_valid(iban: str) -> bool:
    if len(iban) < 15 or not iban[:2].isalpha() or not iban.isalnum():
        return False
    digits = "".join(str(int(c, 36)) for c in iban[4:] + iban[:4])
    return int(digits) % 97 == 1


def _description(data: dict[str, Any], limit: int = 9000) -> str:
    description = data.get("description", "")
    if not isinstance(description, str):
        raise ApiError(400, "The field description must be a string.")
    if len(description) > limit:
        raise ApiError(400, f"The description can be at most {limit} characters.")
    return description


@dataclass
class PaymentOrder:
    amount: Decimal
    target: Counterparty
    description: str


def payment_order(
    world: World, account: Account, data: dict[str, Any], session_user_id: int
) -> PaymentOrder:
    """One payment's body checked against `account` (a payment, or one of a batch)."""
    if account.status != "ACTIVE":
        raise ApiError(400, "This monetary account is not active.")
    amount = parse_amount(data.get("amount"), "amount", account.currency)
    target = resolve_counterparty(world, data.get("counterparty_alias"))
    description = _description(data, 140 if target.account_id is None else 9000)
    grant = world.user_api_keys.get(session_user_id)
    if grant is not None and target.account_id not in grant.account_ids:
        raise ApiError(403, FORBIDDEN)  # OAuth: only between the user's own accounts
    if target.account_id == account.id:
        raise ApiError(400, "The counterparty cannot be the same monetary account.")
    return PaymentOrder(amount, target, description)


def check_balance(world: World, account: Account, total: Decimal) -> None:
    if not world.users[account.owner_id].unlimited and total > account.balance:
        raise ApiError(
            400, "The balance of this monetary account is insufficient for this payment."
        )


# booking ------------------------------------------------------------------------------------
def book(
    world: World,
    source: Account,
    target: Counterparty,
    amount: Decimal,
    description: str,
    *,
    sub_type: str = "PAYMENT",
    geolocation: dict | None = None,
) -> Payment:
    """Move money from `source` to `target`: an outgoing payment, a mirrored incoming one on a
    bunq target, and an event for each."""
    now = world.clock.utcnow()
    source.balance -= amount
    source.updated = now
    owner = world.users[source.owner_id]
    external = target.account_id is None
    outgoing = Payment(
        world.next_id("payment"),
        source.id,
        now,
        -amount,
        source.currency,
        target,
        description,
        "EBA_SCT" if external else "BUNQ",
        "SCT" if external else sub_type,
        source.balance,
        geolocation,
    )
    source.payments.append(outgoing)
    world.add_event(source.owner_id, source.id, "Payment", outgoing.id, now)
    if target.account_id is not None and target.account_id != source.id:  # not external
        dest = world.accounts[target.account_id]
        dest.balance += amount
        dest.updated = now
        incoming = Payment(
            world.next_id("payment"),
            dest.id,
            now,
            amount,
            dest.currency,
            Counterparty(source.iban, owner.legal_name, owner.id, source.id),
            description,
            "BUNQ",
            sub_type,
            dest.balance,
        )
        dest.payments.append(incoming)
        world.add_event(dest.owner_id, dest.id, "Payment", incoming.id, now)
    return outgoing


def _geolocation(call: Call) -> dict | None:
    raw = call.request.headers.get("x-bunq-geolocation", "")
    parts = raw.split()
    try:
        lon, lat, alt, radius = (float(p) for p in parts[:4])
    except ValueError:
        return None
    if len(parts) < 4 or (lon, lat, alt, radius) == (0, 0, 0, 0):
        return None
    return {"latitude": lat, "longitude": lon, "altitude": alt, "radius": radius}


def finalize_events(world: World, object_type: str, object_id: int) -> None:
    """An answered request no longer waits for a reply (the event filter `status`)."""
    for event in world.events:
        if event.object_type == object_type and event.object_id == object_id:
            event.status = "FINALIZED"


def accept_sugar_daddy(world: World, request: RequestInquiry) -> None:
    with world.lock:
        if request.status != "PENDING":
            return
        sugar = world.primary_account(world.sugar_daddy_id)
        assert sugar is not None
        target = world.accounts[request.account_id]
        owner = world.users[target.owner_id]
        now = world.clock.utcnow()
        request.status, request.amount_responded = "ACCEPTED", request.amount
        request.time_responded = request.updated = now
        finalize_events(world, "RequestInquiry", request.id)
        book(
            world,
            sugar,
            Counterparty(target.iban, owner.legal_name, owner.id, target.id),
            request.amount,
            request.description,
            sub_type="REQUEST",
        )


def send_request_response(world: World, account: Account, request: RequestInquiry) -> None:
    """A request to another bunq account shows up there as a RequestResponse to answer."""
    target = world.accounts[request.counterparty.account_id or 0]
    owner = world.users[account.owner_id]
    response = RequestResponse(
        world.next_id("request_response"),
        target.id,
        request.created,
        request.created,
        request.amount,
        request.currency,
        Counterparty(account.iban, owner.legal_name, owner.id, account.id),
        request.description,
        request.id,
    )
    target.responses.append(response)
    world.add_event(
        target.owner_id,
        target.id,
        "RequestResponse",
        response.id,
        request.created,
        "AWAITING_REPLY",
    )


def responses_to(world: World, request: RequestInquiry) -> list[RequestResponse]:
    target = world.accounts.get(request.counterparty.account_id or 0)
    if target is None:
        return []
    return [
        r
        for r in target.responses
        if r.inquiry_id == request.id and r.counterparty.account_id == request.account_id
    ]


# routes -------------------------------------------------------------------------------------
async def list_users(call: Call) -> Any:
    world = call.world
    return wire.ok(views.any_user(world, call.auth_session.user_id), pagination=NO_PAGES)


async def get_user(call: Call) -> Any:
    return wire.ok(views.any_user(call.world, acting_user(call)))


async def typed_user(call: Call, kind: str) -> Any:
    """GET /user-person/{id} and its kin: the session's own user, if it is of that kind."""
    user = call.world.users.get(acting_user(call))
    if user is None or user.kind != kind:
        raise wire.not_found(kind, call.param(0))
    return wire.ok(views.user(call.world, user))


async def list_accounts(call: Call, kind: str | None = None) -> Any:
    """The visible accounts, all of them or only those of one kind (…/monetary-account-bank)."""
    world = call.world
    accounts = [
        a for a in visible_accounts(world, acting_user(call)) if kind is None or a.kind == kind
    ]
    page, pagination = paginate(
        accounts,
        lambda a: a.id,
        call.request.url.path,
        call.query,
        future_url=False,
        oldest_first=True,  # bunq lists a user's accounts oldest first
    )
    return wire.ok(*(views.account(world, a) for a in page), pagination=pagination)


async def get_account(call: Call, kind: str | None = None) -> Any:
    return wire.ok(views.account(call.world, visible_account(call, kind=kind)))


async def list_payments(call: Call) -> Any:
    account = visible_account(call)
    world = call.world
    with world.lock:
        page, pagination = paginate(
            account.payments, lambda p: p.id, call.request.url.path, call.query
        )
        items = [views.payment(world, p) for p in page]
    return wire.ok(*items, pagination=pagination)


async def get_payment(call: Call) -> Any:
    account = visible_account(call)
    payment_id = call.param(2)
    for payment in account.payments:
        if payment.id == payment_id:
            return wire.ok(views.payment(call.world, payment))
    raise wire.not_found("Payment", payment_id)


async def create_payment(call: Call) -> Any:
    account = visible_account(call)
    data = call.object()
    world = call.world
    with world.lock:
        order = payment_order(world, account, data, call.auth_session.user_id)
        check_balance(world, account, order.amount)
        payment = book(
            world,
            account,
            order.target,
            order.amount,
            order.description,
            geolocation=_geolocation(call),
        )
    return wire.id_only(payment.id)


async def create_request(call: Call) -> Any:
    account = visible_account(call)
    data = call.object()
    world = call.world
    with world.lock:
        amount = parse_amount(data.get("amount_inquired"), "amount_inquired", account.currency)
        target = resolve_counterparty(world, data.get("counterparty_alias"))
        if target.account_id == account.id:
            raise ApiError(400, "The counterparty cannot be the same monetary account.")
        description = _description(data)
        now = world.clock.utcnow()
        request = RequestInquiry(
            world.next_id("request"),
            account.id,
            now,
            now,
            amount,
            account.currency,
            target,
            description,
        )
        account.requests.append(request)
        world.add_event(
            account.owner_id, account.id, "RequestInquiry", request.id, now, "AWAITING_REPLY"
        )
        to_sugar_daddy = target.user_id == world.sugar_daddy_id
        if target.account_id is not None and not to_sugar_daddy:
            send_request_response(world, account, request)
        if to_sugar_daddy and amount > Decimal(call.emulator.config.sugar_daddy_cap):
            request.status = "REJECTED"  # Sugar Daddy pays at most €500 a request
            request.time_responded = now
            finalize_events(world, "RequestInquiry", request.id)
            to_sugar_daddy = False
    if to_sugar_daddy:
        delay = call.emulator.config.sugar_daddy_delay
        if delay > 0:
            asyncio.get_running_loop().call_later(delay, accept_sugar_daddy, world, request)
        else:
            accept_sugar_daddy(world, request)
    return wire.id_only(request.id)


async def list_requests(call: Call) -> Any:
    account = visible_account(call)
    page, pagination = paginate(account.requests, lambda r: r.id, call.request.url.path, call.query)
    return wire.ok(*(views.request_inquiry(call.world, r) for r in page), pagination=pagination)


def _request(call: Call) -> RequestInquiry:
    account = visible_account(call)
    request_id = call.param(2)
    for request in account.requests:
        if request.id == request_id:
            return request
    raise wire.not_found("RequestInquiry", request_id)


async def get_request(call: Call) -> Any:
    return wire.ok(views.request_inquiry(call.world, _request(call)))


async def revoke_request(call: Call) -> Any:
    request = _request(call)
    data = call.object()
    if data.get("status") != "REVOKED":
        raise ApiError(400, "A request inquiry can only be updated to status REVOKED.")
    with call.world.lock:
        if request.status != "PENDING":
            raise ApiError(400, f"This request is already {request.status.lower()}.")
        request.status = "REVOKED"
        request.updated = call.world.clock.utcnow()
        finalize_events(call.world, "RequestInquiry", request.id)
        for response in responses_to(call.world, request):
            if response.status == "PENDING":
                response.status, response.updated = "REVOKED", request.updated
                finalize_events(call.world, "RequestResponse", response.id)
    return wire.ok(views.request_inquiry(call.world, request))


async def list_events(call: Call) -> Any:
    world = call.world
    user_id = acting_user(call)
    visible = {a.id for a in visible_accounts(world, user_id)}
    wanted = call.query.get("monetary_account_id")
    if wanted:
        try:
            ids = {int(x) for x in wanted.split(",")}
        except ValueError:
            raise ApiError(400, "monetary_account_id must be a list of ids.") from None
        visible &= ids
    status = call.query.get("status")
    events = [
        e
        for e in world.events
        if e.account_id in visible and (status is None or e.status == status)
    ]
    page, pagination = paginate(events, lambda e: e.id, call.request.url.path, call.query)
    return wire.ok(*(views.event(world, e) for e in page), pagination=pagination)


async def get_event(call: Call) -> Any:
    world = call.world
    visible = {a.id for a in visible_accounts(world, acting_user(call))}
    for event in world.events:
        if event.id == call.param(1) and event.account_id in visible:
            return wire.ok(views.event(world, event))
    raise wire.not_found("Event", call.param(1))


async def list_cards(call: Call) -> Any:
    world = call.world
    owner = owner_of(world, acting_user(call))
    cards = [c for c in world.cards if c.user_id == owner]
    page, pagination = paginate(cards, lambda c: c.id, call.request.url.path, call.query)
    return wire.ok(*(views.card(world, c) for c in page), pagination=pagination)


async def get_card(call: Call) -> Any:
    world = call.world
    owner = owner_of(world, acting_user(call))
    for card in world.cards:
        if card.id == call.param(1) and card.user_id == owner:
            return wire.ok(views.card(world, card))
    raise wire.not_found("Card", call.param(1))


async def create_account(call: Call, kind: str) -> Any:
    user_id = acting_user(call)
    world = call.world
    if user_id in world.user_api_keys or world.users[user_id].kind == "UserPaymentServiceProvider":
        raise ApiError(403, FORBIDDEN)
    data = call.object()
    currency = data.get("currency")
    if currency != "EUR":
        raise ApiError(400, "The field currency is required and must be EUR.")
    description = data.get("description")
    if not isinstance(description, str) or not description.strip():
        raise ApiError(400, "The field description is required.")
    from .seed import new_account

    with world.lock:
        account = new_account(
            world, world.users[user_id], kind, description.strip()[:100], when=world.clock.utcnow()
        )
        if "daily_limit" in data:
            account.daily_limit = parse_amount(data["daily_limit"], "daily_limit", "EUR")
        if kind == "MonetaryAccountSavings" and "savings_goal" in data:
            account.savings_goal = parse_amount(data["savings_goal"], "savings_goal", "EUR")
        _apply_setting(account, data.get("setting"))
    return wire.id_only(account.id)


async def update_account(call: Call, kind: str) -> Any:
    account = visible_account(call, kind=kind)
    data = call.object()
    world = call.world
    with world.lock:
        if "description" in data:
            if not isinstance(data["description"], str) or not data["description"].strip():
                raise ApiError(400, "The field description must be a non-empty string.")
            account.description = data["description"].strip()[:100]
        if "daily_limit" in data:
            account.daily_limit = parse_amount(data["daily_limit"], "daily_limit", account.currency)
        _apply_setting(account, data.get("setting"))
        if "status" in data:
            if data["status"] != "CANCELLED":
                raise ApiError(
                    400, "The status of a monetary account can only be set to CANCELLED."
                )
            if account.balance != 0:
                raise ApiError(
                    400,
                    "The balance of this monetary account must be zero before it can be closed.",
                )
            account.status = "CANCELLED"
            account.sub_status = str(data.get("sub_status") or "REDEMPTION_VOLUNTARY")
            account.reason = str(data.get("reason") or "OTHER")
            account.reason_description = data.get("reason_description")
        account.updated = world.clock.utcnow()
    return wire.id_only(account.id)


def _apply_setting(account: Account, setting: Any) -> None:
    if setting is None:
        return
    if not isinstance(setting, dict):
        raise ApiError(400, "The field setting must be an object.")
    color = setting.get("color")
    if isinstance(color, str) and color.startswith("#") and len(color) == 7:
        account.color = color.upper()
