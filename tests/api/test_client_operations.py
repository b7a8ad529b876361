"""Every client operation against the emulator over loopback HTTP, through both drivers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest

from bunqtui.api.client import BunqClient
from bunqtui.api.context import ApiContext
from bunqtui.api.environment import Environment
from bunqtui.api.errors import CredentialsError, NotFoundError
from bunqtui.api.models import MonetaryAccount, Payment, Pointer, UserCompany, UserPerson

if TYPE_CHECKING:
    from api_helpers import Control, Driver


async def _balance(client: BunqClient, user_id: int, account_id: int) -> Decimal:
    account = await client.get_monetary_account(user_id, account_id)
    assert account.balance is not None
    return account.balance.value


async def _wait_for_balance(client: BunqClient, uid: int, aid: int, at_least: Decimal) -> Decimal:
    for _ in range(60):  # Sugar Daddy answers asynchronously (docs/protocol.md#sandbox)
        value = await _balance(client, uid, aid)
        if value >= at_least:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError(f"balance stayed below {at_least}")


async def test_sandbox_user_context_user_and_accounts(
    make_client: Callable[..., BunqClient], environment: Environment, driver: Driver
) -> None:
    api_key = await driver.create_sandbox_user(environment)
    assert api_key.startswith("sandbox_") and len(api_key) == 64
    changes: list[ApiContext] = []
    async with make_client(on_context_change=changes.append) as client:
        ctx = await client.create_context(api_key, description="test device")
        assert ctx.user_kind == "UserPerson" and ctx.user_id
        assert ctx.session_token and ctx.installation_token and ctx.device_id
        assert ctx.session_valid()
        assert changes and changes[-1] is client.context
        user = await client.get_user()
        assert isinstance(user, UserPerson) and user.id == ctx.user_id
        assert user.session_timeout == 604800
        accounts = await client.list_monetary_accounts(ctx.user_id)
        assert len(accounts) == 1
        account = accounts[0]
        assert isinstance(account, MonetaryAccount) and account.kind == "MonetaryAccountBank"
        assert account.balance is not None and account.balance.value == Decimal("0.00")
        assert account.iban and account.iban.startswith("NL")
        same = await client.get_monetary_account(ctx.user_id, account.id)
        assert same.id == account.id and same.raw == account.raw
        with pytest.raises(NotFoundError):
            await client.get_monetary_account(ctx.user_id, 1)


async def test_company_sandbox_user(
    make_client: Callable[..., BunqClient], environment: Environment, driver: Driver
) -> None:
    api_key = await driver.create_sandbox_user(environment, "company")
    async with make_client() as client:
        ctx = await client.create_context(api_key)
        assert ctx.user_kind == "UserCompany"
        assert isinstance(await client.get_user(), UserCompany)


async def test_sugar_daddy_payment_and_request_inquiries(
    make_client: Callable[..., BunqClient], control: Control
) -> None:
    me = await control.new_user("person", accounts=1, payments=0)
    other = await control.new_user("person", accounts=1, payments=0)
    async with make_client() as client, make_client() as other_client:
        ctx = await client.create_context(me["api_key"])
        uid = ctx.user_id
        assert uid is not None
        (account,) = await client.list_monetary_accounts(uid)
        rid = await client.request_sugar_daddy(uid, account.id, Decimal("500"), "top up")
        assert rid > 0
        assert await _wait_for_balance(client, uid, account.id, Decimal("500")) == Decimal("500")
        requests = await client.list_request_inquiries(uid, account.id)
        assert [r.id for r in requests.items] == [rid]
        assert requests.items[0].amount_inquired is not None
        assert requests.items[0].amount_inquired.value == Decimal("500.00")
        with pytest.raises(ValueError):
            await client.request_sugar_daddy(uid, account.id, Decimal("500.01"))

        octx = await other_client.create_context(other["api_key"])
        (their,) = await other_client.list_monetary_accounts(octx.user_id)
        assert their.iban
        counterparty = Pointer("IBAN", their.iban, their.display_name or "Other")
        pid = await client.create_payment(uid, account.id, Decimal("12.34"), counterparty, "rent")
        payment = await client.get_payment(uid, account.id, pid)
        assert isinstance(payment, Payment)
        assert payment.amount.value == Decimal("-12.34") and payment.description == "rent"
        assert payment.created is not None and payment.created.tzinfo is not None
        assert payment.balance_after is not None
        assert payment.balance_after.value == Decimal("487.66")
        page = await client.list_payments(uid, account.id)
        assert page.items[0].id == pid  # newest first
        assert await _balance(other_client, octx.user_id or 0, their.id) == Decimal("12.34")

        ask = await client.create_request_inquiry(
            uid, account.id, Decimal("1.50"), Pointer("EMAIL", "bravo@bunq.com", "Bravo"), "lunch"
        )
        listed = await client.list_request_inquiries(uid, account.id)
        assert ask in [r.id for r in listed.items]


async def test_pagination_walks_older_url_and_newer_id(
    make_client: Callable[..., BunqClient], control: Control
) -> None:
    me = await control.new_user("person", accounts=1, payments=450)
    async with make_client() as client:
        ctx = await client.create_context(me["api_key"])
        uid = ctx.user_id
        (account,) = await client.list_monetary_accounts(uid)
        first = await client.list_payments(uid, account.id, count=200)
        assert len(first.items) == 200 and first.has_older and first.older_id is not None
        ids = [p.id for p in first.items]
        assert ids == sorted(ids, reverse=True)
        second = await client.list_payments(uid, account.id, count=200, older_id=first.older_id)
        assert max(p.id for p in second.items) < min(ids)

        before = client.transport.requests_sent
        everything = [p async for p in client.iter_payments(uid, account.id)]
        assert client.transport.requests_sent - before == 3  # 200 + 200 + 50
        assert len(everything) >= 450 and len({p.id for p in everything}) == len(everything)
        newest = everything[0].id

        top = await client.request_sugar_daddy(uid, account.id, Decimal("10"))
        assert top
        await _wait_for_balance(client, uid, account.id, Decimal("10"))
        before = client.transport.requests_sent
        new = [p async for p in client.iter_payments(uid, account.id, newer_id=newest)]
        assert client.transport.requests_sent - before == 1
        assert len(new) == 1 and new[0].id > newest and new[0].amount.value == Decimal("10.00")
        newer = await client.list_payments(uid, account.id, newer_id=newest)
        assert [p.id for p in newer.items] == [new[0].id]
        with pytest.raises(ValueError):
            await client.list_payments(uid, account.id, count=201)


async def test_oauth_client_and_callback_url_are_not_duplicated(client: BunqClient) -> None:
    oauth = await client.get_or_create_oauth_client()
    assert oauth.client_id and oauth.secret and oauth.status == "ACTIVE"
    again = await client.get_or_create_oauth_client()
    assert again.id == oauth.id and again.client_id == oauth.client_id
    url = "http://127.0.0.1:8765/callback"
    first = await client.ensure_callback_url(None, oauth.id, url)
    second = await client.ensure_callback_url(None, oauth.id, url)
    assert first.id == second.id and second.url == url
    listed = await client.get_or_create_oauth_client()
    assert [c.url for c in listed.callback_urls].count(url) == 1


async def test_reused_context_needs_no_handshake(
    make_client: Callable[..., BunqClient], emulator: Any
) -> None:
    async with make_client() as first:
        ctx = await first.create_context(emulator.demo_api_key)
    stored = ApiContext.from_dict(ctx.to_dict())
    async with make_client(context=stored) as second:
        accounts = await second.list_monetary_accounts()
        assert accounts
        assert second.transport.requests_sent == 1
        assert second.context is stored or second.context == stored


async def test_delete_session_then_transparent_new_session(
    make_client: Callable[..., BunqClient], emulator: Any
) -> None:
    async with make_client() as client:
        ctx = await client.create_context(emulator.demo_api_key)
        old_token = ctx.session_token
        await client.delete_session()
        assert client.context is not None and client.context.session_token is None
        assert client.context.has_installation
        user = await client.get_user()  # opens a new session first
        assert user.id == ctx.user_id
        assert client.context.session_token not in (None, old_token)


async def test_wrong_api_key_is_a_clear_credentials_error(
    make_client: Callable[..., BunqClient],
) -> None:
    bad_key = "sandbox_" + "0" * 56
    async with make_client() as client:
        with pytest.raises(CredentialsError) as info:
            await client.create_context(bad_key)
    text = str(info.value)
    assert bad_key not in text and "sandbox_0000…0000" in text
    assert "IP" in text and "emulator" in text
