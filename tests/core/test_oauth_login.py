"""core.oauth_login.wait_for_login against the emulator: the loopback callback and a pasted
answer race, the first to connect the user wins and the other is cancelled; the listener is
bound before the URL is shown and closed afterwards; a wrong paste ends the wait or, with
``refused``, lets it go on; the state is used once."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from bunqtui.api.errors import StateMismatchError
from bunqtui.core import ConfigError, Workspace
from bunqtui.core.oauth_login import wait_for_login
from bunqtui.core.session import ConnectRequest


@pytest.fixture(autouse=True)
def _home(bunqtui_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BUNQTUI_RATE_LIMIT", "off")
    return bunqtui_home


def _free_redirect() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/callback"


def _listening(redirect_uri: str) -> bool:
    parts = urlsplit(redirect_uri)
    with socket.socket() as s:
        return s.connect_ex((parts.hostname or "", parts.port or 80)) == 0


async def _profile(emulator: Any, redirect_uri: str) -> Workspace:
    ws = Workspace.load()
    await ws.setup_profile(
        "me",
        "api-key",
        base_url=emulator.base_url,
        redirect_uri=redirect_uri,
        options={"api_key": emulator.demo_api_key, "register_oauth": True},
    )
    return ws


async def _approve(emulator: Any, request: ConnectRequest) -> str:
    """What the bunq app does when the user approves: bunq's redirect URL."""
    async with httpx.AsyncClient() as http:
        user = await http.post(
            f"{emulator.root_url}/_emulator/users", json={"accounts": 1, "payments": 1}
        )
        approved = await http.post(
            f"{emulator.root_url}/_emulator/oauth/approve",
            json={"authorize_url": request.authorize_url, "api_key": user.json()["api_key"]},
        )
    return str(approved.json()["redirect_url"])


class Pastes:
    """The front end's paste box: answers put in, and whether a wait for one was cancelled."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[str] = asyncio.Queue()
        self.cancelled = False

    async def next(self) -> str:
        try:
            return await self.queue.get()
        except asyncio.CancelledError:
            self.cancelled = True
            raise


async def test_the_loopback_callback_wins_and_the_paste_wait_is_cancelled(
    emulator: Any,
) -> None:
    redirect = _free_redirect()
    ws = await _profile(emulator, redirect)
    pastes = Pastes()
    async with ws.open("me") as session:
        request = await session.begin_connect()
        bound_when_shown: list[bool] = []
        problems: list[ConfigError | None] = []

        def ready(problem: ConfigError | None) -> None:
            problems.append(problem)
            bound_when_shown.append(_listening(redirect))

        waiting = asyncio.create_task(
            wait_for_login(session, request, timeout=10, pasted=pastes.next, ready=ready)
        )
        url = await _approve(emulator, request)
        await _until(lambda: problems)
        async with httpx.AsyncClient() as browser:  # the browser follows bunq's redirect
            assert (await browser.get(url)).status_code == 200
        identity = await waiting
        assert identity.kind == "connected" and identity.local_id == 1
        assert problems == [None] and bound_when_shown == [True]
        assert pastes.cancelled  # the loser is cancelled…
        assert not _listening(redirect)  # …and the port closed
        # the state was used: the same answer pasted now is refused
        with pytest.raises(ConfigError, match="unknown or finished"):
            await session.complete_connect(request, url)


async def test_a_paste_wins_and_the_listener_is_closed(emulator: Any) -> None:
    redirect = _free_redirect()
    ws = await _profile(emulator, redirect)
    async with ws.open("me") as session:
        request = await session.begin_connect()
        url = await _approve(emulator, request)  # the browser never gets there
        phases: list[str] = []

        async def pasted() -> str:
            assert _listening(redirect)  # both were racing
            return url

        identity = await wait_for_login(
            session, request, timeout=10, pasted=pasted, phase=phases.append
        )
        assert identity.local_id == 1 and "exchanging the code" in phases
        assert not _listening(redirect)
        assert [i.kind for i in await session.identities()] == ["self", "connected"]


def _forged_then(request: ConnectRequest, url: str) -> Callable[[], Awaitable[str]]:
    """Pastes bunq's answer with a forged state, then nothing more."""
    answers = [url.replace(f"state={request.state}", "state=forged")]

    async def pasted() -> str:
        if answers:
            return answers.pop()
        await asyncio.Event().wait()
        return ""

    return pasted


