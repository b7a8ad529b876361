"""bunq's cards (docs/protocol.md#cards): the ``Card`` model and the operations that list cards
and change a card's status — freeze (``DEACTIVATED``), unfreeze (``ACTIVE``), report it
``LOST`` or ``STOLEN`` (final: bunq never changes such a card again).

:class:`CardOperations` is mixed into :class:`~bunqtui.api.operations.BunqOperations`; its flows
use that class's ``_request`` and ``_user`` and run on both drivers like every other operation.
A status change needs neither a signature nor a PIN (docs/protocol.md#request-signatures).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bunqtui.api.errors import ProtocolError
from bunqtui.api.host import OperationsHost
from bunqtui.api.models import (
    Amount,
    Json,
    LabelMonetaryAccount,
    _int,
    _obj,
    _opt_int,
    _str,
    anchor,
    parse_timestamp,
)
from bunqtui.api.protocol import Flow, operation

if TYPE_CHECKING:
    pass

# what a client may set; CANCELLED too is final, but bunqtui does not offer it
CARD_STATUSES = ("ACTIVE", "DEACTIVATED", "LOST", "STOLEN")
FINAL_STATUSES = frozenset({"LOST", "STOLEN", "CANCELLED", "EXPIRED"})


@dataclass(frozen=True, slots=True)
class Card:
    id: int
    status: str | None
    type: str | None = None
    product_type: str | None = None
    second_line: str | None = None
    name_on_card: str | None = None
    four_digit: str | None = None  # of the first primary account number
    expiry_date: dt.date | None = None
    card_limit: Amount | None = None
    card_limit_atm: Amount | None = None
    monetary_account_id: int | None = None  # the account the card pays from
    label_monetary_account: LabelMonetaryAccount | None = None
    order_status: str | None = None
    created: dt.datetime | None = None
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @property
    def masked_number(self) -> str:
        return f"•••• {self.four_digit}" if self.four_digit else "••••"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @classmethod
    def from_json(cls, data: Any) -> Card:
        obj = _obj(data, "a card")
        pans = obj.get("primary_account_numbers") or []
        if not isinstance(pans, list):
            raise ProtocolError("bunq sent a card whose account numbers are not a list.")
        first = _obj(pans[0], "a card number") if pans else {}
        account_id = _opt_int(first.get("monetary_account_id"), "a card's account id")
        if account_id is None:
            pins = obj.get("pin_code_assignment") or []
            if isinstance(pins, list) and pins:
                account_id = _opt_int(
                    _obj(pins[0], "a PIN assignment").get("monetary_account_id"), "an account id"
                )
        expiry = _str(obj.get("expiry_date"), "an expiry date")
        expiry_date = None
        if expiry:
            try:
                expiry_date = dt.date.fromisoformat(expiry)
            except ValueError:
                raise ProtocolError(
                    f"bunq sent an unreadable expiry date {expiry[:20]!r}."
                ) from None
        return cls(
            id=_int(obj.get("id"), "a card id"),
            status=_str(obj.get("status"), "a card status"),
            type=_str(obj.get("type"), "a card type"),
            product_type=_str(obj.get("product_type"), "a card product type"),
            second_line=_str(obj.get("second_line"), "a card's second line"),
            name_on_card=_str(obj.get("name_on_card"), "a name on a card"),
            four_digit=_str(first.get("four_digit"), "a card's last digits"),
            expiry_date=expiry_date,
            card_limit=Amount.opt(obj.get("card_limit")),
            card_limit_atm=Amount.opt(obj.get("card_limit_atm")),
            monetary_account_id=account_id,
            label_monetary_account=LabelMonetaryAccount.opt(
                obj.get("label_monetary_account_current")
            ),
            order_status=_str(obj.get("order_status"), "a card order status"),
            created=parse_timestamp(obj.get("created")),
            raw=obj,
        )

    @classmethod
    def from_anchor(cls, item: Any) -> Card:
        kind, obj = anchor(item, "a card")
        if kind not in ("Card", "CardDebit", "CardCredit"):
            raise ProtocolError(f"bunq sent a {kind} where a Card was expected.")
        return cls.from_json(obj)


class CardOperations(OperationsHost):
    """Cards as flows (mixed into BunqOperations, which provides ``_request``/``_user``)."""

    def _list_cards(self, user_id: int | None = None) -> Flow[list[Card]]:
        """Every card of the user, newest first (1 request per 200 cards)."""
        path = f"/user/{self._user(user_id)}/card"
        parse = Card.from_anchor
        return (yield from self._walk(path, parse, count=200, newer_id=None, collect=True))

    list_cards = operation(_list_cards)

    def _get_card(self, user_id: int | None, card_id: int) -> Flow[Card]:
        envelope = yield from self._request("GET", f"/user/{self._user(user_id)}/card/{card_id}")
        if not envelope.items:
            raise ProtocolError("bunq's card answer is empty.")
        return Card.from_anchor(envelope.items[0])

    get_card = operation(_get_card)

    def _set_card_status(self, user_id: int | None, card_id: int, status: str) -> Flow[Card]:
        """PUT /user/{id}/card/{id} with the new status (1 request); bunq answers the card.
        Never retried on its own (not idempotent in effect: LOST cannot be undone)."""
        if status not in CARD_STATUSES:
            raise ValueError(f"a card status is one of {', '.join(CARD_STATUSES)}, not {status!r}")
        envelope = yield from self._request(
            "PUT", f"/user/{self._user(user_id)}/card/{card_id}", json={"status": status}
        )
        if not envelope.items:
            raise ProtocolError("bunq's card answer is empty.")
        return Card.from_anchor(envelope.items[0])

    set_card_status = operation(_set_card_status)
