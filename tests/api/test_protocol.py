"""The sans-IO core, stepped by hand: no event loop, no httpx client, no sleeping. Then what
keeps the two drivers honest: the core and the sync path load no asyncio or anyio, and a
cancelled async call leaves no rate-limit slot held."""

from __future__ import annotations

import ast
import asyncio
import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bunqtui.api import crypto
from bunqtui.api.errors import NetworkError, ServerError
from bunqtui.api.protocol import Exchange, Failed, Reply, Send, Sleep
from bunqtui.api.ratelimit import Limit, RateLimiter
from bunqtui.api.transport import Transport

API = Path(__file__).resolve().parents[2] / "src" / "bunqtui" / "api"
SERVER_KEY = crypto.generate_key_pair()
URL = "https://bunq.test/v1/user/1"
OK = b'{"Response":[{"Id":{"id":7}}]}'


def ok(send: Send) -> Reply:
    headers = httpx.Headers(
        {
            "X-Bunq-Server-Signature": crypto.sign(SERVER_KEY, OK),
            "X-Bunq-Client-Request-Id": send.headers["X-Bunq-Client-Request-Id"],
        }
    )
    return Reply(200, headers, OK)


def bare(status: int) -> Reply:
    return Reply(status, httpx.Headers(), b"")


def test_an_exchange_is_a_flow_of_send_and_sleep() -> None:
    core = Exchange(backoff_base=3.0, retry_base=0.5)
    flow = core.exchange("POST", URL, payload={"a": 1}, server_key=SERVER_KEY.public_key())
    send = next(flow)
    assert isinstance(send, Send) and send.method == "POST" and json.loads(send.body) == {"a": 1}
    wait = flow.send(bare(429))
    assert isinstance(wait, Sleep) and 3.0 <= wait.seconds <= 4.5
    again = flow.send(None)
    # the same bytes and headers, but a request id of its own: bunq refuses one it has seen
    same = {**again.headers, "X-Bunq-Client-Request-Id": send.headers["X-Bunq-Client-Request-Id"]}
    assert (again.body, same) == (send.body, send.headers)
    assert again.headers["X-Bunq-Client-Request-Id"] != send.headers["X-Bunq-Client-Request-Id"]
    with pytest.raises(StopIteration) as done:
        flow.send(ok(again))
    assert done.value.value.id() == 7
    assert core.requests_sent == 2 and core.retries == 1


@pytest.mark.parametrize(
    ("method", "outcome", "retried"),
    [
        ("GET", bare(500), True),
        ("POST", bare(500), False),
        ("GET", bare(491), True),
        ("POST", bare(491), False),
        ("POST", bare(429), True),
        ("POST", bare(409), True),
        ("GET", Failed("ReadError", never_sent=False), True),
        ("POST", Failed("ReadError", never_sent=False), False),
        ("POST", Failed("ConnectError", never_sent=True), True),
        ("GET", bare(404), False),
    ],
)
def test_the_retry_table(method: str, outcome: Reply | Failed, retried: bool) -> None:
    core = Exchange(max_retries=3)
    assert (core.retry_wait(method, outcome, 0, method == "GET") is not None) is retried
    assert core.retry_wait(method, outcome, 3, method == "GET") is None  # bounded


def test_money_is_never_sent_twice_by_the_core() -> None:
    flow = Exchange().exchange("POST", URL, payload={"x": 1}, server_key=SERVER_KEY.public_key())
    next(flow)
    with pytest.raises(ServerError, match="outcome is unknown"):
        flow.send(bare(500))
    flow = Exchange().exchange("POST", URL, payload={"x": 1})
    next(flow)
    with pytest.raises(NetworkError, match="outcome is unknown"):
        flow.send(Failed("ReadError", never_sent=False))


def _module_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:  # module level only: a lazy import inside a function is the point
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize(
    "module", ["protocol", "operations", "ratelimit", "sync_client", "oauth", "envelope"]
)
def test_the_core_and_the_sync_path_import_no_event_loop(module: str) -> None:
    assert not _module_imports(API / f"{module}.py") & {"asyncio", "anyio", "uvicorn"}


def test_importing_the_sync_client_loads_neither_asyncio_nor_anyio() -> None:
    code = (
        "import sys\n"
        "from bunqtui.api.sync_client import SyncBunqClient\n"
        "from bunqtui.api.oauth import exchange_code_sync\n"
        "from bunqtui.api import models, context, environment, errors\n"
        "print(sorted(m for m in ('asyncio', 'anyio', 'uvicorn', 'textual') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


async def test_a_cancelled_call_releases_its_rate_limit_slot() -> None:
    """The driver closes the flow and leaves the limiter's ``async with`` however the call ends:
    a request cancelled mid-flight cannot hold its route forever."""
    started = asyncio.Event()

    async def hang(request: httpx.Request) -> httpx.Response:
        started.set()
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    limiter = RateLimiter({"GET": Limit(1, 0.01)})
    async with httpx.AsyncClient(transport=httpx.MockTransport(hang)) as http:
        transport = Transport(http, rate_limiter=limiter)
        task = asyncio.create_task(transport.send("GET", URL))
        await started.wait()
        assert limiter.delay("GET", URL) == float("inf")  # in flight
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    await asyncio.sleep(0.02)
    assert limiter.delay("GET", URL) == 0.0
