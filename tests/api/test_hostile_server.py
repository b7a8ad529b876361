"""A hostile or broken server cannot make bunqtui loop or grow without bound.

Pagination must move strictly older (a self-loop, a page seen before, a repeated item, an empty
page that points further, a cursor that does not go down: each is a PaginationError after a
bounded number of requests), and a body over the cap is refused while it streams: the huge
bodies here are generated lazily (one 64 KiB chunk object yielded again and again, never held
whole), and tracemalloc measures that bunqtui's peak memory stays near the cap, not the body.
Every case runs through both drivers.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import socket
import threading
import tracemalloc
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

from bunqtui.api import crypto
from bunqtui.api.context import ApiContext
from bunqtui.api.environment import Environment
from bunqtui.api.errors import PaginationError, ProtocolError, ResponseTooLargeError
from bunqtui.api.models import MonetaryAccount
from bunqtui.api.ratelimit import RateLimiter
from bunqtui.api.transport import MAX_BODY_BYTES

if TYPE_CHECKING:
    from api_helpers import Driver

SERVER_KEY = crypto.generate_key_pair()
ENV = Environment.custom("https://bunq.test/v1")
PATH = "/user/1/monetary-account"
LIST = "/v1" + PATH  # as bunq's pagination URLs name it
CHUNK = bytes(64 * 1024)
MIB = 1024 * 1024


def ready_context() -> ApiContext:
    """A context with a live session, so a listing is exactly its page requests."""
    return ApiContext.for_environment(
        ENV,
        secret_kind="api_key",
        secret="sandbox_" + "ab" * 28,
        private_key_pem=crypto.private_key_to_pem(crypto.generate_key_pair()),
        installation_id=1,
        installation_token="installation-token",
        server_public_key_pem=crypto.public_key_pem(SERVER_KEY),
        session_id=2,
        session_token="session-token",
        session_expiry=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
        user_id=1,
    )


def page(request: httpx.Request, ids: list[int], older_url: str | None) -> httpx.Response:
    items = [{"MonetaryAccountBank": {"id": i, "description": f"account {i}"}} for i in ids]
    body = json.dumps(
        {"Response": items, "Pagination": {"older_url": older_url, "newer_url": None}}
    ).encode()
    headers = {
        "X-Bunq-Server-Signature": crypto.sign(SERVER_KEY, body),
        "X-Bunq-Client-Request-Id": request.headers["X-Bunq-Client-Request-Id"],
    }
    return httpx.Response(200, content=body, headers=headers)


class Pages:
    """Serves the listing from a script: request n gets script[min(n, last)]."""

    def __init__(self, *script: tuple[list[int], str | None]) -> None:
        self.script = script
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        ids, older = self.script[min(len(self.requests) - 1, len(self.script) - 1)]
        return page(request, ids, older)


async def walk(driver: Driver, server: Pages) -> list[int]:
    seen: list[int] = []
    async with driver.mock(server) as http:
        client = driver.client(ENV, context=ready_context(), http=http)
        flow = client._walk(PATH, MonetaryAccount.from_anchor, count=200, newer_id=None)
        async for account in client._iterate(flow):
            seen.append(account.id)
            assert len(seen) < 1000, "the walk did not stop"
    return seen


FIRST = f"{LIST}?count=200"


@pytest.mark.parametrize(
    ("script", "requests"),
    [
        pytest.param([([10, 9], FIRST)], 1, id="older_url is the page itself"),
        pytest.param([([10, 9], f"{LIST}?older_id=9&count=200"), ([8, 7], FIRST)], 2, id="A-B-A"),
        pytest.param(
            [([10, 9], f"{LIST}?count=200&older_id=9"), ([8], f"{LIST}?older_id=9&count=200")],
            2,
            id="back to a page seen (query in another order)",
        ),
        pytest.param(
            [([10, 9], f"{LIST}?count=200&older_id=9"), ([9, 8], f"{LIST}?count=200&older_id=8")],
            2,
            id="next page repeats an item",
        ),
        pytest.param(
            [
                ([10, 9], f"{LIST}?count=200&older_id=9"),
                ([12, 11], f"{LIST}?count=200&older_id=11"),
            ],
            2,
            id="next page is newer",
        ),
        pytest.param(
            [([10, 9], f"{LIST}?count=200&older_id=9"), ([], f"{LIST}?count=200&older_id=8")],
            2,
            id="empty page pointing further",
        ),
        pytest.param(
            [([10, 9], f"{LIST}?count=200&older_id=9"), ([8, 7], f"{LIST}?count=200&older_id=50")],
            2,
            id="cursor goes up",
        ),
    ],
)
async def test_pagination_that_does_not_move_strictly_older_is_a_protocol_error(
    script: list[tuple[list[int], str | None]], requests: int, driver: Driver
) -> None:
    server = Pages(*script)
    with pytest.raises(PaginationError) as info:
        await walk(driver, server)
    assert isinstance(info.value, ProtocolError)
    assert "stopped reading" in str(info.value)
    assert len(server.requests) == requests


async def test_a_server_that_always_sends_the_same_page_is_stopped_at_the_second(
    driver: Driver,
) -> None:
    # a new URL each time (older_id going down) but always the same items
    class Stuck(Pages):
        def __call__(self, request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            n = len(self.requests)
            return page(request, [10, 9], f"{LIST}?count=200&older_id={1000 - n}")

    server = Stuck()
    with pytest.raises(PaginationError):
        await walk(driver, server)
    assert len(server.requests) == 2


async def test_honest_pagination_still_reads_every_page(driver: Driver) -> None:
    server = Pages(
        ([10, 9], f"{LIST}?count=200&older_id=9"),
        ([8, 7], f"{LIST}?count=200&older_id=7"),
        ([3], None),
    )
    assert await walk(driver, server) == [10, 9, 8, 7, 3]


# --- the body cap ---------------------------------------------------------------------------


class Endless:
    """A lazily generated body: the same chunk object, again and again; counts what it yields."""

    def __init__(self, limit: int = 256 * MIB // len(CHUNK)) -> None:
        # "endless" up to 256 MiB: a client without the cap fails the test instead of eating
        # the machine's memory
        self.chunks = 0
        self.limit = limit

    def sync(self) -> Iterator[bytes]:  # the same body as a sync stream (httpx.Client)
        while self.chunks < self.limit:
            self.chunks += 1
            yield CHUNK

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.sync():
            yield chunk


def huge(
    driver: Driver, body: Endless, headers: dict[str, str] | None = None
) -> Callable[..., httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body.sync() if driver.sync else body, headers=headers)

    return answer


@contextlib.contextmanager
def peak_memory() -> Iterator[list[int]]:
    tracemalloc.start()
    result: list[int] = []
    try:
        yield result
    finally:
        result.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()


async def test_an_endless_body_is_refused_while_it_streams_with_little_memory(
    driver: Driver,
) -> None:
    body = Endless()
    async with driver.mock(huge(driver, body)) as http:
        transport = driver.transport(http, rate_limiter=RateLimiter.disabled(), max_body=MIB)
        with peak_memory() as peak, pytest.raises(ResponseTooLargeError, match="larger than 1 MB"):
            await transport.send("GET", "https://bunq.test/v1/user")
    assert body.chunks <= MIB // len(CHUNK) + 1  # it stopped reading right at the cap
    print(f"1 MiB cap, 256 MiB offered: peak {peak[0] / MIB:.2f} MiB")
    assert peak[0] < 4 * MIB, f"peak {peak[0] / MIB:.1f} MiB"


async def test_the_default_cap_is_32_mb_and_memory_stays_near_it(driver: Driver) -> None:
    body = Endless(limit=4 * MAX_BODY_BYTES // len(CHUNK))  # 128 MiB offered
    async with driver.mock(huge(driver, body)) as http:
        transport = driver.transport(http, rate_limiter=RateLimiter.disabled())
        with peak_memory() as peak, pytest.raises(ResponseTooLargeError, match="32 MB"):
            await transport.send("GET", "https://bunq.test/v1/user")
    assert MAX_BODY_BYTES == 32 * MIB
    assert body.chunks == MAX_BODY_BYTES // len(CHUNK) + 1
    print(f"32 MiB cap, 128 MiB offered: peak {peak[0] / MIB:.2f} MiB")
    assert peak[0] < 40 * MIB, f"peak {peak[0] / MIB:.1f} MiB"


async def test_a_declared_length_over_the_cap_is_refused_before_reading(driver: Driver) -> None:
    body = Endless()
    answer = huge(driver, body, {"Content-Length": str(10**12)})
    async with driver.mock(answer) as http:
        transport = driver.transport(http, rate_limiter=RateLimiter.disabled())
        with pytest.raises(ResponseTooLargeError):
            await transport.send("GET", "https://bunq.test/v1/user")
    assert body.chunks == 0


async def test_the_oauth_token_answer_is_capped_too(driver: Driver) -> None:
    body = Endless()
    async with driver.mock(huge(driver, body)) as http:
        with pytest.raises(ResponseTooLargeError):
            await driver.exchange_code(
                ENV, "code", "http://127.0.0.1:1/cb", "id", "secret", http=http
            )
    assert body.chunks == MAX_BODY_BYTES // len(CHUNK) + 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def endless_server() -> Iterator[tuple[str, list[int]]]:
    """A real HTTP server on 127.0.0.1 whose answer is a chunked body that never ends (it stops
    by itself after 256 MiB, or when the client goes away)."""
    sent = [0]

    async def forever(request: Request) -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            while sent[0] < 256 * MIB:
                sent[0] += len(CHUNK)
                yield CHUNK

        return StreamingResponse(chunks(), media_type="application/json")

    app = Starlette(routes=[Route("/v1/user", forever)])
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        threading.Event().wait(0.01)
    try:
        yield f"http://127.0.0.1:{port}", sent
    finally:
        server.should_exit = True
        thread.join(timeout=5)


async def test_an_endless_chunked_body_over_a_real_socket_is_cut_off(
    endless_server: tuple[str, list[int]], driver: Driver
) -> None:
    root, sent = endless_server
    async with driver.http_client(verify=False) as http:
        transport = driver.transport(
            http, rate_limiter=RateLimiter.disabled(), max_body=2 * MIB, origin=root
        )
        with peak_memory() as peak, pytest.raises(ResponseTooLargeError):
            await asyncio.wait_for(transport.send("GET", root + "/v1/user"), timeout=20)
    assert sent[0] > 2 * MIB  # the server really was sending more than the cap
    print(f"real socket, 2 MiB cap: peak {peak[0] / MIB:.2f} MiB, server sent {sent[0] / MIB} MiB")
    assert peak[0] < 8 * MIB, f"peak {peak[0] / MIB:.1f} MiB"
