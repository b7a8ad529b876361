"""The money operations (bunqtui.api.money) through both drivers against the emulator: each
works, and each one that creates or answers is never resent after a 5xx or a lost answer."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from typing import Any

import pytest
from api_helpers import Control

from bunqtui.api.client import SUGAR_DADDY, BunqClient
from bunqtui.api.errors import ConnectionLostError, NetworkError, ServerError
from bunqtui.api.models import Amount, Pointer

OUTSIDE = Pointer("IBAN", "NL91ABNA0417164300", "Albert")


async def _user(make_client: Callable[..., BunqClient], control: Control) -> tuple[BunqClient, int]:
    """A new user with €500 from Sugar Daddy on their first account."""
    made = await control.new_user(accounts=2)
    client = make_client()
    await client.create_context(made["api_key"])
    account = (await client.list_monetary_accounts())[0].id
    await client.request_sugar_daddy(None, account, Decimal("500"))
    return client, account


@pytest.fixture
async def payer(
    make_client: Callable[..., BunqClient], control: Control
) -> AsyncIterator[tuple[BunqClient, int]]:
    client, account = await _user(make_client, control)
    async with client:
        yield client, account


async def _iban(client: BunqClient, account: int) -> str:
    (found,) = [a for a in await client.list_monetary_accounts() if a.id == account]
    assert found.iban
    return found.iban


async def test_request_inquiry_get_and_revoke(payer: tuple[BunqClient, int]) -> None:
    client, account = payer
    request_id = await client.create_request_inquiry(None, account, Decimal("4.20"), OUTSIDE, "x")
    got = await client.get_request_inquiry(None, account, request_id)
    assert got.id == request_id and got.status == "PENDING"
    revoked = await client.revoke_request_inquiry(None, account, request_id)
    assert revoked.status == "REVOKED"


async def test_request_responses_accept_pays_and_reject_does_not(
    make_client: Callable[..., BunqClient], control: Control
) -> None:
    them, their_account = await _user(make_client, control)
    me, my_account = await _user(make_client, control)
    async with them, me:
        my_iban = await _iban(me, my_account)
        for text in ("lunch", "cinema"):
            await them.create_request_inquiry(
                None, their_account, Decimal("3.00"), Pointer("IBAN", my_iban, "Me"), text
            )
        page = await me.list_request_responses(None, my_account)
        by_text = {r.description: r for r in page.items}
        assert by_text["lunch"].status == "PENDING"
        assert by_text["lunch"].amount_inquired == Amount(Decimal("3.00"), "EUR")
        before = len((await me.list_payments(None, my_account)).items)
        rejected = await me.answer_request_response(
            None, my_account, by_text["cinema"].id, accept=False
        )
        assert rejected.status == "REJECTED"
        assert len((await me.list_payments(None, my_account)).items) == before
        accepted = await me.answer_request_response(
            None,
            my_account,
            by_text["lunch"].id,
            accept=True,
            amount=by_text["lunch"].amount_inquired,
        )
        assert accepted.status == "ACCEPTED"
        newest = (await me.list_payments(None, my_account)).items[0]
        assert newest.amount.value == Decimal("-3.00")
        pending = await me.list_request_responses(None, my_account, status="PENDING")
        assert pending.items == []


async def test_bunqme_tab_create_get_list_cancel(payer: tuple[BunqClient, int]) -> None:
    client, account = payer
    tab_id = await client.create_bunqme_tab(None, account, Decimal("15.00"), "pizza")
    tab = await client.get_bunqme_tab(None, account, tab_id)
    assert tab.share_url and tab.share_url.startswith("https://bunq.me/")
    assert tab.amount == Amount(Decimal("15.00"), "EUR") and tab.description == "pizza"
    assert [t.id for t in (await client.list_bunqme_tabs(None, account)).items] == [tab_id]
    await client.cancel_bunqme_tab(None, account, tab_id)
    assert (await client.get_bunqme_tab(None, account, tab_id)).status == "CANCELLED"


async def test_draft_payment_create_get_list(payer: tuple[BunqClient, int]) -> None:
    client, account = payer
    draft_id = await client.create_draft_payment(None, account, Decimal("9.99"), OUTSIDE, "d")
    draft = await client.get_draft_payment(None, account, draft_id)
    assert draft.status == "PENDING"
    (entry,) = draft.entries
    assert entry.amount == Amount(Decimal("9.99"), "EUR") and entry.description == "d"
    assert entry.counterparty_alias is not None
    assert entry.counterparty_alias.iban == OUTSIDE.value
    assert [d.id for d in (await client.list_draft_payments(None, account)).items] == [draft_id]


async def test_schedule_payment_create_list_cancel(payer: tuple[BunqClient, int]) -> None:
    client, account = payer
    start = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    schedule_id = await client.create_schedule_payment(
        None, account, Decimal("25.00"), OUTSIDE, "gym", start=start, unit="MONTHLY"
    )
    (item,) = (await client.list_schedule_payments(None, account)).items
    assert item.id == schedule_id and item.description == "gym"
    assert item.recurrence_unit == "MONTHLY" and item.recurrence_size == 1
    assert item.amount is not None and abs(item.amount.value) == Decimal("25.00")
    await client.cancel_schedule_payment(None, account, schedule_id)
    remaining = (await client.list_schedule_payments(None, account)).items
    assert all(s.id != schedule_id for s in remaining) or remaining[0].status == "CANCELLED"


async def test_a_bad_recurrence_unit_is_refused_before_sending(
    payer: tuple[BunqClient, int], control: Control
) -> None:
    client, account = payer
    await control.reset_stats()
    with pytest.raises(ValueError, match="recurrence unit"):
        await client.create_schedule_payment(
            None, account, Decimal("1"), OUTSIDE, "x", start=dt.datetime.now(dt.UTC), unit="DAYS"
        )
    assert await control.count() == 0


# --- never twice: one test per route that creates or answers -----------------------------------

Call = Callable[[BunqClient, int, dict[str, Any]], Awaitable[Any]]


async def _prepare_response(client: BunqClient, account: int, extra: dict[str, Any]) -> None:
    """An incoming request on ``account`` (from Sugar Daddy's side: another user)."""
    them = extra["them"]
    await them.create_request_inquiry(
        None, extra["their_account"], Decimal("2.00"), Pointer("IBAN", extra["iban"], "Me"), "r"
    )
    extra["response_id"] = (await client.list_request_responses(None, account)).items[0].id


ROUTES: dict[str, tuple[str, Call]] = {
    "payment": (
        "POST /v1/user/{id}/monetary-account/{id}/payment",
        lambda c, a, x: c.create_payment(None, a, Decimal("1.00"), OUTSIDE, "p"),
    ),
    "request-inquiry": (
        "POST /v1/user/{id}/monetary-account/{id}/request-inquiry",
        lambda c, a, x: c.create_request_inquiry(None, a, Decimal("1.00"), SUGAR_DADDY, "r"),
    ),
    "request-response accept": (
        "PUT /v1/user/{id}/monetary-account/{id}/request-response/{id}",
        lambda c, a, x: c.answer_request_response(None, a, x["response_id"], accept=True),
    ),
    "request-response reject": (
        "PUT /v1/user/{id}/monetary-account/{id}/request-response/{id}",
        lambda c, a, x: c.answer_request_response(None, a, x["response_id"], accept=False),
    ),
    "bunqme-tab": (
        "POST /v1/user/{id}/monetary-account/{id}/bunqme-tab",
        lambda c, a, x: c.create_bunqme_tab(None, a, Decimal("1.00"), "t"),
    ),
    "draft-payment": (
        "POST /v1/user/{id}/monetary-account/{id}/draft-payment",
        lambda c, a, x: c.create_draft_payment(None, a, Decimal("1.00"), OUTSIDE, "d"),
    ),
    "schedule-payment": (
        "POST /v1/user/{id}/monetary-account/{id}/schedule-payment",
        lambda c, a, x: c.create_schedule_payment(
            None, a, Decimal("1.00"), OUTSIDE, "s", start=dt.datetime.now(dt.UTC)
        ),
    ),
}


@pytest.mark.parametrize("fault", ["http_500", "drop"])
@pytest.mark.parametrize("route", list(ROUTES))
async def test_money_route_is_never_resent_after_a_lost_answer(
    make_client: Callable[..., BunqClient], control: Control, route: str, fault: str
) -> None:
    key, call = ROUTES[route]
    them, their_account = await _user(make_client, control)
    me, account = await _user(make_client, control)
    async with them, me:
        extra: dict[str, Any] = {"them": them, "their_account": their_account}
        extra["iban"] = await _iban(me, account)
        if route.startswith("request-response"):
            await _prepare_response(me, account, extra)
        await control.reset_stats()
        await control.faults(**{fault: 1})
        # typed: a connection broken after sending is told apart from one never made
        error = ServerError if fault == "http_500" else ConnectionLostError
        with pytest.raises(error, match="outcome is unknown"):
            await call(me, account, extra)
        stats = await control.stats()
        assert stats["by_route"] == {key: 1}, stats["by_route"]
        assert me.transport.retries == 0


async def test_a_429_before_booking_is_waited_out_and_booked_once(
    payer: tuple[BunqClient, int], control: Control
) -> None:
    client, account = payer
    before = len((await client.list_payments(None, account)).items)
    await control.reset_stats()
    await control.faults(http_429=1)
    payment_id = await client.create_payment(None, account, Decimal("1.00"), OUTSIDE, "once")
    stats = await control.stats()
    assert stats["by_route"] == {"POST /v1/user/{id}/monetary-account/{id}/payment": 2}
    after = (await client.list_payments(None, account)).items
    assert len(after) == before + 1 and after[0].id == payment_id


async def test_payment_batches_list_newest_first_with_their_ids_and_newer_than_a_floor(
    payer: tuple[BunqClient, int],
) -> None:
    client, account = payer
    assert (await client.list_payment_batches(None, account, count=1)).items == []
    one = Amount(Decimal("1.00"), "EUR")
    first = await client.create_payment_batch(None, account, [(one, OUTSIDE, "a")])
    second = await client.create_payment_batch(
        None, account, [(one, OUTSIDE, "b"), (one, OUTSIDE, "c")]
    )
    newest = (await client.list_payment_batches(None, account, count=1)).items
    assert [b.id for b in newest] == [second]
    assert sorted(p.description or "" for p in newest[0].payments) == ["b", "c"]
    after = await client.list_payment_batches(None, account, newer_id=first)
    assert [b.id for b in after.items] == [second] and after.newer_url is None
    assert (await client.list_payment_batches(None, account, newer_id=second)).items == []


@pytest.mark.parametrize(
    ("method", "never_sent", "lost"),
    [("POST", False, True), ("POST", True, False), ("GET", False, False)],
)
def test_only_a_connection_broken_after_a_money_request_left_is_typed_lost(
    method: str, never_sent: bool, lost: bool
) -> None:
    from bunqtui.api.protocol import Failed, network_error

    error = network_error(method, "http://127.0.0.1:1/v1/x", Failed("Boom", never_sent), "id")
    assert isinstance(error, NetworkError)
    assert isinstance(error, ConnectionLostError) is lost