async def _until(condition: Callable[[], object]) -> None:
    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), 10)  # a guard against hanging, not a timing assertion


async def test_a_wrong_paste_ends_the_wait_unless_someone_hears_it(emulator: Any) -> None:
    redirect = _free_redirect()
    ws = await _profile(emulator, redirect)
    async with ws.open("me") as session:
        # the CLI: nobody to tell, so the command ends with bunq's refusal
        request = await session.begin_connect()
        url = await _approve(emulator, request)
        pasted = _forged_then(request, url)
        with pytest.raises(StateMismatchError):
            await wait_for_login(session, request, timeout=10, pasted=pasted)
        assert not _listening(redirect)

        # the TUI: the refusal is shown and the login goes on; the real redirect still works
        request = await session.begin_connect()
        url = await _approve(emulator, request)
        pasted = _forged_then(request, url)
        refused: list[Exception] = []
        waiting = asyncio.create_task(
            wait_for_login(session, request, timeout=10, pasted=pasted, refused=refused.append)
        )
        await _until(lambda: refused)
        assert isinstance(refused[0], StateMismatchError) and not waiting.done()
        async with httpx.AsyncClient() as browser:
            await browser.get(url)
        assert (await waiting).local_id == 1


async def test_without_a_listener_only_a_paste_can_finish(emulator: Any) -> None:
    # not a loopback redirect: no listener can be bound, which ready hears
    ws = await _profile(emulator, "https://example.com/callback")
    async with ws.open("me") as session:
        request = await session.begin_connect()
        url = await _approve(emulator, request)
        problems: list[ConfigError | None] = []

        async def closed() -> str:
            return ""  # stdin closed at once

        with pytest.raises(ConfigError, match="nothing was pasted"):
            await wait_for_login(session, request, timeout=10, pasted=closed, ready=problems.append)
        assert len(problems) == 1 and isinstance(problems[0], ConfigError)

        async def paste() -> str:
            return url

        identity = await wait_for_login(session, request, timeout=10, pasted=paste)
        assert identity.kind == "connected"


async def test_a_paste_while_the_redirect_connects_waits_for_it(emulator: Any) -> None:
    # the redirect's path has taken the state and is exchanging the code when the user also
    # pastes bunq's URL: the paste is answered "already connecting" and the login goes on
    redirect = _free_redirect()
    ws = await _profile(emulator, redirect)
    pastes = Pastes()
    async with ws.open("me") as session:
        request = await session.begin_connect()
        url = await _approve(emulator, request)
        problems: list[ConfigError | None] = []
        refused: list[Exception] = []

        def phase(text: str) -> None:
            if text == "exchanging the code":  # only the listener's path gets here
                pastes.queue.put_nowait(url)

        waiting = asyncio.create_task(
            wait_for_login(
                session,
                request,
                timeout=10,
                pasted=pastes.next,
                ready=problems.append,
                phase=phase,
                refused=refused.append,
            )
        )
        await _until(lambda: problems)
        async with httpx.AsyncClient() as browser:
            assert (await browser.get(url)).status_code == 200
        identity = await waiting
        assert identity.kind == "connected" and identity.local_id == 1
        assert len(refused) == 1 and isinstance(refused[0], ConfigError)
        assert "already connecting" in refused[0].message
        assert pastes.queue.empty() and pastes.cancelled  # the paste was read, then cancelled
        assert not _listening(redirect)
        assert [i.kind for i in await session.identities()] == ["self", "connected"]


