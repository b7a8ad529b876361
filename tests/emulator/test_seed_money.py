"""The demo's money to act on (seed_money.py): pending requests from Bravo on Anna's main
account, mirrored as Bravo's inquiries, and a scheduled payment that is not yet due — added
without moving the seeded world's random generator."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bunqtui.emulator import seed
from bunqtui.emulator.handlers_schedules import run_due
from bunqtui.emulator.seed_money import next_month_start
from bunqtui.emulator.state import World


def _seeded() -> World:
    world = World(seed=1)
    seed.seed_world(world, demo_payments=50)
    return world


def test_requests_wait_for_the_demo_user_and_mirror_bravos_inquiries() -> None:
    world = _seeded()
    main = world.primary_account(world.demo_user_id)
    assert main is not None and main.description == "Main account"
    pending = [r for r in main.responses if r.status == "PENDING"]
    assert [r.description for r in pending] == ["Concert tickets", "Pizza night"]
    bravo = world.accounts[pending[0].counterparty.account_id or 0]
    assert world.users[bravo.owner_id].email == "bravo@bunq.com"
    inquiries = {r.id: r for r in bravo.requests}
    for response in pending:
        inquiry = inquiries[response.inquiry_id]
        assert inquiry.counterparty.account_id == main.id
        assert (inquiry.amount, inquiry.status) == (response.amount, "PENDING")
    awaiting = [e for e in world.events if e.status == "AWAITING_REPLY"]
    assert {e.object_id for e in awaiting} >= {r.id for r in pending}


def test_the_scheduled_payment_is_not_due_when_the_emulator_starts() -> None:
    world = _seeded()
    main = world.primary_account(world.demo_user_id)
    assert main is not None
    (gym,) = main.schedules
    assert gym.status == "ACTIVE" and gym.time_start > world.clock.utcnow()
    balance = main.balance
    with world.lock:
        run_due(world)
    assert gym.done == 0 and gym.payment_ids == [] and main.balance == balance


@pytest.mark.parametrize(
    ("now", "start"),
    [
        (datetime(2026, 11, 20, 12, tzinfo=UTC), datetime(2026, 12, 1, 9, tzinfo=UTC)),
        (datetime(2026, 12, 31, 8, tzinfo=UTC), datetime(2027, 2, 1, 9, tzinfo=UTC)),
        (datetime(2026, 12, 15, tzinfo=UTC), datetime(2027, 1, 1, 9, tzinfo=UTC)),
    ],
)
def test_the_schedule_starts_on_the_first_of_a_coming_month(now: datetime, start: datetime) -> None:
    assert next_month_start(now) == start


def test_seeding_them_leaves_the_worlds_random_generator_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with_money = _seeded()
    monkeypatch.setattr(seed, "seed_demo_money", lambda *args: None)
    without = _seeded()
    assert with_money.rng.getstate() == without.rng.getstate()
    assert with_money.counters["payment"] == without.counters["payment"]
