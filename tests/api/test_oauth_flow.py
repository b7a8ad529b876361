"""OAuth and PSD2 end to end against the emulator: provider, consent, loopback, token — the
API calls and the token exchange through both drivers."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx
import pytest

from bunqtui.api import crypto
from bunqtui.api.client import BunqClient
from bunqtui.api.environment import Environment
from bunqtui.api.errors import OAuthError, StateMismatchError
from bunqtui.api.models import UserApiKey, UserPaymentServiceProvider
from bunqtui.api.oauth import AuthorizationRequest

if TYPE_CHECKING:
    from api_helpers import Control, Driver


async def test_psd2_provider_connects_a_user_through_the_loopback_listener(
    make_client: Callable[..., BunqClient],
    control: Control,
    environment: Environment,
    driver: Driver,
) -> None:
    cert, key = crypto.generate_sandbox_certificate("bunqtui-test")
    async with make_client() as psp:
        psd2 = await psp.create_psd2_context(cert, key)
        assert psd2.user_kind == "UserPaymentServiceProvider" and psd2.secret_kind == "psd2"
        assert isinstance(psp.session_user, UserPaymentServiceProvider)
        oauth = await psp.get_or_create_oauth_client()
        assert oauth.client_id and oauth.secret

        # the listener picks a free port; the redirect URI registered is the one it binds
        request = AuthorizationRequest(environment, oauth.client_id, "http://127.0.0.1:0/callback")
        async with request.listener(timeout=5) as listener:
            redirect_uri = listener.redirect_uri
            request.redirect_uri = redirect_uri
            await psp.ensure_callback_url(None, oauth.id, redirect_uri)

            end_user = await control.new_user("person", accounts=2, payments=3)
            redirect = await control.approve(request.url, end_user["api_key"])
            async with httpx.AsyncClient() as browser:
                page = await browser.get(redirect)
                assert page.status_code == 200
                code = await listener.wait()
                # the same answer again (a replay) is refused: the state was used
                replay = await browser.get(redirect)
                assert replay.status_code == 400
            with pytest.raises(StateMismatchError):
                request.accept(redirect)

        async with driver.http() as http:
            token = await driver.exchange_code(
                environment,
                code,
                redirect_uri,
                oauth.client_id,
                oauth.secret or "",
                http=http,
                expected_state=request.state,
            )
            with pytest.raises(OAuthError) as reused:
                await driver.exchange_code(
                    environment, code, redirect_uri, oauth.client_id, oauth.secret or "", http=http
                )
            assert reused.value.error == "invalid_grant"

        async with make_client(rate_limiter=psp.rate_limiter) as connected:
            ctx = await connected.create_context_on_installation(psd2, token.access_token)
            assert ctx.user_kind == "UserApiKey" and ctx.secret_kind == "oauth"
            assert ctx.granted_user_id == end_user["user_id"]
            assert ctx.installation_id == psd2.installation_id
            user = await connected.get_user()
            assert isinstance(user, UserApiKey) and user.id == ctx.user_id
            assert user.granted_by is not None and user.granted_by.id == end_user["user_id"]
            accounts = await connected.list_monetary_accounts()  # addressed by UserApiKey.id
            assert accounts and all(a.id for a in accounts)
            page = await connected.list_payments(None, accounts[0].id)
            assert page.items is not None


async def test_api_key_user_oauth_with_pasted_url(
    client: BunqClient, control: Control, environment: Environment, driver: Driver
) -> None:
    oauth = await client.get_or_create_oauth_client()
    redirect_uri = "http://127.0.0.1:8799/callback"
    await client.ensure_callback_url(None, oauth.id, redirect_uri)
    request = AuthorizationRequest(environment, oauth.client_id or "", redirect_uri)
    end_user = await control.new_user("person", accounts=1, payments=0)
    redirect = await control.approve(request.url, end_user["api_key"])
    code = request.accept(redirect)  # the paste fallback
    with pytest.raises(StateMismatchError):
        request.accept(redirect)  # and only once
    token = await driver.exchange_code(
        environment,
        code,
        redirect_uri,
        oauth.client_id or "",
        oauth.secret or "",
        expected_state=request.state,
    )
    assert token.access_token and token.state == request.state
