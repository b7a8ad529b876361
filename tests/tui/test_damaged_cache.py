"""A cache damaged on disk: the TUI moves it aside, rebuilds it from bunq and says so."""

from __future__ import annotations

import sqlite3

from demo_home import DemoHome
from tui_helpers import until

from bunqtui.tui.app import BunqApp
from bunqtui.tui.screens.accounts import AccountsScreen


def _damage(path: object) -> None:
    db = sqlite3.connect(str(path))
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages, size = (db.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_count", "page_size"))
    db.close()
    with open(str(path), "r+b") as f:  # garbage over every page but the header page
        f.seek(size)
        f.write(bytes(range(256)) * (size * (pages - 1) // 256))


async def test_a_damaged_cache_is_rebuilt_with_a_notice(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, AccountsScreen) and app.screen.accounts)
    path = demo_home.workspace.cache_path("demo")
    assert path.exists()
    _damage(path)

    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await until(pilot, lambda: isinstance(app.screen, AccountsScreen) and app.screen.accounts)
        await until(pilot, lambda: any("damaged" in str(n.message) for n in app._notifications))
        assert app.is_running  # no crash: the accounts came from bunq into a new cache
    assert path.with_name(path.name + ".damaged").exists()
