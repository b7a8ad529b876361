"""QR login: connect a bunq user by OAuth.

The authorize URL is drawn as a QR code (black on white, so it scans on any theme) with the
URL beneath it. A loopback listener waits for bunq's redirect; when the redirect cannot reach
this machine, ``p`` takes the pasted redirect URL or code instead. Dismisses with the new
connected identity, or None when cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.events import Resize
from textual.widgets import Label, Static
from textual.worker import Worker

from bunqtui.core import ConfigError, ConnectRequest, Identity, ProfileSession
from bunqtui.core.oauth_login import wait_for_login
from bunqtui.tui.browser import open_in_gui_browser
from bunqtui.tui.safe import untrusted
from bunqtui.tui.screens.base import BunqScreen
from bunqtui.tui.screens.dialogs import InputModal
from bunqtui.tui.widgets.footer import BunqFooter
from bunqtui.tui.widgets.qr import QRCode
from bunqtui.tui.widgets.status import StatusBar

if TYPE_CHECKING:
    from bunqtui.core.demo import DemoInfo

LOGIN_TIMEOUT = 300.0  # seconds the loopback listener waits for bunq's redirect
CHROME_ROWS = 2  # rows around the code: the status bar and the footer
SIDE_COLUMNS = 30  # the least room the words beside the code need


def countdown(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


class LoginScreen(BunqScreen[Identity | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="login.cancel"),
        Binding("o", "open_browser", "Open in browser", id="login.open"),
        Binding("c", "copy", "Copy URL", id="login.copy"),
        Binding("p", "paste", "Paste redirect", id="login.paste"),
        Binding("r", "restart", "Start again", id="login.restart"),
        Binding("a", "demo_approve", "Approve (demo)", id="login.demo-approve"),
    ]

    def __init__(self, session: ProfileSession, *, demo: DemoInfo | None = None) -> None:
        super().__init__()
        self.session = session
        self.demo = demo
        self.request: ConnectRequest | None = None
        self.deadline: float | None = None
        self.finished = False
        self.phases: list[str] = []  # the steps after bunq's redirect, as they happen
        self._attempt: Worker[None] | None = None
        self._pastes: asyncio.Queue[str] = asyncio.Queue()  # what p hands to the attempt

    def compose(self) -> ComposeResult:
        # the code on the left at full height, the words beside it: a version-8 code (the
        # length of bunq's authorize URLs) then fits a 100×30 terminal
        yield StatusBar(id="status")
        with Horizontal(id="login-body"):
            yield QRCode(id="login-qr")
            with VerticalScroll(id="login-side"):
                yield Label("Connect a bunq user", id="login-title", classes="pane-title")
                yield Static(
                    "Scan the code with the bunq app, or open the link on this machine, "
                    "then approve the access.",
                    id="login-help",
                )
                yield Static("", id="login-too-small", classes="hint")
                yield Static("", id="login-url")
                yield Static("Preparing the login…", id="login-status")
                yield Static(
                    "o open in browser · c copy the link · p paste the redirect when the "
                    "browser shows an error page",
                    id="login-keys",
                    classes="hint",
                )
        yield BunqFooter()

    def on_mount(self) -> None:
        self.query_one(StatusBar).set_where(f"{self.session.profile.name}  ·  QR login")
        self.query_one("#login-too-small").display = False
        self.set_interval(1.0, self._tick)
        self.start()

    # --- the login attempt ------------------------------------------------------------------

    def start(self) -> None:
        self._attempt = self._run_attempt()

    @work(group="bunq-login", exclusive=True, exit_on_error=False)
    async def _run_attempt(self) -> None:
        await self._attempt_login()

    async def _attempt_login(self) -> None:
        self.finished = False
        self.phases = []
        self._pastes = asyncio.Queue()  # a new attempt: pastes meant for the old one are gone
        self._status("Preparing the login…")
        if self.request is not None:  # a superseded attempt's state is accepted no more
            self.session.cancel_connect(self.request)
        self.request = None
        request = await self.session.begin_connect()
        await self._wait(request, listen=True)

    @work(group="bunq-login", exclusive=True, exit_on_error=False)
    async def _paste_only(self, request: ConnectRequest) -> None:
        """The listener gave up (or never bound), but the state is unused: a paste still works."""
        await self._wait(request, listen=False)

    async def _wait(self, request: ConnectRequest, *, listen: bool) -> None:
        """core races the loopback callback against what is pasted (p), first one wins."""

        def ready(problem: ConfigError | None) -> None:
            # the listener is bound (or cannot be) before the code is shown
            if self.request is not request:
                self.show_request(request)
            if problem is not None:
                self.deadline = None
                self.bunq.report_error(problem)
                self._status("The login did not complete. Press r to start again, or p to paste.")
            elif listen:
                self.deadline = time.monotonic() + LOGIN_TIMEOUT
                self._tick()

        def refused(exc: Exception) -> None:  # a wrong paste: the attempt (and listener) go on
            self.bunq.report_error(exc)
            self._tick()

        try:
            identity = await wait_for_login(
                self.session,
                request,
                timeout=LOGIN_TIMEOUT,
                pasted=self._pastes.get,
                ready=ready,
                phase=self._phase,
                refused=refused,
                listen=listen,
            )
        except Exception:
            self.deadline = None
            used = request.state not in self.session.pending_states()
            self._status(
                "The login did not complete. Press r to start again."
                if used
                else "The login did not complete. Press r to start again, or p to paste."
            )
            raise
        self._done(identity)

    def show_request(self, request: ConnectRequest) -> None:
        self.request = request
        self.query_one(QRCode).set_data(request.authorize_url)
        self.query_one("#login-url", Static).update(untrusted(request.authorize_url, "underline"))
        self._fit()
        self.refresh_bindings()

    def _phase(self, phase: str) -> None:
        """A step after bunq's redirect: the countdown stops, the steps so far show."""
        self.deadline = None  # the redirect came: no more "waiting for bunq's redirect"
        if phase not in self.phases:
            self.phases.append(phase)
        self._status(" → ".join(self.phases) + ("" if phase == "connected" else " …"))

    def _done(self, identity: Identity) -> None:
        self._phase("connected")
        if self.finished:
            return
        self.finished = True
        self.deadline = None
        self.workers.cancel_group(self, "bunq-login")
        self.finish(identity)

    def _tick(self) -> None:
        if self.deadline is None or self.finished:
            return
        left = self.deadline - time.monotonic()
        self._status(
            f"Waiting for bunq's redirect on {self.request.redirect_uri if self.request else ''}"
            f" — {countdown(left)} left"
        )

    def _status(self, text: str) -> None:
        # the redirect URI is config text; bunq's error text may follow it
        self.query_one("#login-status", Static).update(untrusted(text))

    # --- fitting the code on screen ---------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        self._fit()

    def _fit(self) -> None:
        qr = self.query_one(QRCode)
        if not qr.data:
            return
        width, height = qr.cells
        fits = width + SIDE_COLUMNS <= self.size.width and height + CHROME_ROWS <= self.size.height
        qr.display = fits
        note = self.query_one("#login-too-small", Static)
        note.display = not fits
        if not fits:
            note.update(
                untrusted(
                    f"The terminal is too small for the QR code ({width + SIDE_COLUMNS}×"
                    f"{height + CHROME_ROWS} "
                    f"needed, {self.size.width}×{self.size.height} here). Enlarge it, or open or "
                    "copy the link below."
                )
            )

    # --- actions ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "demo_approve":
            return self.demo is not None
        if action in ("open_browser", "copy", "paste"):
            return True if self.request is not None else None
        return True

    def action_cancel(self) -> None:
        self.finished = True
        self.workers.cancel_group(self, "bunq-login")
        self.dismiss(None)

    async def action_restart(self) -> None:
        """A new code and state; the old attempt's listener is closed before the new binds."""
        attempt = self._attempt
        if attempt is not None and attempt.is_running:
            attempt.cancel()
            with contextlib.suppress(Exception):
                await attempt.wait()
        self.start()

    def action_copy(self) -> None:
        if self.request is None:
            return
        self.app.copy_to_clipboard(self.request.authorize_url)
        self.notify("The login link is on the clipboard.", title="QR login")

    def action_open_browser(self) -> None:
        if self.request is not None:
            self._open(self.request.authorize_url)

    @work(thread=True, group="browser", exit_on_error=False)
    def _open(self, url: str) -> None:
        if not open_in_gui_browser(url):
            self.app.call_from_thread(
                self.notify,
                "No graphical browser here. Scan the code, or copy the link with c.",
                title="QR login",
                severity="warning",
            )

    def action_paste(self) -> None:
        request = self.request
        if request is None:
            return

        def pasted(value: str | None) -> None:
            if value:
                self.paste(request, value)

        self.app.push_screen(
            InputModal(
                "Paste the redirect",
                "After approving, the browser went to a page that did not load. Paste that "
                "page's full address (or just the code) here.",
                placeholder=f"{request.redirect_uri}?code=…&state=…",
            ),
            pasted,
        )

    def paste(self, request: ConnectRequest, pasted: str) -> None:
        """Hand a pasted redirect URL or code to the attempt waiting for it."""
        if self.finished:
            return
        if request is not self.request:  # typed for an attempt started over meanwhile
            self.notify("The login was started again: paste its redirect.", severity="warning")
            return
        self._pastes.put_nowait(pasted)
        attempt = self._attempt
        if attempt is None or not attempt.is_running:
            self._attempt = self._paste_only(request)

    def action_demo_approve(self) -> None:
        if self.demo is not None and self.request is not None:
            self.demo_approve(self.request.authorize_url)

    @work(group="demo-approve", exclusive=True, exit_on_error=False)
    async def demo_approve(self, url: str) -> None:
        assert self.demo is not None
        self._status("Approving as a new demo user on the emulator…")
        redirect_url, delivered = await self.demo.approve(url)
        if not delivered and self.request is not None:  # nobody listening: paste it ourselves
            self.paste(self.request, redirect_url)
