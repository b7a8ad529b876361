"""docs/api-requests.md, checked: each operation's request count against /_emulator/stats,
through both drivers (the same flows must cost the same requests either way)."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from bunqtui.api import crypto
from bunqtui.api.client import SUGAR_DADDY, BunqClient
from bunqtui.api.context import ApiContext
from bunqtui.api.environment import Environment
from bunqtui.api.oauth import AuthorizationRequest

if TYPE_CHECKING:
    from api_helpers import Control, Driver

DOC = Path(__file__).resolve().parents[2] / "docs" / "api-requests.md"
CALLBACK = "http://127.0.0.1:8765/callback"


def documented() -> dict[str, tuple[int | None, int | None]]:
    text = DOC.read_text(encoding="utf-8")
    table = text.split("<!-- request-costs:begin -->")[1].split("<!-- request-costs:end -->")[0]
    rows: dict[str, tuple[int | None, int | None]] = {}
    for line in table.strip().splitlines()[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        name = re.sub(r"`", "", cells[0])
        rows[name] = tuple(None if c == "-" else int(c) for c in cells[1:3])  # type: ignore[assignment]
    return rows


DOCUMENTED = documented()


@dataclass
class Prep:
    api_key: str
    user_id: int
    account_id: int
    context: ApiContext
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Harness:
    control: Control
    make_client: Callable[..., BunqClient]
    environment: Environment
    driver: Driver

    async def prepare(self, *, payments: int = 0, top_up: bool = False) -> Prep:
        user = await self.control.new_user("person", accounts=1, payments=payments)
        async with self.make_client() as client:
            ctx = await client.create_context(user["api_key"])
            account = (await client.list_monetary_accounts())[0]
            if top_up:
                await client.request_sugar_daddy(None, account.id, Decimal("100"))
                for _ in range(60):
                    acc = await client.get_monetary_account(None, account.id)
                    if acc.balance and acc.balance.value >= 100:
                        break
                    await asyncio.sleep(0.05)
            return Prep(user["api_key"], ctx.user_id or 0, account.id, client.context or ctx)

    async def count(self, action: Callable[[], Awaitable[object]]) -> int:
        await self.control.reset_stats()
        await action()
        return await self.control.count()

    async def cold(self, prep: Prep, op: Callable[[BunqClient, Prep], Awaitable[object]]) -> int:
        async with self.make_client() as client:

            async def run() -> None:
                await client.create_context(prep.api_key)
                await op(client, prep)

            return await self.count(run)

    async def warm(self, prep: Prep, op: Callable[[BunqClient, Prep], Awaitable[object]]) -> int:
        restored = ApiContext.from_dict(prep.context.to_dict())
        async with self.make_client(context=restored) as client:
            return await self.count(lambda: op(client, prep))


@pytest.fixture
def harness(
    control: Control,
    make_client: Callable[..., BunqClient],
    environment: Environment,
    driver: Driver,
):
    return Harness(control, make_client, environment, driver)


async def _collect(iterator: Any) -> list[Any]:
    return [item async for item in iterator]


async def _oauth_ready(h: Harness) -> dict[str, Any]:
    """A PSD2 provider with an OAuth client and an approved, not yet exchanged, code."""
    cert, key = crypto.generate_sandbox_certificate("costs")
    async with h.make_client() as psp:
        psd2 = await psp.create_psd2_context(cert, key)
        oauth = await psp.get_or_create_oauth_client()
        await psp.ensure_callback_url(None, oauth.id, CALLBACK)
    end_user = await h.control.new_user("person", accounts=1, payments=0)
    request = AuthorizationRequest(h.environment, oauth.client_id or "", CALLBACK)
    redirect = await h.control.approve(request.url, end_user["api_key"])
    code = request.accept(redirect)
    return {"psd2": psd2, "oauth": oauth, "code": code, "request": request}


SIMPLE: dict[str, Callable[[BunqClient, Prep], Awaitable[object]]] = {
    "get_user": lambda c, p: c.get_user(),
    "list_monetary_accounts": lambda c, p: c.list_monetary_accounts(),
    "get_monetary_account": lambda c, p: c.get_monetary_account(None, p.account_id),
    "list_payments": lambda c, p: c.list_payments(None, p.account_id),
    "list_request_inquiries": lambda c, p: c.list_request_inquiries(None, p.account_id),
    "request_sugar_daddy": lambda c, p: c.request_sugar_daddy(None, p.account_id, Decimal(1)),
    "create_request_inquiry": lambda c, p: c.create_request_inquiry(
        None, p.account_id, Decimal("2.50"), SUGAR_DADDY, "costs"
    ),
    "get_or_create_oauth_client (new)": lambda c, p: c.get_or_create_oauth_client(),
}


@pytest.mark.slow
async def test_simple_operations_cost_what_the_doc_says(harness: Harness) -> None:
    shared = await harness.prepare()
    measured, expected = {}, {}
    for name, op in sorted(SIMPLE.items()):
        # only creating the OAuth client changes what the next run costs: own users for it
        cold_prep = await harness.prepare() if name.endswith("(new)") else shared
        warm_prep = await harness.prepare() if name.endswith("(new)") else shared
        measured[name] = (await harness.cold(cold_prep, op), await harness.warm(warm_prep, op))
        expected[name] = DOCUMENTED[name]
    assert measured == expected


@pytest.mark.slow
async def test_payment_operations(harness: Harness) -> None:
    prep = await harness.prepare(top_up=True)

    async def pay(c: BunqClient, p: Prep) -> None:
        p.extra["payment"] = await c.create_payment(
            None, p.account_id, Decimal("1.00"), SUGAR_DADDY, "costs"
        )

    assert (await harness.cold(prep, pay), await harness.warm(prep, pay)) == DOCUMENTED[
        "create_payment"
    ]

    async def get(c: BunqClient, p: Prep) -> None:
        await c.get_payment(None, p.account_id, p.extra["payment"])

    assert (await harness.cold(prep, get), await harness.warm(prep, get)) == DOCUMENTED[
        "get_payment"
    ]


@pytest.mark.slow
async def test_iter_payments_costs(harness: Harness) -> None:
    prep = await harness.prepare(payments=450)

    async def walk(c: BunqClient, p: Prep) -> None:
        p.extra["all"] = await _collect(c.iter_payments(None, p.account_id))

    measured = (await harness.cold(prep, walk), await harness.warm(prep, walk))
    assert 401 <= len(prep.extra["all"]) <= 600, "the emulator seeded an unexpected number"
    assert measured == DOCUMENTED["iter_payments (450 payments)"]

    second_newest = prep.extra["all"][1].id

    async def new_only(c: BunqClient, p: Prep) -> None:
        p.extra["new"] = await _collect(c.iter_payments(None, p.account_id, newer_id=second_newest))

    assert await harness.warm(prep, new_only) == DOCUMENTED["iter_payments (newer_id, 1 new)"][1]
    assert [x.id for x in prep.extra["new"]] == [prep.extra["all"][0].id]


@pytest.mark.slow
async def test_context_and_session_costs(harness: Harness) -> None:
    prep = await harness.prepare()
    assert (
        await harness.cold(prep, lambda c, p: asyncio.sleep(0)) == DOCUMENTED["create_context"][0]
    )
    assert (
        await harness.warm(prep, lambda c, p: c.ensure_session()) == DOCUMENTED["ensure_session"][1]
    )
    expired = replace(
        prep, context=replace(prep.context, session_expiry=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    )
    assert (
        await harness.warm(expired, lambda c, p: c.ensure_session())
        == DOCUMENTED["ensure_session (session expired)"][1]
    )
    assert (
        await harness.warm(prep, lambda c, p: c.delete_session()) == DOCUMENTED["delete_session"][1]
    )

    fresh = await harness.prepare()

    async def stale(c: BunqClient, p: Prep) -> None:
        await harness.control.faults(expire_sessions=True)
        await harness.control.reset_stats()  # count only what the call itself costs
        await c.get_user()

    restored = ApiContext.from_dict(fresh.context.to_dict())
    async with harness.make_client(context=restored) as client:
        await stale(client, fresh)
        assert await harness.control.count() == DOCUMENTED["stale session (401/403) on any call"][1]

    count = await harness.count(lambda: harness.driver.create_sandbox_user(harness.environment))
    assert (count, count) == DOCUMENTED["create_sandbox_user"]


@pytest.mark.slow
async def test_oauth_client_and_callback_costs(harness: Harness) -> None:
    prep = await harness.prepare()
    async with harness.make_client(context=prep.context) as client:
        oauth = await client.get_or_create_oauth_client()
    assert (
        await harness.warm(prep, lambda c, p: c.get_or_create_oauth_client())
        == DOCUMENTED["get_or_create_oauth_client (exists)"][1]
    )
    add = lambda c, p: c.ensure_callback_url(None, oauth.id, CALLBACK)  # noqa: E731
    assert await harness.warm(prep, add) == DOCUMENTED["ensure_callback_url (new)"][1]
    assert await harness.warm(prep, add) == DOCUMENTED["ensure_callback_url (exists)"][1]


@pytest.mark.slow
async def test_psd2_and_oauth_costs(harness: Harness) -> None:
    cert, key = crypto.generate_sandbox_certificate("costs")
    async with harness.make_client() as psp:
        n = await harness.count(lambda: psp.create_psd2_context(cert, key))
        assert n == DOCUMENTED["create_psd2_context"][0]
        psd2 = psp.context
        assert psd2 is not None
        cert2, key2 = crypto.generate_sandbox_certificate("costs")
        n = await harness.count(lambda: psp.register_psd2_credential(cert2, None, key2))
        assert n == DOCUMENTED["register_psd2_credential"][1]

    ready = await _oauth_ready(harness)
    oauth = ready["oauth"]
    tokens: list[Any] = []

    async def exchange() -> None:
        async with harness.driver.http() as http:
            tokens.append(
                await harness.driver.exchange_code(
                    harness.environment,
                    ready["code"],
                    CALLBACK,
                    oauth.client_id,
                    oauth.secret,
                    http=http,
                    expected_state=ready["request"].state,
                )
            )

    assert await harness.count(exchange) == DOCUMENTED["exchange_code"][0]
    async with harness.make_client() as user_client:
        n = await harness.count(
            lambda: user_client.create_context_on_installation(
                ready["psd2"], tokens[0].access_token
            )
        )
    assert n == DOCUMENTED["create_context_on_installation"][1]


def test_every_documented_row_is_measured() -> None:
    measured_elsewhere = {
        "create_payment",
        "get_payment",
        "iter_payments (450 payments)",
        "iter_payments (newer_id, 1 new)",
        "create_context",
        "ensure_session",
        "ensure_session (session expired)",
        "delete_session",
        "stale session (401/403) on any call",
        "create_sandbox_user",
        "get_or_create_oauth_client (exists)",
        "ensure_callback_url (new)",
        "ensure_callback_url (exists)",
        "create_psd2_context",
        "register_psd2_credential",
        "exchange_code",
        "create_context_on_installation",
    }
    assert set(DOCUMENTED) == set(SIMPLE) | measured_elsewhere
