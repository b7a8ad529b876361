"""Changing a card's status (`PUT /user/{id}/card/{id}`): freezing (DEACTIVATED), unfreezing
(ACTIVE), reporting it LOST or STOLEN, or CANCELLED — with the transitions bunq allows
(docs/protocol.md#cards), answered with the whole `Card`.

bunq's rules, from its API reference: DEACTIVATED only once the card was activated (its order
reached the customer); LOST, STOLEN and CANCELLED only once it is in production; and those three
are final: nothing changes a lost card again. A status change needs no signature and no PIN.
"""

from __future__ import annotations

from typing import Any

from . import views
from .call import Call
from .handlers_resources import acting_user, owner_of
from .state import Card
from .wire import ApiError, not_found, ok

STATUSES = ("ACTIVE", "DEACTIVATED", "LOST", "STOLEN", "CANCELLED")
FINAL = frozenset({"LOST", "STOLEN", "CANCELLED", "EXPIRED"})
# order statuses after which the card has reached its holder (and was activated)
ACTIVATED = frozenset(
    {"DELIVERED_TO_CUSTOMER", "CARD_UPDATE_REQUESTED", "CARD_UPDATE_SENT", "CARD_UPDATE_ACCEPTED"}
)
IN_PRODUCTION = ACTIVATED | {"ACCEPTED_FOR_PRODUCTION"}


def check_transition(card: Card, wanted: Any) -> str:
    """The new status, or the ApiError bunq answers."""
    if wanted not in STATUSES:
        raise ApiError(
            400, "The status of a card can only be ACTIVE, DEACTIVATED, LOST, STOLEN or CANCELLED."
        )
    if card.status in FINAL:
        raise ApiError(
            400, f"This card is {card.status.lower()}: its status can no longer be changed."
        )
    if wanted == card.status:
        return wanted
    # a card in production is activated by setting it ACTIVE; only then can it be frozen
    activating = wanted == "ACTIVE" and card.order_status == "ACCEPTED_FOR_PRODUCTION"
    if (
        wanted in ("ACTIVE", "DEACTIVATED")
        and card.order_status not in ACTIVATED
        and not activating
    ):
        raise ApiError(400, "This card has not been activated yet.")
    if wanted in FINAL and card.order_status not in IN_PRODUCTION:
        raise ApiError(400, "This card is not produced yet: cancel the order instead.")
    return wanted


def _find(call: Call) -> Card:
    world = call.world
    owner = owner_of(world, acting_user(call))
    for card in world.cards:
        if card.id == call.param(1) and card.user_id == owner:
            return card
    raise not_found("Card", call.param(1))


async def update_card(call: Call) -> Any:
    data = call.object()
    world = call.world
    with world.lock:
        card = _find(call)
        if "status" in data:
            new = check_transition(card, data["status"])
            if new != card.status:
                card.status = new
                if new == "ACTIVE" and card.order_status == "ACCEPTED_FOR_PRODUCTION":
                    card.order_status = "DELIVERED_TO_CUSTOMER"
                world.add_event(
                    acting_user(call), card.account_id, "Card", card.id, world.clock.utcnow()
                )
                world.events[-1].action = "UPDATE"
        return ok(views.card(world, card))
