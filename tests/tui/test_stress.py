"""Random keys while bunq misbehaves: the app keeps drawing and answering keys, never crashes.

The emulator's control API injects 429s, 500s, dropped answers, bad signatures and expired
sessions, then the emulator goes away. After every burst the app must still process a key
(``?`` opens help, Esc closes it) — a frozen event loop or a stuck modal fails the test.
"""

from __future__ import annotations

import faulthandler
import random
import sys

import httpx
import pytest
from demo_home import DemoHome
from test_profiles_errors import quick_retries
from tui_helpers import accounts_loaded, until

from bunqtui.tui.app import BunqApp
from bunqtui.tui.screens.help import HelpScreen

KEYS = [
    "j", "k", "g", "G", "enter", "escape", "r", "slash", "c", "o", "f", "ctrl+c", "tab",
    "question_mark", "e", "x", "p", "n", "space", "d", "a",
]  # fmt: skip
FAULTS = [
    {"http_429": 3},
    {"http_500": 2},
    {"drop": 2},
    {"bad_signature": 1},
    {"expire_sessions": True},
    {"http_491": 1},
]
ROUNDS = 24


async def _responsive(pilot, app: BunqApp) -> None:  # type: ignore[no-untyped-def]
    """Close whatever is open, then prove a key still reaches the app."""
    for _ in range(12):
        if len(app.screen_stack) <= 1:
            break
        await pilot.press("escape")
        await pilot.pause(0.02)
    await pilot.press("question_mark")
    await until(pilot, lambda: isinstance(app.screen, HelpScreen), timeout=10)
    await pilot.press("escape")
    await until(pilot, lambda: not isinstance(app.screen, HelpScreen), timeout=10)


@pytest.mark.parametrize("seed", [1, 2])
async def test_random_keys_under_faults_then_offline(
    seed: int, private_demo_home: DemoHome, monkeypatch: pytest.MonkeyPatch
) -> None:
    quick_retries(monkeypatch)
    faulthandler.dump_traceback_later(50, exit=True, file=sys.stderr)  # a freeze says where
    rng = random.Random(seed)
    home = private_demo_home
    control = f"{home.server.root_url}/_emulator/faults"
    app = BunqApp(home.workspace, demo=home.demo)
    try:
        async with app.run_test(size=(80, 24)) as pilot, httpx.AsyncClient() as http:
            await accounts_loaded(pilot, app)
            for round_ in range(ROUNDS):
                if round_ == ROUNDS - 6:
                    home.server.stop()  # bunq goes away
                elif round_ < ROUNDS - 6:
                    fault = rng.choice(FAULTS)
                    (await http.post(control, json=fault)).raise_for_status()
                for key in rng.choices(KEYS, k=8):
                    await pilot.press(key)
                await pilot.pause(0.05)
                await _responsive(pilot, app)
            assert app.is_running and app.return_code is None
    finally:
        faulthandler.cancel_dump_traceback_later()
