"""The demo user's money to act on (seed.py): requests for money from Bravo waiting for an
answer, and a monthly scheduled payment, so accepting, rejecting and cancelling can be tried
in ``bunqtui --demo`` without making them first."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from .state import (
    Account,
    Counterparty,
    Event,
    RequestInquiry,
    RequestResponse,
    SchedulePayment,
    User,
    World,
)

# (amount, description) of each request Bravo sent the demo user
REQUESTS = [(Decimal("37.50"), "Concert tickets"), (Decimal("12.80"), "Pizza night")]
GYM = ("NL02ABNA0123456789", "SportCity Fitness", Decimal("29.95"), "Gym membership")


def _next_id(world: World, rng: random.Random, kind: str) -> int:
    world.counters[kind] += 1 + rng.randrange(3)  # gaps, as world.next_id makes them
    return world.counters[kind]


def next_month_start(now: datetime) -> datetime:
    """09:00 UTC on the first of the month after ``now`` (at least a day ahead)."""
    soon = now + timedelta(days=1)
    year, month = (soon.year + 1, 1) if soon.month == 12 else (soon.year, soon.month + 1)
    return datetime(year, month, 1, 9, 0, tzinfo=UTC)


def seed_demo_money(
    world: World, demo: User, main: Account, asker: User, asker_account: Account, when: datetime
) -> None:
    """Requests from ``asker`` to the demo user's ``main`` account (a RequestInquiry on theirs,
    a pending RequestResponse on the demo's, as a request between two bunq users is), and a
    monthly payment from ``main`` that starts next month.

    Ids come from a generator of their own, so the seeded world's RNG (tokens, later ids) stays
    what it was before these existed. The schedule starts after the emulator's clock: the
    seed's fixed dates are in the past, and a due schedule would pay at once."""
    rng = random.Random(f"demo-money-{demo.id}")
    for n, (amount, description) in enumerate(REQUESTS):
        created = when - timedelta(hours=3 * (len(REQUESTS) - n))
        inquiry = RequestInquiry(
            _next_id(world, rng, "request"),
            asker_account.id,
            created,
            created,
            amount,
            main.currency,
            Counterparty(main.iban, demo.legal_name, demo.id, main.id),
            description,
        )
        asker_account.requests.append(inquiry)
        response = RequestResponse(
            _next_id(world, rng, "request_response"),
            main.id,
            created,
            created,
            amount,
            main.currency,
            Counterparty(asker_account.iban, asker.legal_name, asker.id, asker_account.id),
            description,
            inquiry.id,
        )
        main.responses.append(response)
        # as world.add_event does, with an id from our own generator
        event_id = _next_id(world, rng, "event")
        world.events.append(
            Event(
                event_id,
                demo.id,
                main.id,
                created,
                "RequestResponse",
                response.id,
                "AWAITING_REPLY",
            )
        )
    iban, name, amount, description = GYM
    main.schedules.append(
        SchedulePayment(
            _next_id(world, rng, "schedule"),
            main.id,
            when,
            when,
            amount,
            main.currency,
            Counterparty(iban, name),
            description,
            next_month_start(max(when, world.clock.utcnow())),
            None,
            "MONTHLY",
            1,
        )
    )
