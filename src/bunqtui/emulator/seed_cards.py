"""The demo user's extra cards (seed.py): a virtual card and a frozen one, so every card state
the client shows can be seen without ordering one first."""

from __future__ import annotations

import random
from datetime import datetime

from .state import Card, User, World


def seed_demo_cards(
    world: World, holder: User, main_id: int, bills_id: int, when: datetime
) -> None:
    """Two more cards for the demo user: a virtual card on Bills and a frozen Maestro card.

    Their ids and uuids come from a generator of their own, so the seeded world's RNG (tokens,
    later ids) stays what it was before these cards existed."""
    rng = random.Random(f"demo-cards-{holder.id}")
    specs = [
        (bills_id, "Online shopping", "MASTERCARD", "MASTERCARD_VIRTUAL", "ACTIVE", "2030-05-31"),
        (main_id, "Spare card", "MAESTRO", "MAESTRO_DEBIT", "DEACTIVATED", "2028-02-29"),
    ]
    for account_id, second_line, kind, product, status, expiry in specs:
        world.counters["card"] += 1 + rng.randrange(3)
        value = f"{rng.getrandbits(128):032x}"
        world.cards.append(
            Card(
                world.counters["card"],
                holder.id,
                account_id,
                when,
                second_line,
                f"{rng.randrange(10_000):04d}",
                expiry,
                f"{value[:8]}-{value[8:12]}-4{value[13:16]}-a{value[17:20]}-{value[20:]}",
                status=status,
                type=kind,
                product_type=product,
            )
        )
