"""Ordering a debit card: the names bunq accepts on it (`GET /user/{id}/card-name`) and the
order itself (`POST /user/{id}/card-debit`, answered with the whole `CardDebit`). The new card
is then one of the user's cards (`GET /user/{id}/card[/{id}]`, handlers_resources.py).

bunq prints only a form of the legal name on a card: "Name Surname", "N. Surname",
"N Surname" or "Surname" for a person, the company's name for a company.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from . import views
from .call import Call
from .handlers_resources import FORBIDDEN, acting_user, owner_of, visible_accounts
from .state import Account, Card, User, World
from .wire import ApiError, ok

CARD_TYPES = {
    "MASTERCARD": ("MASTERCARD_DEBIT", "MASTERCARD_VIRTUAL"),
    "MAESTRO": ("MAESTRO_DEBIT",),
}
PIN_TYPES = ("PRIMARY", "SECONDARY", "TERTIARY")
# bunq's docs say 17 characters; its SDK's own test orders cards with 20, and passes.
MAX_SECOND_LINE = 20
MAX_CARD_NAME = 26  # what fits on the card's line


def card_names(user: User) -> list[str]:
    if user.kind != "UserPerson":
        return [user.legal_name[:MAX_CARD_NAME]]
    first, last = user.first_name.strip(), user.last_name.strip()
    names = [f"{first} {last}", f"{first[:1]}. {last}", f"{first[:1]} {last}", last]
    unique = dict.fromkeys(n.strip() for n in names if n.strip() and len(n) <= MAX_CARD_NAME)
    return list(unique)


def _owner(call: Call) -> tuple[User, int]:
    """The card holder and the session's user id (an OAuth app acts for the user who granted
    it, on the accounts granted: bunq lets it create and manage cards)."""
    user_id = acting_user(call)
    world = call.world
    holder = world.users[owner_of(world, user_id)]
    if holder.kind == "UserPaymentServiceProvider":
        raise ApiError(403, FORBIDDEN)
    return holder, user_id


def _own_account(world: World, user_id: int, account_id: Any) -> Account:
    for account in visible_accounts(world, user_id):
        if account.id == account_id and account.status == "ACTIVE":
            return account
    raise ApiError(400, f'Monetary account "{account_id}" cannot be linked to this card.')


def _alias_account(world: World, user: User, user_id: int, alias: Any) -> Account:
    """The account a card is ordered on: an own IBAN, or the user's own email or phone alias
    (meaning the primary account)."""
    if not isinstance(alias, dict) or not isinstance(alias.get("value"), str):
        raise ApiError(400, "The field alias is required.")
    kind, value = alias.get("type"), alias["value"].replace(" ", "")
    if kind == "IBAN":
        account = world.accounts_by_iban.get(value.upper())
        return _own_account(world, user_id, account.id if account else None)
    if kind in ("EMAIL", "PHONE_NUMBER") and world.user_by_alias(kind, value) is user:
        primary = world.primary_account(user.id)
        if primary is not None:
            return _own_account(world, user_id, primary.id)
    raise ApiError(400, "The alias must be one of your own.")


def _pin_account(world: World, user_id: int, assignments: Any) -> Account | None:
    """The account of the PRIMARY pin code assignment; every assignment is checked (the PIN
    itself is validated and then forgotten: the emulator never keeps it)."""
    if assignments is None:
        return None
    if not isinstance(assignments, list) or len(assignments) > len(PIN_TYPES):
        raise ApiError(400, "The field pin_code_assignment must be a list of at most three.")
    primary = None
    for assignment in assignments:
        if not isinstance(assignment, dict) or assignment.get("type") not in PIN_TYPES:
            raise ApiError(
                400, "A pin code assignment needs a type: PRIMARY, SECONDARY or TERTIARY."
            )
        pin = assignment.get("pin_code")
        if pin is not None and (not isinstance(pin, str) or len(pin) != 4 or not pin.isdigit()):
            raise ApiError(400, "A pin code is four digits.")
        account = _own_account(world, user_id, assignment.get("monetary_account_id"))
        if assignment["type"] == "PRIMARY":
            primary = account
    return primary


def _expiry(now: datetime) -> str:
    """The last day of the same month, four years on."""
    year, month = now.year + 4, now.month
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return (first_of_next - timedelta(days=1)).isoformat()


async def list_card_names(call: Call) -> Any:
    return ok(views.card_names(card_names(_owner(call)[0])))


async def order_card(call: Call) -> Any:
    user, user_id = _owner(call)
    data = call.object()
    world = call.world
    second_line = data.get("second_line", "")
    if not isinstance(second_line, str) or len(second_line) > MAX_SECOND_LINE:
        raise ApiError(400, f"The second line can be at most {MAX_SECOND_LINE} characters.")
    name = data.get("name_on_card")
    if name not in card_names(user):
        raise ApiError(400, "The name on the card must be one of the names from card-name.")
    card_type, product = data.get("type"), data.get("product_type")
    if not isinstance(card_type, str) or product not in CARD_TYPES.get(card_type, ()):
        raise ApiError(400, "Unknown card type or product type.")
    with world.lock:
        account = _alias_account(world, user, user_id, data.get("alias"))
        account = _pin_account(world, user_id, data.get("pin_code_assignment")) or account
        now = world.clock.utcnow()
        card = Card(
            world.next_id("card"),
            user.id,
            account.id,
            now,
            second_line,
            f"{world.rng.randrange(10_000):04d}",
            _expiry(now),
            world.uuid(),
            name_on_card=name,
            type=card_type,
            product_type=product,
            order_status="NEW_CARD_REQUEST_RECEIVED",
        )
        world.cards.append(card)
        return ok(views.card(world, card, "CardDebit"))
