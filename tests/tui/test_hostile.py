"""Strangers' text through every TUI screen: it shows literally and never reaches the terminal raw.

One emulator for the module holds a hostile world: the demo user's name and three of its
account names are markup and escape sequences, and a company named ``hostile.HOSTILE_NAME``
pays the account once per corpus entry through the public API. The TUI then walks every screen
(accounts, payments, each payment's detail and raw JSON, the filter, the profile-wide search,
help, the command palette, profiles, a toast and dialogs with bunq's error text, the PSD2
profile's connected user, and a second launch that draws the cached list first).

What is checked is what goes to the terminal: the compositor's full update, both as segments
(no control character, no hyperlink or ``@click`` meta) and as the exact bytes Textual writes
(only its own colour and cursor sequences may carry ESC).
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from demo_home import prepare_demo_home
from rich.text import Text as RichText
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets._toast import Toast
from tui_helpers import accounts_loaded, open_account, settled, until

import hostile
from bunqtui.api.errors import BadRequestError
from bunqtui.cli.demo import DemoInfo, free_loopback_port
from bunqtui.core import Workspace
from bunqtui.emulator.config import EmulatorConfig
from bunqtui.emulator.server import EmulatorServer
from bunqtui.emulator.wire import ApiError
from bunqtui.tui.app import BunqApp
from bunqtui.tui.errors import describe
from bunqtui.tui.safe import json_text
from bunqtui.tui.screens.accounts import AccountsScreen, AccountsTable
from bunqtui.tui.screens.detail import PaymentDetailScreen
from bunqtui.tui.screens.dialogs import ConfirmModal, ErrorModal, InputModal
from bunqtui.tui.screens.help import HelpScreen
from bunqtui.tui.screens.profiles import ProfilesScreen
from bunqtui.tui.screens.search import SearchScreen
from bunqtui.untrusted import printable

SIZE = (150, 32)  # wide enough that the description column shows the corpus' first words
ACCOUNT_NAMES = {  # the demo's account names → hostile ones (a co-owner can name a joint one)
    "Bills": "[/x] Bills",
    "Holiday savings": "[link=https://evil.example]Save[/link]\x1b[2J\x1b[H",
    "Household (joint)": "[@click=app.quit]Joint[/] \u202egnp.exe\u202c\x07",
}
BILLS = ACCOUNT_NAMES["Bills"]
USER_LAST_NAME = "[/x] \x1b]0;pwned\x07\u202eVisser"  # the connected user's name
ERROR_TEXT = "[/x] refused \x1b[2J[link=https://evil.example]why[/link]\x9b1m"
# what must never reach the terminal: C0 (but LF, which ends a line), DEL, C1, bidi controls
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
TEXTUAL_OWN = re.compile(r"\x1b\[[0-9;]*[mH]")  # colours and cursor moves Textual writes itself


@dataclass
class HostileWorld:
    server: EmulatorServer
    template: Path
    demo: DemoInfo
    descriptions: list[str]


@pytest.fixture(scope="module")
def hostile_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileWorld]:
    config = EmulatorConfig(seed=1, rate_limit=False, sugar_daddy_delay=0.0)
    with EmulatorServer(config=config) as server:
        world = server.world
        with world.lock:
            world.users[server.demo_user_id].last_name = USER_LAST_NAME
            for account in world.user_accounts(server.demo_user_id):
                account.description = ACCOUNT_NAMES.get(account.description, account.description)
        bills = next(a for a in world.accounts.values() if a.description == BILLS)
        sent = hostile.send_hostile_payments(server.root_url, server.base_url, bills.iban)
        template = tmp_path_factory.mktemp("hostile-template") / "home"
        template.mkdir(mode=0o700)
        demo = prepare_demo_home(server, template)
        yield HostileWorld(server, template, demo, sent["descriptions"])


@pytest.fixture
def home(hostile_world: HostileWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the prepared hostile home, with a redirect port of its own."""
    hostile_world.server.emulator.faults.clear()
    home = tmp_path / "bunqtui-home"
    shutil.copytree(hostile_world.template, home)
    config = home / "config.toml"
    old = Workspace.load(home).profile("demo").redirect_uri
    new = f"http://127.0.0.1:{free_loopback_port()}/callback"
    config.write_text(config.read_text().replace(old, new))
    monkeypatch.setenv("BUNQTUI_HOME", str(home))
    return home


