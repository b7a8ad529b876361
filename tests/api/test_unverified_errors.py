"""bunq signs every 4xx except 429: against the real emulator, a 4xx whose signature is wrong
(the emulator's ``bad_signature`` fault) or missing (a tampering hop between the client and the
emulator drops the header) is an unverified answer, exactly like a 2xx, and its text is never
shown as bunq's. Through both drivers."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx
import pytest

from bunqtui.api.client import BunqClient
from bunqtui.api.errors import NotFoundError, SignatureError

if TYPE_CHECKING:
    from api_helpers import Control, Driver

MISSING = 987654321


class StripErrorSignatures(httpx.AsyncBaseTransport, httpx.BaseTransport):
    """A hop on the path that removes X-Bunq-Server-Signature from every 4xx (real sockets to
    the emulator underneath), for an AsyncClient or a Client."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.inner_sync = httpx.HTTPTransport()
        self.stripped = 0

    def _strip(self, response: httpx.Response) -> httpx.Response:
        if 400 <= response.status_code < 500:
            self.stripped += 1
            headers = [
                (k, v) for k, v in response.headers.raw if k.lower() != b"x-bunq-server-signature"
            ]
            return httpx.Response(response.status_code, headers=headers, stream=response.stream)
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return self._strip(await self.inner.handle_async_request(request))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._strip(self.inner_sync.handle_request(request))

    async def aclose(self) -> None:
        await self.inner.aclose()

    def close(self) -> None:
        self.inner_sync.close()


def _shown(error: Exception) -> str:
    return f"{error} {getattr(error, 'description', '')} {getattr(error, 'translated', '')}"


async def test_a_signed_4xx_from_the_emulator_is_bunqs_error_with_its_text(
    client: BunqClient,
) -> None:
    (account, *_) = await client.list_monetary_accounts()
    with pytest.raises(NotFoundError) as info:
        await client.get_payment(None, account.id, MISSING)
    assert "not found" in str(info.value).lower()  # the baseline the tests below differ from


async def test_a_badly_signed_4xx_is_unverified_and_its_text_is_not_shown(
    client: BunqClient, control: Control
) -> None:
    (account, *_) = await client.list_monetary_accounts()
    await control.faults(bad_signature=1)
    with pytest.raises(SignatureError) as info:
        await client.get_payment(None, account.id, MISSING)
    assert info.value.status == 404
    assert "not found" not in _shown(info.value).lower()
    assert "could not be verified" in str(info.value)


async def test_an_unsigned_4xx_is_unverified_and_its_text_is_not_shown(
    make_client: Callable[..., BunqClient], emulator: object, driver: Driver
) -> None:
    hop = StripErrorSignatures()
    async with driver.http(transport=hop) as http, make_client(http=http) as client:
        await client.create_context(emulator.demo_api_key)  # type: ignore[attr-defined]
        (account, *_) = await client.list_monetary_accounts()
        with pytest.raises(SignatureError) as info:
            await client.get_payment(None, account.id, MISSING)
    assert hop.stripped == 1 and info.value.status == 404
    assert "not found" not in _shown(info.value).lower()
    assert "no server signature" in str(info.value)
