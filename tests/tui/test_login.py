"""QR login: approval through the emulator (loopback callback), the paste fallback, refusals."""

from __future__ import annotations

import httpx
import pytest
from demo_home import DemoHome
from textual.widgets import Input, Static
from tui_helpers import open_login, until

from bunqtui.tui.app import BunqApp
from bunqtui.tui.screens import login as login_screen
from bunqtui.tui.screens.accounts import AccountsScreen
from bunqtui.tui.screens.dialogs import InputModal
from bunqtui.tui.widgets.qr import QR_STYLE, QRCode, qr_matrix, qr_text


def new_user_key(demo_home: DemoHome) -> str:
    made = httpx.post(
        f"{demo_home.demo.root_url}/_emulator/users",
        json={"kind": "person", "accounts": 1, "payments": 5},
    )
    return str(made.json()["api_key"])


def approve(demo_home: DemoHome, authorize_url: str, *, allow: bool = True) -> str:
    """What the bunq app does when the user scans the code: returns bunq's redirect URL."""
    answer = httpx.post(
        f"{demo_home.demo.root_url}/_emulator/oauth/approve",
        json={"authorize_url": authorize_url, "api_key": new_user_key(demo_home), "approve": allow},
    )
    answer.raise_for_status()
    return str(answer.json()["redirect_url"])


async def test_qr_login_through_the_loopback_callback(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, profile="demo-psd2")
    async with app.run_test(size=(100, 40)) as pilot:
        accounts = app.screen
        login = await open_login(pilot, app)
        request = login.request
        assert request is not None
        qr = login.query_one(QRCode)
        assert qr.display and qr.data == request.authorize_url
        assert request.authorize_url in str(login.query_one("#login-url", Static).content)
        await until(pilot, lambda: "left" in str(login.query_one("#login-status", Static).content))
        redirect = approve(demo_home, request.authorize_url)
        async with httpx.AsyncClient() as browser:  # the browser follows bunq's redirect
            page = await browser.get(redirect)
        assert page.status_code == 200
        await until(pilot, lambda: app.screen is accounts)
        # what happened after the redirect was said step by step, not "waiting … left"
        steps = ["redirect received", "exchanging the code", "opening a session", "connected"]
        assert login.phases == steps
        assert str(login.query_one("#login-status", Static).content) == " → ".join(steps)
        assert isinstance(accounts, AccountsScreen)
        await until(pilot, lambda: len(accounts.identities) == 2)
        assert accounts.identity is not None and accounts.identity.local_id == 2
        await until(pilot, lambda: accounts.accounts and accounts._loaded_for == "user:2")


async def test_qr_login_by_pasting_the_redirect(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, profile="demo-psd2")
    async with app.run_test(size=(100, 40)) as pilot:
        login = await open_login(pilot, app)
        assert login.request is not None
        redirect = approve(demo_home, login.request.authorize_url)  # the callback never arrives
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, InputModal))
        app.screen.query_one(Input).value = redirect
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountsScreen))
        accounts = app.screen
        assert isinstance(accounts, AccountsScreen)
        await until(pilot, lambda: len(accounts.identities) == 2)


async def test_a_forged_state_is_refused_and_the_login_goes_on(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, profile="demo-psd2")
    async with app.run_test(size=(100, 40)) as pilot:
        login = await open_login(pilot, app)
        assert login.request is not None
        redirect = approve(demo_home, login.request.authorize_url)
        forged = redirect.replace(f"state={login.request.state}", "state=forged")
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, InputModal))
        app.screen.query_one(Input).value = forged
        await pilot.press("enter")
        await until(pilot, lambda: app.last_error is not None)
        assert "state" in app.last_error.text.lower()  # type: ignore[union-attr]
        assert app.screen is login  # still waiting: the real callback may still come
        async with httpx.AsyncClient() as browser:
            await browser.get(redirect)
        await until(pilot, lambda: isinstance(app.screen, AccountsScreen))


async def test_a_denied_login_says_so(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, profile="demo-psd2")
    async with app.run_test(size=(100, 40)) as pilot:
        login = await open_login(pilot, app)
        assert login.request is not None
        redirect = approve(demo_home, login.request.authorize_url, allow=False)
        async with httpx.AsyncClient() as browser:
            await browser.get(redirect)
        status = login.query_one("#login-status", Static)
        await until(pilot, lambda: "did not complete" in str(status.content))
        assert app.last_error is not None and app.screen is login


async def test_demo_approve_key_connects_a_new_user(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, profile="demo", demo=demo_home.demo)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_login(pilot, app)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AccountsScreen))
        accounts = app.screen
        assert isinstance(accounts, AccountsScreen)
        await until(pilot, lambda: len(accounts.identities) == 2)
        assert [i.kind for i in accounts.identities] == ["self", "connected"]


async def test_a_small_terminal_gets_the_url_instead_of_the_code(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, profile="demo-psd2")
    async with app.run_test(size=(60, 20)) as pilot:
        login = await open_login(pilot, app)
        await pilot.pause(0.1)
        assert not login.query_one(QRCode).display
        note = login.query_one("#login-too-small", Static)
        assert note.display and "too small" in str(note.content)
        assert login.request is not None
        assert login.request.authorize_url in str(login.query_one("#login-url", Static).content)


def test_qr_code_is_black_on_white_half_blocks() -> None:
    url = "https://oauth.sandbox.bunq.com/auth?response_type=code&client_id=x&state=y"
    text = qr_text(url)
    assert str(text.style) == QR_STYLE == "#000000 on #ffffff"  # fixed, whatever the theme
    lines = text.plain.split("\n")
    matrix = qr_matrix(url)
    assert len(lines) == (len(matrix) + 1) // 2 and len(lines[0]) == len(matrix[0])
    assert set("".join(lines)) <= {" ", "▀", "▄", "█"}
    assert lines[0].strip() == ""  # the quiet zone is part of the code
    # each character encodes two module rows exactly
    glyph = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}
    for r, line in enumerate(lines):
        lower = matrix[2 * r + 1] if 2 * r + 1 < len(matrix) else [False] * len(matrix[0])
        assert line == "".join(glyph[t, b] for t, b in zip(matrix[2 * r], lower, strict=True))


async def test_after_the_listener_gave_up_a_pasted_answer_still_connects(
    demo_home: DemoHome, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(login_screen, "LOGIN_TIMEOUT", 3.0)  # the listener gives up soon
    app = BunqApp(demo_home.workspace, profile="demo-psd2")
    async with app.run_test(size=(100, 40)) as pilot:
        login = await open_login(pilot, app)
        assert login.request is not None
        status = login.query_one("#login-status", Static)
        await until(pilot, lambda: "or p to paste" in str(status.content))
        # no redirect came, the state is unused: the user approves after all and pastes
        redirect = approve(demo_home, login.request.authorize_url)
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, InputModal))
        app.screen.query_one(Input).value = redirect
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountsScreen))
        accounts = app.screen
        assert isinstance(accounts, AccountsScreen)
        await until(pilot, lambda: len(accounts.identities) == 2)
