"""Scheduled payments: booked by the emulator's clock (docs/protocol.md#objects).

- `POST …/schedule-payment` (**signed**, it will pay)
  `{"payment":{amount,counterparty_alias,description},
    "schedule":{"time_start","time_end"?,"recurrence_unit","recurrence_size"}}` → `Id`.
  The payment is checked like a direct one (an OAuth grant only between the user's own
  accounts); the balance is checked when each payment is due.
- `GET …/schedule-payment[/{id}]` → `ScheduledPayment`; `DELETE …/schedule-payment/{id}`
  cancels it (`{"Response":[]}`), later payments are not made.
- `run_due` books every occurrence whose time has come: the pipeline calls it before each API
  request and `POST /_emulator/clock` after moving the clock, so advancing the clock past a due
  time books the payment(s). An occurrence the balance cannot cover is skipped (bunq's app
  shows a failed scheduled payment); the schedule goes on.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta
from typing import Any

from . import views, wire
from .call import Call
from .handlers_resources import book, payment_order, visible_account
from .pagination import paginate
from .state import Account, SchedulePayment, World
from .wire import ApiError

UNITS = ("ONCE", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")
STEP = {"HOURLY": timedelta(hours=1), "DAILY": timedelta(days=1), "WEEKLY": timedelta(weeks=1)}
MAX_SIZE = 10_000
# A clock moved years ahead must not book an hourly schedule 100,000 times in one request.
MAX_CATCH_UP = 1_000
PAST_GRACE = timedelta(days=1)  # "today at 00:00" is still accepted as a start


def parse_time(value: Any, field: str) -> datetime:
    """bunq's `YYYY-MM-DD hh:mm:ss[.ffffff]` (UTC), or ISO 8601; a bare date is midnight UTC."""
    if not isinstance(value, str) or not 10 <= len(value) <= 40:
        raise ApiError(400, f"The field {field} must be a time as YYYY-MM-DD hh:mm:ss.")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ApiError(400, f"The field {field} must be a time as YYYY-MM-DD hh:mm:ss.") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def occurrence(schedule: SchedulePayment, index: int) -> datetime:
    """When the `index`-th payment (from 0) of a schedule is due."""
    start, size = schedule.time_start, schedule.recurrence_size
    unit = schedule.recurrence_unit
    if unit == "ONCE" or index == 0:
        return start
    if unit in STEP:
        return start + STEP[unit] * (size * index)
    months = size * index * (12 if unit == "YEARLY" else 1)
    year, month = divmod(start.month - 1 + months, 12)
    year += start.year
    day = min(start.day, calendar.monthrange(year, month + 1)[1])  # 31 Jan + 1 month: 28/29 Feb
    return start.replace(year=year, month=month + 1, day=day)


def _catch_up(world: World, account: Account, schedule: SchedulePayment, now: datetime) -> None:
    for _ in range(MAX_CATCH_UP):
        due = occurrence(schedule, schedule.done)
        if schedule.time_end is not None and due > schedule.time_end:
            schedule.status, schedule.updated = "FINISHED", now
            return
        if due > now:
            return
        schedule.done += 1
        covered = world.users[account.owner_id].unlimited or schedule.amount <= account.balance
        if account.status == "ACTIVE" and covered:
            payment = book(
                world, account, schedule.counterparty, schedule.amount, schedule.description
            )
            payment.scheduled_id = schedule.id
            schedule.payment_ids.append(payment.id)
        if schedule.recurrence_unit == "ONCE":
            schedule.status, schedule.updated = "FINISHED", now
            return


def run_due(world: World) -> None:
    """Book every scheduled payment that is due. Call with the world's lock held."""
    now = world.clock.utcnow()
    for account in world.accounts.values():
        for schedule in account.schedules:
            if schedule.status == "ACTIVE":
                _catch_up(world, account, schedule, now)


def _schedule(call: Call) -> SchedulePayment:
    account = visible_account(call)
    schedule_id = call.param(2)
    for schedule in account.schedules:
        if schedule.id == schedule_id:
            return schedule
    raise wire.not_found("SchedulePayment", schedule_id)


async def create_schedule(call: Call) -> Any:
    account = visible_account(call)
    data = call.object()
    payment, schedule = data.get("payment"), data.get("schedule")
    if not isinstance(payment, dict) or not isinstance(schedule, dict):
        raise ApiError(400, "The fields payment and schedule are required.")
    unit, size = schedule.get("recurrence_unit"), schedule.get("recurrence_size", 1)
    if unit not in UNITS:
        raise ApiError(400, f"The field recurrence_unit must be one of {', '.join(UNITS)}.")
    if type(size) is not int or not 1 <= size <= MAX_SIZE:
        raise ApiError(400, f"The field recurrence_size must be a whole number 1-{MAX_SIZE}.")
    start = parse_time(schedule.get("time_start"), "time_start")
    end = None
    if schedule.get("time_end") is not None:
        end = parse_time(schedule["time_end"], "time_end")
        if end < start:
            raise ApiError(400, "The schedule cannot end before it starts.")
    world = call.world
    with world.lock:
        now = world.clock.utcnow()
        if start < now - PAST_GRACE:
            raise ApiError(400, "The schedule cannot start in the past.")
        order = payment_order(world, account, payment, call.auth_session.user_id)
        scheduled = SchedulePayment(
            world.next_id("schedule"),
            account.id,
            now,
            now,
            order.amount,
            account.currency,
            order.target,
            order.description,
            start,
            end,
            unit,
            size,
        )
        account.schedules.append(scheduled)
        world.add_event(account.owner_id, account.id, "ScheduledPayment", scheduled.id, now)
        _catch_up(world, account, scheduled, now)  # a start that has come pays at once
    return wire.id_only(scheduled.id)


async def list_schedules(call: Call) -> Any:
    account = visible_account(call)
    world = call.world
    with world.lock:
        page, pagination = paginate(
            account.schedules, lambda s: s.id, call.request.url.path, call.query
        )
        items = [views.schedule_payment(world, s) for s in page]
    return wire.ok(*items, pagination=pagination)


async def get_schedule(call: Call) -> Any:
    with call.world.lock:
        return wire.ok(views.schedule_payment(call.world, _schedule(call)))


async def cancel_schedule(call: Call) -> Any:
    world = call.world
    with world.lock:
        schedule = _schedule(call)
        if schedule.status != "ACTIVE":
            raise ApiError(400, f"This scheduled payment is already {schedule.status.lower()}.")
        schedule.status, schedule.updated = "CANCELLED", world.clock.utcnow()
    return wire.ok()