def on_screen(app: App[object], *expected: str) -> str:
    """The screen as the terminal gets it, checked; its text (one line per row) is returned.

    Fails if a segment carries a control character, a hyperlink or an ``@click`` action, if
    the bytes written hold any escape Textual did not make itself, or if an ``expected`` text
    is not shown.
    """
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    lines = []
    for chops in update.strips:  # type: ignore[union-attr]
        line = []
        for strip in chops:
            for segment in strip:
                assert not UNSAFE.search(segment.text), f"raw control in {segment.text!r}"
                style = segment.style
                if style is not None:
                    assert not style.link, f"hyperlink {style.link!r} on {segment.text!r}"
                    assert "@click" not in style.meta, f"action on {segment.text!r}"
                line.append(segment.text)
        lines.append("".join(line))
    written = update.render_segments(app.console)  # type: ignore[union-attr]
    leftover = TEXTUAL_OWN.sub("", written).replace("\n", "")
    assert not UNSAFE.search(leftover), f"raw control written: {UNSAFE.findall(leftover)!r}"
    text = "\n".join(lines)
    for wanted in expected:
        assert wanted in text, f"{wanted!r} is not on screen:\n{text}"
    return text


async def eventually_on_screen(pilot: Pilot, app: BunqApp, *wanted: str) -> str:
    """``on_screen``, waiting up to 5 s for a frame that shows it (a scroll or a worker may
    still be on its way); every frame looked at must pass the raw-control checks."""
    deadline = time.monotonic() + 5.0
    while True:
        try:
            return on_screen(app, *wanted)
        except AssertionError as missing:
            if "is not on screen" not in str(missing) or time.monotonic() > deadline:
                raise
            await pilot.pause(0.05)


def shown(text: str, width: int = 14) -> str:
    """The start of ``text`` as a one-line cell shows it (controls written out)."""
    return printable(text)[:width].strip()


async def laid_out(pilot: Pilot, screen: Screen[object], selector: str) -> Static:
    """The widget, once composed, shown and laid out (so the next frame draws it)."""

    def ready() -> bool:
        found = screen.query(selector)
        return bool(found) and found.first().display and found.first().size.height > 0

    await until(pilot, ready, step=0.01)
    return screen.query_one(selector, Static)


async def walk_accounts(pilot: Pilot, app: BunqApp) -> AccountsScreen:
    screen = await accounts_loaded(pilot, app)
    options = screen.query_one("#identities", OptionList)
    await until(pilot, lambda: "Visser" in str(options.get_option_at_index(0).prompt))
    await settled(pilot)
    await eventually_on_screen(
        pilot, app, BILLS, "[@click=app.quit]Joint[/]", "[link=https://evil.example]Save", "\\u202e"
    )
    return screen


