"""PSD2 registration (docs/protocol.md#psd2, docs/protocol.md#psd2), OAuth clients and callback
URLs, /auth, the token exchange
and UserApiKey sessions (docs/protocol.md#oauth)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from emu_client import (
    BunqClient,
    client_key,
    control,
    new_user,
    public_pem,
    self_signed_certificate,
    sign,
)

REDIRECT = "https://app.example/callback"


def _register_psd2(client: BunqClient, common_name: str, *, tamper: bool = False):
    client.install()
    cert_key = client_key(5)
    cert_pem = self_signed_certificate(common_name, cert_key)
    message = (public_pem(client.key).rstrip("\n") + "\n" + client.installation_token).encode()
    if tamper:
        message += b"x"
    return client.post(
        "/payment-service-provider-credential",
        {
            "client_payment_service_provider_certificate": cert_pem,
            "client_payment_service_provider_certificate_chain": cert_pem,
            "client_public_key_signature": sign(cert_key, message),
        },
        token="installation",
    )


def _oauth_client(client: BunqClient) -> dict:
    base = f"/user/{client.user_id}/oauth-client"
    reply = client.post(base, {"status": "ACTIVE"})
    assert reply.status == 200, reply.body
    client_id = reply.only("Id")["id"]
    reply = client.post(f"{base}/{client_id}/callback-url", {"url": REDIRECT})
    assert reply.status == 200
    return client.get(f"{base}/{client_id}").only("OauthClient")


def _authorize_url(root: str, oauth: dict, redirect: str = REDIRECT, state: str = "st-1") -> str:
    query = urlencode(
        {
            "response_type": "code",
            "client_id": oauth["client_id"],
            "redirect_uri": redirect,
            "state": state,
        }
    )
    return f"{root}/auth?{query}"


def _approve(root: str, oauth: dict, api_key: str, authorize_url: str | None = None) -> dict:
    """The user with `api_key` approves (control API); the query of the redirect it gets."""
    url = control(
        root,
        "POST",
        "oauth/approve",
        {"authorize_url": authorize_url or _authorize_url(root, oauth), "api_key": api_key},
    )["redirect_url"]
    return parse_qs(urlsplit(url).query)


def _exchange(root: str, oauth: dict, code: str, *, path: str = "/v1/token", form=False, **over):
    params = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": oauth["client_id"],
        "client_secret": oauth["secret"],
        **over,
    }
    if form:
        return httpx.post(root + path, data=params)
    return httpx.post(root + path, params=params)


def test_psd2_credential_and_session(emulator, make_client) -> None:
    provider = make_client(key_slot=4)
    reply = _register_psd2(provider, "Test Provider PISP AISP")
    assert reply.status == 200, reply.body
    cred = reply.only("CredentialPasswordIp")
    assert cred["status"] == "PENDING_FIRST_USE"
    token_value = cred["token_value"]
    assert re.fullmatch(r"[0-9a-f]{64}", token_value)
    provider.register_device(token_value)
    session = provider.open_session(token_value)
    assert provider.user_kind == "UserPaymentServiceProvider"
    assert session.items[2]["UserPaymentServiceProvider"]["session_timeout"] > 0
    reply = provider.get(f"/payment-service-provider-credential/{cred['id']}")
    assert reply.only("CredentialPasswordIp")["status"] == "ACTIVE"


def test_psd2_credential_refusals(emulator, make_client) -> None:
    assert _register_psd2(make_client(key_slot=4), "No roles here").status == 400
    assert _register_psd2(make_client(key_slot=4), "Bad sig PISP", tamper=True).status == 400
    assert _register_psd2(make_client(key_slot=4), "Dup AISP").status == 200
    reply = _register_psd2(make_client(key_slot=4), "Dup AISP")
    assert reply.status == 400
    assert "common name" in reply.error
    client = make_client(key_slot=4)
    client.install()
    reply = client.post(
        "/payment-service-provider-credential",
        {
            "client_payment_service_provider_certificate": "not a cert",
            "client_payment_service_provider_certificate_chain": "x",
            "client_public_key_signature": "eA==",
        },
        token="installation",
    )
    assert reply.status == 400
    # the session token is not the token for PSD2 registration
    user = make_client(emulator.demo_api_key)
    assert user.post("/payment-service-provider-credential", {}).status == 401


def test_oauth_client_one_per_user_and_callback_urls(emulator, demo) -> None:
    oauth = _oauth_client(demo)
    assert re.fullmatch(r"[0-9a-f]{64}", oauth["client_id"])
    base = f"/user/{demo.user_id}/oauth-client"
    reply = demo.post(base, {})
    assert reply.status == 400
    assert reply.error == "You can only have one OAuth client."
    listed = demo.get(base)
    assert [i["OauthClient"]["id"] for i in listed.items] == [oauth["id"]]
    callbacks = f"{base}/{oauth['id']}/callback-url"
    (callback,) = [i["OauthCallbackUrl"] for i in demo.get(callbacks).items]
    assert callback["url"] == REDIRECT
    assert demo.get(f"{callbacks}/{callback['id']}").only("OauthCallbackUrl")["url"] == REDIRECT
    assert demo.put(f"{callbacks}/{callback['id']}", {"url": REDIRECT + "2"}).status == 200
    assert demo.get(f"{callbacks}/{callback['id']}").only("OauthCallbackUrl")["url"] == (
        REDIRECT + "2"
    )
    assert demo.post(callbacks, {"url": "not a url"}).status == 400
    assert demo.post(callbacks, {"url": 7}).status == 400
    assert demo.delete(f"{callbacks}/{callback['id']}").json() == {"Response": []}
    assert demo.get(callbacks).items == []
    assert demo.get(f"{callbacks}/{callback['id']}").status == 404
    assert demo.get(f"{base}/{oauth['id'] + 1000}").status == 404


def test_auth_page_and_decide_form(emulator, demo) -> None:
    oauth = _oauth_client(demo)
    url = _authorize_url(emulator.root_url, oauth)
    page = httpx.get(url)
    assert page.status_code == 200
    html = page.text
    assert demo.user["display_name"] in html  # who is asking
    assert "<svg" in html  # the QR code
    assert 'action="/auth/decide"' in html and 'method="post"' in html.lower()
    form = {"response_type": "code", "client_id": oauth["client_id"], "redirect_uri": REDIRECT}
    form |= {"state": "st-1", "user_id": str(emulator.demo_user_id), "decision": "approve"}
    reply = httpx.post(f"{emulator.root_url}/auth/decide", data=form)
    assert reply.status_code == 302
    target = urlsplit(reply.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == REDIRECT
    query = parse_qs(target.query)
    assert query["state"] == ["st-1"] and re.fullmatch(r"[0-9a-f]{64}", query["code"][0])
    denied = httpx.post(f"{emulator.root_url}/auth/decide", data=form | {"decision": "deny"})
    assert parse_qs(urlsplit(denied.headers["location"]).query) == {
        "error": ["access_denied"],
        "state": ["st-1"],
    }


def test_auth_refuses_unknown_client_or_redirect_without_redirecting(emulator, demo) -> None:
    oauth = _oauth_client(demo)
    for url in (
        _authorize_url(emulator.root_url, {"client_id": "0" * 64}),
        _authorize_url(emulator.root_url, oauth, redirect="https://evil.example/cb"),
    ):
        reply = httpx.get(url)
        assert reply.status_code == 400
        assert "location" not in reply.headers
        assert "Connection not found" in reply.text
    reply = httpx.post(
        f"{emulator.root_url}/_emulator/oauth/approve",
        json={
            "authorize_url": _authorize_url(emulator.root_url, oauth, "https://evil.example/"),
            "api_key": emulator.demo_api_key,
        },
    )
    assert reply.status_code == 400


def test_token_exchange_rules(emulator, demo) -> None:
    oauth = _oauth_client(demo)

    def code() -> str:
        return _approve(emulator.root_url, oauth, emulator.demo_api_key)["code"][0]

    first = code()
    reply = _exchange(emulator.root_url, oauth, first)
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/json"
    body = reply.json()
    assert body["token_type"] == "bearer" and body["state"] == "st-1"
    assert re.fullmatch(r"[0-9a-f]{64}", body["access_token"])
    assert _exchange(emulator.root_url, oauth, first).json()["error"] == "invalid_grant"
    assert _exchange(emulator.root_url, oauth, "f" * 64).json()["error"] == "invalid_grant"
    assert _exchange(emulator.root_url, oauth, code(), client_secret="0" * 64).json()["error"] == (
        "invalid_client"
    )
    wrong = _exchange(emulator.root_url, oauth, code(), grant_type="password")
    assert wrong.status_code == 400 and wrong.json()["error"] == "unsupported_grant_type"
    for path in ("/v1/token", "/token"):  # both hosts' paths, query or form parameters
        assert _exchange(emulator.root_url, oauth, code(), path=path, form=True).status_code == 200
        assert _exchange(emulator.root_url, oauth, code(), path=path).status_code == 200


def test_user_api_key_session_lists_exactly_the_granted_accounts(emulator, make_client) -> None:
    provider = make_client(key_slot=4)
    cred = _register_psd2(provider, "Grant PISP").only("CredentialPasswordIp")
    provider.register_device(cred["token_value"])
    provider.open_session(cred["token_value"])
    oauth = _oauth_client(provider)
    granting = new_user(emulator.root_url, accounts=3)
    code = _approve(emulator.root_url, oauth, granting["api_key"])["code"][0]
    access = _exchange(emulator.root_url, oauth, code).json()["access_token"]

    on_behalf = make_client(access, key_slot=6)
    assert on_behalf.user_kind == "UserApiKey"
    grant = on_behalf.user
    assert grant["requested_by_user"]["UserPaymentServiceProvider"]["id"] == provider.user_id
    assert grant["granted_by_user"]["UserPerson"]["id"] == granting["user_id"]
    owner = make_client(granting["api_key"], key_slot=7)
    expected = sorted(a["id"] for a in owner.accounts())
    assert sorted(a["id"] for a in on_behalf.accounts()) == expected
    assert on_behalf.get(f"/user/{granting['user_id']}/monetary-account").status == 404
    demo_account = make_client(emulator.demo_api_key).accounts()[0]["id"]
    assert on_behalf.get(f"/user/{on_behalf.user_id}/monetary-account/{demo_account}").status == (
        404
    )


def test_api_key_user_can_do_the_oauth_dance(emulator, demo, make_client) -> None:
    oauth = _oauth_client(demo)
    granting = new_user(emulator.root_url, accounts=1)
    code = _approve(emulator.root_url, oauth, granting["api_key"])["code"][0]
    access = _exchange(emulator.root_url, oauth, code).json()["access_token"]
    client = make_client(access, key_slot=6)
    assert client.user["requested_by_user"]["UserPerson"]["id"] == demo.user_id
    assert client.user["granted_by_user"]["UserPerson"]["id"] == granting["user_id"]
    assert len(client.accounts()) == 1


def test_exchange_without_state_echoes_null_and_is_counted(emulator, demo) -> None:
    oauth = _oauth_client(demo)
    query = urlencode(
        {"response_type": "code", "client_id": oauth["client_id"], "redirect_uri": REDIRECT}
    )
    params = _approve(
        emulator.root_url, oauth, emulator.demo_api_key, f"{emulator.root_url}/auth?{query}"
    )
    assert "state" not in params
    control(emulator.root_url, "DELETE", "stats")
    reply = _exchange(emulator.root_url, oauth, params["code"][0])
    assert reply.json()["state"] is None
    assert "x-bunq-server-signature" not in reply.headers  # the OAuth host does not sign
    assert control(emulator.root_url, "GET", "stats")["by_route"] == {"POST /v1/token": 1}
