"""Cards, for the CLI and the TUI: list them, and freeze, unfreeze or report one lost or stolen.

What an action means and when it is possible is plain code (``plan``), so both front ends ask
the same questions: the CLI shows :func:`describe` and asks before it sends; a LOST or STOLEN
report cannot be undone, so :func:`needs_second_confirmation` says a second, explicit
confirmation naming the card is required. The calls themselves run on either session:
``list_cards``/``change_card`` on a one-shot (sync) session, ``alist_cards``/``achange_card``
on a :class:`~bunqtui.core.session.ProfileSession` (the TUI's workers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bunqtui.api.cards import Card
from bunqtui.core.errors import ConfigError

if TYPE_CHECKING:
    from bunqtui.core.oneshot import OneShotSession
    from bunqtui.core.opened import Identity
    from bunqtui.core.session import ProfileSession

__all__ = [  # Card too: the TUI names the type without reaching into bunqtui.api
    "ACTIONS",
    "FINAL",
    "Card",
    "achange_card",
    "alist_cards",
    "card_label",
    "card_record",
    "change_card",
    "describe",
    "get_card",
    "list_cards",
    "needs_second_confirmation",
    "plan",
]

# action → the status bunq is asked for
ACTIONS = {"freeze": "DEACTIVATED", "unfreeze": "ACTIVE", "lost": "LOST", "stolen": "STOLEN"}
FINAL = frozenset({"LOST", "STOLEN"})


def card_label(card: Card) -> str:
    """How a person recognises the card: its type, last digits and the line printed on it."""
    kind = (card.product_type or card.type or "card").replace("_", " ").lower()
    line = f" “{card.second_line}”" if card.second_line else ""
    return f"{kind} {card.masked_number}{line} (card {card.id})"


def plan(card: Card, action: str) -> str:
    """The status to send for ``action``, or ConfigError (exit 2, nothing sent) when it cannot
    apply to this card as it is."""
    if action not in ACTIONS:
        raise ConfigError(f"unknown card action {action!r}", "use freeze, unfreeze, lost or stolen")
    wanted = ACTIONS[action]
    if card.is_final:
        raise ConfigError(
            f"{card_label(card)} is {(card.status or '').lower()}; it can no longer be changed"
        )
    if wanted == card.status:
        state = "frozen" if wanted == "DEACTIVATED" else "active"
        raise ConfigError(f"{card_label(card)} is already {state}")
    if action == "unfreeze" and card.status != "DEACTIVATED":
        raise ConfigError(f"{card_label(card)} is not frozen (it is {card.status})")
    return wanted


def needs_second_confirmation(action: str) -> bool:
    return ACTIONS.get(action) in FINAL


def describe(card: Card, action: str) -> str:
    """The sentence a confirmation shows."""
    if action == "freeze":
        return f"Freeze {card_label(card)}? Payments with it stop until you unfreeze it."
    if action == "unfreeze":
        return f"Unfreeze {card_label(card)}? It can pay again."
    word = "lost" if action == "lost" else "stolen"
    return (
        f"Report {card_label(card)} as {word}? bunq blocks it for good: this cannot be undone, "
        "and you need a new card."
    )


def card_record(card: Card) -> dict[str, Any]:
    """The stable JSON shape of ``bunqtui cards --json`` (exact strings, amounts as text)."""
    return {
        "id": card.id,
        "status": card.status,
        "type": card.type,
        "product_type": card.product_type,
        "masked_number": card.masked_number,
        "second_line": card.second_line,
        "name_on_card": card.name_on_card,
        "expiry_date": card.expiry_date.isoformat() if card.expiry_date else None,
        "card_limit": card.card_limit.to_json() if card.card_limit else None,
        "card_limit_atm": card.card_limit_atm.to_json() if card.card_limit_atm else None,
        "monetary_account_id": card.monetary_account_id,
    }


def list_cards(session: OneShotSession, identity: Identity) -> list[Card]:
    return session._client(identity).list_cards()


def get_card(session: OneShotSession, identity: Identity, card_id: int) -> Card:
    return session._client(identity).get_card(None, card_id)


def change_card(session: OneShotSession, identity: Identity, card: Card, action: str) -> Card:
    """Send the status ``plan`` chose (1 request); bunq's answer is the changed card."""
    return session._client(identity).set_card_status(None, card.id, plan(card, action))


async def alist_cards(session: ProfileSession, identity: Identity) -> list[Card]:
    return await (await session._client(identity)).list_cards()


async def achange_card(
    session: ProfileSession, identity: Identity, card: Card, action: str
) -> Card:
    client = await session._client(identity)
    return await client.set_card_status(None, card.id, plan(card, action))
