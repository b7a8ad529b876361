"""Helpers shared by the tests in api/ (importable by name: not fixtures)."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx

from bunqtui.api.client import BunqClient, http_client
from bunqtui.api.environment import Environment
from bunqtui.api.oauth import exchange_code, exchange_code_sync
from bunqtui.api.protocol import iteration, operation
from bunqtui.api.sync_client import SyncBunqClient, SyncTransport, sync_http_client
from bunqtui.api.transport import Transport

DRIVERS = ("async", "sync")


async def _aiter(iterator: Iterator[Any]) -> AsyncIterator[Any]:
    done = object()
    while (item := await asyncio.to_thread(next, iterator, done)) is not done:
        yield item


class SyncFacade:
    """A sync client or transport behind the async interface of its twin (see the module doc).

    Operations and ``close`` run in a worker thread; iterations are pulled one item at a time
    from a worker thread; an async ``on_context_change`` is run on the test's loop and waited
    for, as the async driver would await it. Anything else is the wrapped object's own.
    """

    def __init__(self, wrapped: Any) -> None:
        object.__setattr__(self, "_wrapped", wrapped)
        object.__setattr__(self, "_loop", asyncio.get_running_loop())
        if wrapped.__dict__.get("on_context_change") is not None:
            self.on_context_change = wrapped.on_context_change

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._wrapped, name)
        static = inspect.getattr_static(type(self._wrapped), name, None)
        if isinstance(static, iteration) or name == "_iterate":
            return lambda *a, **k: _aiter(value(*a, **k))
        if isinstance(static, operation) or name in ("_run", "close"):

            async def call(*args: Any, **kwargs: Any) -> Any:
                return await asyncio.to_thread(value, *args, **kwargs)

            return call
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "on_context_change" and inspect.iscoroutinefunction(value):
            callback, loop = value, self._loop

            def value(ctx: Any) -> None:  # runs in the worker thread
                asyncio.run_coroutine_threadsafe(callback(ctx), loop).result()

        setattr(self._wrapped, name, value)

    async def aclose(self) -> None:
        await asyncio.to_thread(self._wrapped.close)

    async def __aenter__(self) -> Any:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class Driver:
    """What a test needs of one driver: clients, transports, HTTP clients, the OAuth exchange."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sync = name == "sync"

    def __repr__(self) -> str:
        return f"Driver({self.name})"

    def client(self, environment: Environment, **kwargs: Any) -> BunqClient:
        if "http" in kwargs:
            kwargs["http"] = unwrap(kwargs["http"])
        if self.sync:
            return SyncFacade(SyncBunqClient(environment, **kwargs))  # type: ignore[return-value]
        return BunqClient(environment, **kwargs)

    def transport(self, http: Any, **kwargs: Any) -> Transport:
        if self.sync:
            return SyncFacade(SyncTransport(unwrap(http), **kwargs))  # type: ignore[return-value]
        return Transport(http, **kwargs)

    def sleep(self, record: Callable[[float], object]) -> Callable[[float], Any]:
        """A fake sleep of this driver's kind that only calls ``record(seconds)``."""
        if self.sync:
            return record

        async def sleep(seconds: float) -> None:
            record(seconds)

        return sleep

    def http(self, **kwargs: Any) -> Any:
        """A plain httpx client of this driver's kind (``async with``-able either way)."""
        return _Closing(httpx.Client(**kwargs)) if self.sync else httpx.AsyncClient(**kwargs)

    def mock(self, handler: Callable[[httpx.Request], httpx.Response]) -> Any:
        return self.http(transport=httpx.MockTransport(handler))

    def http_client(self, **kwargs: Any) -> Any:
        """bunqtui's guarded HTTP client of this driver's kind."""
        return _Closing(sync_http_client(**kwargs)) if self.sync else http_client(**kwargs)

    async def create_sandbox_user(self, environment: Environment, *args: Any, **kw: Any) -> str:
        if self.sync:
            return await asyncio.to_thread(
                SyncBunqClient.create_sandbox_user, environment, *args, **kw
            )
        return await BunqClient.create_sandbox_user(environment, *args, **kw)

    async def exchange_code(self, *args: Any, http: Any = None, **kwargs: Any) -> Any:
        if self.sync:
            return await asyncio.to_thread(exchange_code_sync, *args, http=unwrap(http), **kwargs)
        return await exchange_code(*args, http=http, **kwargs)


class _Closing:
    """An httpx.Client usable in ``async with`` (and passed on as itself where one is needed)."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def __getattr__(self, name: str) -> Any:
        value = getattr(self.client, name)
        if name in ("get", "post", "request", "send"):

            async def call(*args: Any, **kwargs: Any) -> Any:
                return await asyncio.to_thread(value, *args, **kwargs)

            return call
        return value

    async def __aenter__(self) -> _Closing:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.client.close()


def unwrap(http: Any) -> Any:
    """The httpx client itself, for a driver's ``http=``."""
    return http.client if isinstance(http, _Closing) else http


class Control:
    """The emulator's /_emulator control API."""

    def __init__(self, root_url: str) -> None:
        self.http = httpx.AsyncClient(base_url=root_url.rstrip("/") + "/_emulator", timeout=10)

    async def _json(self, method: str, path: str, body: Any = None) -> Any:
        response = await self.http.request(method, path, json=body)
        response.raise_for_status()
        return response.json() if response.content else None

    async def new_user(self, kind: str = "person", accounts: int = 1, payments: int = 0) -> dict:
        return await self._json(
            "POST", "/users", {"kind": kind, "accounts": accounts, "payments": payments}
        )

    async def approve(self, authorize_url: str, api_key: str) -> str:
        body = {"authorize_url": authorize_url, "api_key": api_key}
        return (await self._json("POST", "/oauth/approve", body))["redirect_url"]

    async def faults(self, **faults: Any) -> None:
        await self._json("POST", "/faults", faults)

    async def clear_faults(self) -> None:
        await self._json("DELETE", "/faults")

    async def stats(self) -> dict:
        return await self._json("GET", "/stats")

    async def reset_stats(self) -> None:
        await self._json("DELETE", "/stats")

    async def count(self) -> int:
        return int((await self.stats())["total"])