async def test_the_corpus_through_every_screen(
    hostile_world: HostileWorld, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = BunqApp(Workspace.load(home), demo=hostile_world.demo)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        accounts = await walk_accounts(pilot, app)

        # payments: every hostile row is on screen at once, newest first
        payments = await open_account(pilot, app, BILLS)
        await until(pilot, lambda: len(payments.cached) >= len(hostile.HOSTILE))
        await settled(pilot)
        rows = [
            i
            for i in range(len(hostile.HOSTILE) + 5)
            if payments.cached.payment(i).description in hostile_world.descriptions
        ]
        assert len(rows) == len(hostile.HOSTILE)
        await eventually_on_screen(
            pilot,
            app,
            BILLS,
            "[/x] closing tag",
            "\\x1b[2J\\x1b[Hscreen cleared",
            "[link=https://evil.example]click[/link]",
            "[@click=app.quit]quit[/]",
            "invoice \\u202egnp.exe\\u202c",
            "line one line two and a tab",
            shown(hostile.HOSTILE_NAME),
        )

        # each payment's detail and raw JSON (Enter and r on the first; the same screen, pushed
        # directly, for the rest: keys cost a full idle wait each)
        for index in rows:
            payment = payments.cached.payment(index)
            if index == rows[0]:
                payments.table.move_cursor(index)
                await pilot.press("enter")
            else:
                app.push_screen(PaymentDetailScreen(payment, payments.account))
            await until(pilot, lambda: isinstance(app.screen, PaymentDetailScreen), step=0.01)
            detail = app.screen
            assert isinstance(detail, PaymentDetailScreen) and detail.payment.id == payment.id
            await laid_out(pilot, detail, "#detail-fields")
            first_line = (payment.description or "").split("\n")[0]
            await eventually_on_screen(
                pilot, app, printable(first_line, one_line=False)[:30].strip(), shown(BILLS)
            )
            if index == rows[0]:
                await pilot.press("r")
            else:
                detail.action_toggle_raw()
            raw = await laid_out(pilot, detail, "#detail-raw")
            code = raw.content.code  # type: ignore[union-attr]
            assert json.loads(code) == payment.raw  # JSON keeps the exact string
            line = code.split("\n").index(next(x for x in code.split("\n") if '"description"' in x))
            detail.query_one("#detail-body").scroll_to(y=max(0, line - 2), animate=False)
            # as JSON writes it, once the scrolled frame is drawn (a single pause raced it)
            await eventually_on_screen(pilot, app, json_text(payment.description)[1:30])
            app.pop_screen()
            await until(pilot, lambda: app.screen is payments, step=0.01)

        # the filter of the payments list
        await pilot.press("slash", *"closing")
        await until(pilot, lambda: len(payments.found) == 1)
        await pilot.pause()
        await eventually_on_screen(pilot, app, "[/x] closing tag", "match 'closing'")
        await pilot.press("escape", "escape")
        await until(pilot, lambda: app.screen is accounts)

        # the profile-wide search, and a match opened from it
        await pilot.press("slash")
        await until(pilot, lambda: isinstance(app.screen, SearchScreen))
        search = app.screen
        assert isinstance(search, SearchScreen)
        await pilot.press(*"link")
        await until(pilot, lambda: len(search.matches) >= 2)
        await pilot.pause()
        await eventually_on_screen(pilot, app, "[link=https://evil.example]click[/link]", BILLS)
        await pilot.press("enter", "enter")
        await until(pilot, lambda: isinstance(app.screen, PaymentDetailScreen))
        await eventually_on_screen(pilot, app, "https://evil.example", BILLS)
        await pilot.press("escape", "escape")
        await until(pilot, lambda: app.screen is accounts)

        # top up asks with the account's name; help; the command palette; profiles
        table = accounts.query_one(AccountsTable)
        table.move_cursor(
            row=next(i for i, a in enumerate(accounts.accounts) if a.description == BILLS)
        )
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, InputModal))
        await eventually_on_screen(pilot, app, f"Request money for {BILLS}")
        await pilot.press("escape")
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await eventually_on_screen(pilot, app, "Keys on this screen")
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        on_screen(app)
        await pilot.press("escape")
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        await eventually_on_screen(pilot, app, "demo-psd2")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is accounts)

        # bunq's own error text, as a toast (through the real client) and in a dialog
        route = next(
            r
            for r in hostile_world.server.emulator.router.routes
            if r.method == "GET" and r.template.endswith("/monetary-account")
        )

        async def refuse(call: object) -> object:
            raise ApiError(400, ERROR_TEXT)

        monkeypatch.setattr(route, "handler", refuse)
        await pilot.press("r")
        await until(pilot, lambda: app.screen.query(Toast))
        await settled(pilot)
        await pilot.pause(0.2)
        await eventually_on_screen(
            pilot, app, "[/x] refused", "\\x1b[2J[link=https://evil.example]why[/link]\\x9b1m"
        )
        monkeypatch.undo()
        app.push_screen(ErrorModal(describe(BadRequestError(ERROR_TEXT, status=400))))
        await until(pilot, lambda: isinstance(app.screen, ErrorModal))
        await pilot.pause()
        await eventually_on_screen(
            pilot, app, "[/x] refused", "\\x1b[2J[link=https://evil.example]why"
        )
        await pilot.press("escape")


