"""bunq.me tabs: a link anyone can pay (docs/protocol.md#objects).

- `POST …/bunqme-tab` `{"bunqme_tab_entry":{"amount_inquired","description","redirect_url"}}`
  → `Id`; `GET …/bunqme-tab[/{id}]` → `BunqMeTab` with its `bunqme_tab_share_url`
  (`https://bunq.me/t/<uuid>`); `PUT …/bunqme-tab/{id}` `{"status":"CANCELLED"}` → `Id`.
- Nobody pays a tab through the API; the control API stands in for the person who opens the
  link (`pay_tab`): the payment lands on the tab's account and in its `result_inquiries`. A
  payer's IBAN that is an emulator account pays from that account; any other IBAN (or none) is
  an outside bank paying by iDEAL.
- bunq's OAuth scope has no bunq.me, so a connected app gets 403 here.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from . import views, wire
from .call import Call
from .handlers_resources import (
    FORBIDDEN,
    _iban_valid,
    book,
    check_balance,
    parse_amount,
    visible_account,
)
from .pagination import paginate
from .state import Account, BunqMeTab, Counterparty, Payment, World
from .wire import ApiError

TAB_LIFETIME = timedelta(days=30)  # bunq documents none (docs/emulator.md)
MAX_TEXT = 9000
MAX_NAME = 20_000  # a payer's name is any text, as bunq shows what people type


def expire(world: World, tab: BunqMeTab) -> BunqMeTab:
    """A waiting tab past its expiry time is EXPIRED from then on."""
    if tab.status == "WAITING_FOR_PAYMENT" and world.clock.utcnow() >= tab.time_expiry:
        tab.status, tab.updated = "EXPIRED", tab.time_expiry
    return tab


def _account(call: Call) -> Account:
    account = visible_account(call)
    if call.auth_session.user_id in call.world.user_api_keys:
        raise ApiError(403, FORBIDDEN)  # bunq.me is not in an OAuth grant's scope
    return account


def _tab(call: Call) -> BunqMeTab:
    account = _account(call)
    tab_id = call.param(2)
    for tab in account.tabs:
        if tab.id == tab_id:
            return expire(call.world, tab)
    raise wire.not_found("BunqMeTab", tab_id)


def _text(value: Any, field: str, limit: int, *, required: bool = False) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise ApiError(400, f"The field {field} must be text.")
    if len(value) > limit:
        raise ApiError(400, f"The field {field} can be at most {limit} characters.")
    return value


def _outside_iban(world: World) -> str:
    """A valid Dutch IBAN of another bank, for a payer who gave none."""
    bban = f"INGB{world.rng.randrange(10**10):010d}"
    digits = "".join(str(int(c, 36)) for c in bban + "NL00")
    return f"NL{98 - int(digits) % 97:02d}{bban}"


def _receive(
    world: World, account: Account, payer: Counterparty, amount: Decimal, text: str
) -> Payment:
    """Money from outside bunq (iDEAL) arrives on `account`: one incoming payment."""
    now = world.clock.utcnow()
    account.balance += amount
    account.updated = now
    payment = Payment(
        world.next_id("payment"),
        account.id,
        now,
        amount,
        account.currency,
        payer,
        text,
        "IDEAL",
        "PAYMENT",
        account.balance,
    )
    account.payments.append(payment)
    world.add_event(account.owner_id, account.id, "Payment", payment.id, now)
    return payment


def find_tab(world: World, uuid: str) -> BunqMeTab:
    for account in world.accounts.values():
        for tab in account.tabs:
            if tab.uuid == uuid:
                return expire(world, tab)
    raise ApiError(404, f'BunqMeTab for uuid "{uuid}" not found.')


def pay_tab(world: World, uuid: str, data: dict[str, Any]) -> dict[str, Any]:
    """Someone opens the tab's link and pays (the control API). Call with the lock held."""
    tab = find_tab(world, uuid)
    if tab.status != "WAITING_FOR_PAYMENT":
        raise ApiError(400, f"This bunq.me link is {tab.status.lower()} and can't be paid.")
    account = world.accounts[tab.account_id]
    if account.status != "ACTIVE":
        raise ApiError(400, "This monetary account is not active.")
    raw = data.get("amount", None if tab.amount is None else f"{tab.amount:.2f}")
    if not isinstance(raw, str):
        raise ApiError(400, 'The field amount is required, as text ("10.00").')
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise ApiError(400, f"The amount {raw!r} is not a valid amount.") from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise ApiError(400, "The amount must be greater than zero, with at most two decimals.")
    if tab.amount is not None and amount != tab.amount:
        raise ApiError(400, f"This bunq.me link asks for exactly {tab.amount:.2f}.")
    name = _text(data.get("name"), "name", MAX_NAME, required=True)
    assert name is not None
    iban = data.get("iban")
    if iban is not None and (not isinstance(iban, str) or not _iban_valid(iban.replace(" ", ""))):
        raise ApiError(400, "The field iban must be a valid IBAN.")
    iban = iban.replace(" ", "").upper() if iban else _outside_iban(world)
    payer = world.accounts_by_iban.get(iban)
    if payer is not None and payer.id == account.id:
        raise ApiError(400, "The counterparty cannot be the same monetary account.")
    if payer is not None:  # a bunq user pays from their own account
        if payer.status != "ACTIVE":
            raise ApiError(400, "The paying monetary account is not active.")
        check_balance(world, payer, amount)
        owner = world.users[account.owner_id]
        target = Counterparty(account.iban, owner.legal_name, owner.id, account.id)
        book(world, payer, target, amount, tab.description)
        payment = account.payments[-1]
    else:
        payment = _receive(world, account, Counterparty(iban, name), amount, tab.description)
    tab.payment_ids.append(payment.id)
    tab.updated = payment.created
    return {"tab_id": tab.id, "payment_id": payment.id, "status": tab.status}


