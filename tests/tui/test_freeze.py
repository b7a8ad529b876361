"""Issue 11's freeze: with a worker stuck in each state a request can be stuck in, the UI still
answers keys, and ctrl+c then q ends the app at once — nothing on the exit path waits for work
that ignores cancellation.

The states: an answer that does not come (the emulator's latency fault), bunq's rate limit
(429s, the client backing off for seconds), and the payment cache's write lock held by another
process (a second bunqtui, a CLI sync). The deadline is a liveness bound, not a benchmark.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from demo_home import DemoHome
from textual.pilot import Pilot
from tui_helpers import accounts_loaded, settled, until

from bunqtui.tui.app import BunqApp
from bunqtui.tui.screens.help import HelpScreen

EXIT_DEADLINE = 10.0  # s: a liveness bound; a clean exit takes a few frames


def _bunq_workers(app: BunqApp) -> list[str]:
    return [w.name for w in app.workers if w.is_running and (w.group or "").startswith("bunq")]


async def _still_answers(pilot: Pilot, app: BunqApp) -> None:
    """Keys reach the app and it draws: help opens and closes."""
    await pilot.press("question_mark")
    await until(pilot, lambda: isinstance(app.screen, HelpScreen), timeout=EXIT_DEADLINE)
    await pilot.press("escape")
    await until(pilot, lambda: not isinstance(app.screen, HelpScreen), timeout=EXIT_DEADLINE)


@contextlib.asynccontextmanager
async def quit_promptly(app: BunqApp) -> AsyncIterator[Pilot]:
    """``run_test`` whose end is ctrl+c (a notice saying which key quits), then q: the app has
    ended — every screen closed, the sessions closed — within the deadline."""
    context = app.run_test(size=(100, 30))
    pilot = await context.__aenter__()
    try:
        yield pilot
        await pilot.press("ctrl+c")
        await pilot.press("q")
    except BaseException as exc:
        await context.__aexit__(type(exc), exc, exc.__traceback__)
        raise
    try:
        async with asyncio.timeout(EXIT_DEADLINE):
            await context.__aexit__(None, None, None)
    except TimeoutError:
        raise AssertionError(f"not ended {EXIT_DEADLINE} s after q: {_bunq_workers(app)}") from None
    assert app.return_code == 0


async def _stuck_refresh(pilot: Pilot, app: BunqApp, fault: dict[str, int], home: DemoHome) -> None:
    await accounts_loaded(pilot, app)
    await settled(pilot)
    httpx.post(f"{home.server.root_url}/_emulator/faults", json=fault).raise_for_status()
    await pilot.press("r")  # the accounts again: a worker now waits on bunq
    await until(pilot, lambda: _bunq_workers(app))


async def test_quit_while_an_answer_does_not_come(private_demo_home: DemoHome) -> None:
    app = BunqApp(private_demo_home.workspace, demo=private_demo_home.demo)
    async with quit_promptly(app) as pilot:
        await _stuck_refresh(pilot, app, {"latency_ms": 5_000}, private_demo_home)
        await _still_answers(pilot, app)
        assert _bunq_workers(app)  # still waiting for bunq's answer


async def test_quit_while_backing_off_from_bunqs_rate_limit(private_demo_home: DemoHome) -> None:
    app = BunqApp(private_demo_home.workspace, demo=private_demo_home.demo)
    stats = private_demo_home.server.emulator.stats
    async with quit_promptly(app) as pilot:
        await _stuck_refresh(pilot, app, {"http_429": 50}, private_demo_home)
        await until(pilot, lambda: stats.as_dict()["rate_limited"] or _429s(private_demo_home))
        await _still_answers(pilot, app)
        assert _bunq_workers(app)  # the client waits seconds before it tries again


def _429s(home: DemoHome) -> bool:
    return home.server.emulator.faults.as_dict().get("http_429", 0) < 50


@pytest.fixture
def cache_write_lock(private_demo_home: DemoHome) -> Iterator[sqlite3.Connection]:
    """Another process's write transaction on the profile's payment cache, held until the end."""
    other = sqlite3.connect(
        private_demo_home.workspace.cache_path("demo"), timeout=0, isolation_level=None
    )
    try:
        yield other
    finally:
        other.close()  # rolls the transaction back


async def test_the_ui_answers_while_another_process_holds_the_cache(
    private_demo_home: DemoHome, cache_write_lock: sqlite3.Connection
) -> None:
    app = BunqApp(private_demo_home.workspace, demo=private_demo_home.demo)
    async with quit_promptly(app) as pilot:
        await accounts_loaded(pilot, app)
        await settled(pilot)
        cache_write_lock.execute("BEGIN IMMEDIATE")
        await pilot.press("r")  # the accounts' answer goes to the cache: it must wait
        await _still_answers(pilot, app)
        # keys were answered while the write still waited: nothing gave up on the lock yet
        assert app.last_error is None, app.last_error
    assert app.last_error is None, app.last_error  # ended with the lock still held