@pytest.mark.parametrize(
    ("brings", "answered"), [("error=access_denied&", 400), ("code={code}&", 200)]
)
async def test_the_listener_failing_while_a_paste_connects_does_not_end_it(
    emulator: Any, brings: str, answered: int
) -> None:
    # a bare code pasted (it carries no state, so the listener still answers the browser)
    # takes the state; bunq's answers are slow, and meanwhile the browser brings bunq's error
    # (the listener's path fails) or bunq's redirect (its path must not use the state again)
    redirect = _free_redirect()
    ws = await _profile(emulator, redirect)
    async with ws.open("me") as session:
        request = await session.begin_connect()
        url = await _approve(emulator, request)
        code = parse_qs(urlsplit(url).query)["code"][0]
        events: list[str] = []
        browsing: list[asyncio.Task[None]] = []

        async def browser() -> None:
            query = brings.format(code=code) + f"state={request.state}"
            async with httpx.AsyncClient() as http:
                answer = await http.get(f"{redirect}?{query}")
            events.append(f"listener answered {answer.status_code}")

        def phase(text: str) -> None:
            if text == "exchanging the code" and not browsing:  # the paste's path
                browsing.append(asyncio.create_task(browser()))

        async def pasted() -> str:
            return code

        async with httpx.AsyncClient() as control:  # slow enough to be overtaken
            await control.delete(f"{emulator.root_url}/_emulator/stats")
            await control.post(f"{emulator.root_url}/_emulator/faults", json={"latency_ms": 500})
            identity = await wait_for_login(
                session, request, timeout=10, pasted=pasted, phase=phase
            )
            events.append("connected")
            await browsing[0]
            stats = (await control.get(f"{emulator.root_url}/_emulator/stats")).json()
        assert events == [f"listener answered {answered}", "connected"]  # the browser first
        assert identity.kind == "connected" and identity.local_id == 1
        assert not _listening(redirect)
        exchanges = sum(n for route, n in stats["by_route"].items() if route.endswith("/token"))
        assert exchanges == 1  # the state was used once: the code exchanged once
        assert [i.kind for i in await session.identities()] == ["self", "connected"]


async def test_a_path_cancelled_by_someone_else_has_only_ended(emulator: Any) -> None:
    # the front end's paste wait is cancelled, but not the login: the redirect still connects
    redirect = _free_redirect()
    ws = await _profile(emulator, redirect)
    async with ws.open("me") as session:
        request = await session.begin_connect()
        url = await _approve(emulator, request)
        box: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        problems: list[ConfigError | None] = []

        async def pasted() -> str:
            return await box

        waiting = asyncio.create_task(
            wait_for_login(session, request, timeout=10, pasted=pasted, ready=problems.append)
        )
        await _until(lambda: problems)
        box.cancel()
        async with httpx.AsyncClient() as browser:
            assert (await browser.get(url)).status_code == 200
        identity = await waiting
        assert identity.kind == "connected" and not waiting.cancelled()

        # without a listener, a cancelled paste wait leaves nothing to wait for
        box = asyncio.get_running_loop().create_future()
        box.cancel()
        request = await session.begin_connect()
        with pytest.raises(ConfigError, match="stopped before a user was connected"):
            await wait_for_login(session, request, timeout=10, pasted=pasted, listen=False)


async def test_cancelling_the_wait_cancels_both_paths_and_closes_the_port(
    emulator: Any,
) -> None:
    # the TUI closing the login screen, the CLI's ctrl+c: before and during the exchange
    redirect = _free_redirect()
    ws = await _profile(emulator, redirect)
    async with ws.open("me") as session:
        request = await session.begin_connect()
        pastes = Pastes()
        problems: list[ConfigError | None] = []
        waiting = asyncio.create_task(
            wait_for_login(session, request, timeout=10, pasted=pastes.next, ready=problems.append)
        )
        await _until(lambda: problems)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert pastes.cancelled and not _listening(redirect)

        request = await session.begin_connect()
        url = await _approve(emulator, request)
        pastes = Pastes()
        problems = []

        def phase(text: str) -> None:
            if text == "exchanging the code":
                waiting.cancel()

        waiting = asyncio.create_task(
            wait_for_login(
                session,
                request,
                timeout=10,
                pasted=pastes.next,
                ready=problems.append,
                phase=phase,
            )
        )
        await _until(lambda: problems)
        async with httpx.AsyncClient() as browser:
            await browser.get(url)
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert pastes.cancelled and not _listening(redirect)
        assert [i.kind for i in await session.identities()] == ["self"]  # nobody half-stored