async def create_tab(call: Call) -> Any:
    account = _account(call)
    entry = call.object().get("bunqme_tab_entry")
    if not isinstance(entry, dict):
        raise ApiError(400, "The field bunqme_tab_entry is required.")
    world = call.world
    with world.lock:
        if account.status != "ACTIVE":
            raise ApiError(400, "This monetary account is not active.")
        amount = None
        if entry.get("amount_inquired") is not None:
            amount = parse_amount(entry["amount_inquired"], "amount_inquired", account.currency)
        description = _text(entry.get("description", ""), "description", MAX_TEXT) or ""
        redirect_url = _text(entry.get("redirect_url"), "redirect_url", 2000)
        now = world.clock.utcnow()
        tab = BunqMeTab(
            world.next_id("bunqme_tab"),
            account.id,
            now,
            now,
            world.uuid(),
            amount,
            account.currency,
            description,
            redirect_url,
            now + TAB_LIFETIME,
        )
        account.tabs.append(tab)
        world.add_event(account.owner_id, account.id, "BunqMeTab", tab.id, now)
    return wire.id_only(tab.id)


async def list_tabs(call: Call) -> Any:
    account = _account(call)
    world = call.world
    with world.lock:
        tabs = [expire(world, t) for t in account.tabs]
        page, pagination = paginate(tabs, lambda t: t.id, call.request.url.path, call.query)
        items = [views.bunqme_tab(world, t) for t in page]
    return wire.ok(*items, pagination=pagination)


async def get_tab(call: Call) -> Any:
    with call.world.lock:
        return wire.ok(views.bunqme_tab(call.world, _tab(call)))


async def cancel_tab(call: Call) -> Any:
    data = call.object()
    world = call.world
    with world.lock:
        tab = _tab(call)
        if data.get("status") != "CANCELLED":
            raise ApiError(400, "A bunq.me tab can only be updated to status CANCELLED.")
        if tab.status != "WAITING_FOR_PAYMENT":
            raise ApiError(400, f"This bunq.me tab is already {tab.status.lower()}.")
        tab.status, tab.updated = "CANCELLED", world.clock.utcnow()
    return wire.id_only(tab.id)