async def test_the_cached_list_is_drawn_first(hostile_world: HostileWorld, home: Path) -> None:
    """A launch draws the cached hostile names before bunq answers (slowed here) the refresh.

    Today's code crashed here at every launch, before the user could do anything.
    """
    async with Workspace.load(home).open("demo") as session:  # what a first launch caches
        for identity in await session.identities():
            await session.accounts(identity)
    hostile_world.server.emulator.faults.set({"latency_ms": 1000})
    app = BunqApp(Workspace.load(home), demo=hostile_world.demo)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await accounts_loaded(pilot, app)
        await pilot.pause()
        assert screen._loaded_for is None  # still the cached list
        await eventually_on_screen(pilot, app, "· checking…", BILLS, "[@click=app.quit]Joint[/]")
    hostile_world.server.emulator.faults.clear()


async def test_a_connected_user_with_a_hostile_name(
    hostile_world: HostileWorld, home: Path
) -> None:
    """The PSD2 profile's connected user: identities list, titles, the disconnect question.

    config.toml is outside text too: a remapped key shows in the footer, help and palette, and
    an unknown binding id is named back in a toast.
    """
    config = home / "config.toml"
    config.write_text(
        config.read_text() + '\n[ui.keys]\n"accounts.top-up" = "[/x]"\n"\\u001b[2Jnope" = "z"\n'
    )
    app = BunqApp(Workspace.load(home), profile="demo-psd2", demo=hostile_world.demo)
    # wide enough that the footer has room for every key of the accounts screen
    async with app.run_test(size=(200, SIZE[1]), notifications=True) as pilot:
        screen = await accounts_loaded(pilot, app)
        await settled(pilot)
        name = shown("A. " + USER_LAST_NAME, 40)
        await eventually_on_screen(pilot, app, name, BILLS, "[/x] Top up", "\\x1b[2Jnope")
        assert screen.identity is not None and screen.identity.kind == "connected"
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.pause()
        await eventually_on_screen(pilot, app, f"Disconnect {name}")
        await pilot.press("n")
        await until(pilot, lambda: app.screen is screen)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause()
        await eventually_on_screen(pilot, app, "[/x]")
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await pilot.press(*"top")
        await pilot.pause(0.3)
        await eventually_on_screen(pilot, app, "key [/x]")
        await pilot.press("escape")


class _Shows(App[None]):
    def __init__(self, renderable: object) -> None:
        super().__init__()
        self.renderable = renderable

    def compose(self) -> ComposeResult:
        yield Static(self.renderable)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "renderable",
    [
        '[link="https://evil.example"]click[/link]',  # Textual markup
        RichText.from_markup("[link=https://evil.example]click[/link]"),  # Rich markup
        "[@click=app.quit]quit[/]",
        RichText("clear \x1b[2J"),
        RichText("c1 \x9b2J"),
        RichText("bidi \u202eexe"),
    ],
)
async def test_the_check_sees_what_would_reach_the_terminal(renderable: object) -> None:
    """``on_screen`` itself: each of these (how today's code showed strangers' text) fails it."""
    app = _Shows(renderable)
    async with app.run_test(size=(40, 3)) as pilot:
        await pilot.pause()
        with pytest.raises(AssertionError):
            on_screen(app)


async def test_bunq_error_text_in_the_setup_steps(
    hostile_world: HostileWorld, bunqtui_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first run whose setup bunq refuses with hostile text: the step and the form say so."""
    from textual.widgets import Input, Select

    from bunqtui.tui.screens.setup import SetupScreen

    route = next(
        r
        for r in hostile_world.server.emulator.router.routes
        if r.method == "POST" and r.template == "/installation"
    )

    async def refuse(call: object) -> object:
        raise ApiError(400, ERROR_TEXT)

    monkeypatch.setattr(route, "handler", refuse)
    app = BunqApp(Workspace.load(bunqtui_home))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SetupScreen))
        screen = app.screen
        assert isinstance(screen, SetupScreen)
        screen.query_one("#setup-connector", Select).value = "api-key"
        await pilot.pause(0.05)
        screen.query_one("#setup-environment", Select).value = "emulator"
        await pilot.pause(0.05)
        screen.query_one("#setup-base-url", Input).value = hostile_world.server.base_url
        screen.query_one("#field-api_key", Input).value = hostile_world.server.demo_api_key
        await pilot.press("ctrl+s")
        await until(pilot, lambda: any(s.status == "failed" for s in screen.steps))
        await until(pilot, lambda: not screen.running)
        await pilot.pause()
        text = await eventually_on_screen(pilot, app, "[/x] refused")
        assert "Setup failed" in text
