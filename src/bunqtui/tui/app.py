"""The bunqtui Textual app: profiles as modes, one error handler, keymap and theme from config.

Each profile gets its own Textual mode (its own screen stack, starting at its accounts), so
switching profile — API key ↔ PSD2 — happens in place and coming back finds the screens as
they were. Every network call runs in a worker; :meth:`BunqApp.report_error` is the one place
a failed worker becomes a notification (or a modal when the user must act).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from bunqtui.core import CacheClosedError, ProfileInfo, ProfileSession, Workspace
from bunqtui.core.notices import take_notices
from bunqtui.core.recovery import is_refused_login
from bunqtui.tui import terminal_guard
from bunqtui.tui.errors import ONLINE, ErrorReport, describe, with_setup_again
from bunqtui.tui.formatting import money_theme
from bunqtui.tui.key_routing import KeyRouter
from bunqtui.tui.safe import markup_text, safe_str

if TYPE_CHECKING:
    from bunqtui.core.demo import DemoInfo

NETWORK_GROUP_PREFIX = "bunq"  # workers in groups named bunq-… talk to bunq


class BunqApp(App[None]):
    TITLE = "bunqtui"
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses live elsewhere
    # Textual declares it `ClassVar[...] | None`, which is no ClassVar to mypy: an instance
    # variable it then says a ClassVar cannot override
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [  # type: ignore[misc]
        (0, "-narrow"),
        (96, "-wide"),
        (120, "-xwide"),
    ]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
        Binding("p", "profiles", "Profiles", id="app.profiles"),
    ]

    connection: reactive[str] = reactive(ONLINE)

    def __init__(
        self,
        workspace: Workspace | None = None,
        *,
        profile: str | None = None,
        demo: DemoInfo | None = None,
        started: float | None = None,
    ) -> None:
        super().__init__()
        self.workspace = workspace or Workspace.load()
        self.initial_profile = profile
        self.demo = demo
        self.sessions: dict[str, ProfileSession] = {}
        self.profile_name: str | None = None
        self._profile_modes: set[str] = set()
        self.started = started if started is not None else time.perf_counter()
        self.ready_seconds: float | None = None  # start → first frame showing accounts
        self._ready_pending = False
        self.last_error: ErrorReport | None = None
        self.key_router = KeyRouter()
        # "now" for "updated 14:02" and "this month" (tests pin it; the demo's data is fixed)
        self.clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)

    # --- the trust boundary for toasts and keys ---------------------------------------------

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast (widgets' and screens' ``notify`` end here): plain, printable text.

        Messages carry names, paths and bunq's error texts; none is markup, so ``markup`` is
        ignored and control characters are written out.
        """
        super().notify(
            safe_str(message, one_line=False),
            title=safe_str(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def action_help_quit(self) -> None:
        """ctrl+c does not quit: say which key does. Textual's own notice is markup
        ("Press [b]q[/b]…"), which ``notify`` above would show literally."""
        for active in self.active_bindings.values():
            if active.binding.action in ("quit", "app.quit"):
                key = self.get_key_display(active.binding)
                self.notify(f"Press {key} to quit the app.", title="Do you want to quit?")
                return

    def get_key_display(self, binding: Binding) -> str:
        """Keys come from config.toml's [ui.keys]: shown (footer, help, palette) printable."""
        return safe_str(super().get_key_display(binding))

    # --- keys typed fast follow the focus (see key_routing) ------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.Paste) and not event.is_forwarded:
            target = self.focused or (self.screen if self.screen_stack else None)
            if target is not None:
                self.key_router.sent(event, target)
        await super().on_event(event)

    async def _on_key(self, event: events.Key) -> None:
        # runs before App._on_key (the bindings); a rerouted key stops there
        self.key_router.reroute(event, self.focused)

    async def _on_paste(self, event: events.Paste) -> None:
        self.key_router.reroute(event, self.focused)

    # --- start-up ---------------------------------------------------------------------------

    def _show_notices(self) -> None:
        for notice in take_notices():
            self.notify(notice, title="Note", severity="warning", timeout=10)

    def watch_theme(self) -> None:
        # before the CSS refresh that redraws: money in/out take the new theme's colours
        if getattr(self, "_money_theme_pushed", False):
            self.console.pop_theme()
        self.console.push_theme(money_theme(self.get_css_variables()))
        self._money_theme_pushed = True

    def on_mount(self) -> None:
        self._restore_on_signals()
        self.watch_theme()
        self._apply_ui_settings()
        # core queues notices from any thread (a damaged cache moved aside and rebuilt)
        self.set_interval(0.5, self._show_notices)
        for name, problem in self.workspace.plugin_problems():
            self.notify(problem, title=f"Plugin {name} not loaded", severity="warning")
        profiles = self.workspace.profiles()
        if not profiles:
            self.action_new_profile(first_run=True)
            return
        names = [p.name for p in profiles]
        wanted = self.initial_profile or self.workspace.default_profile() or names[0]
        self.switch_profile(wanted if wanted in names else names[0])

    def _apply_ui_settings(self) -> None:
        settings = self.workspace.ui_settings or {}
        theme = settings.get("theme")
        if theme is not None:
            if isinstance(theme, str) and theme in self.available_themes:
                self.theme = theme
            else:
                known = ", ".join(sorted(self.available_themes))
                self.notify(
                    f"[ui] theme = {theme!r} is not a theme; using {self.theme}. Themes: {known}",
                    title="config.toml",
                    severity="warning",
                    markup=False,
                )
        keys = settings.get("keys")
        if keys is None:
            return
        if not isinstance(keys, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in keys.items()
        ):
            self.notify(
                '[ui.keys] must map binding ids to keys, e.g. "app.quit" = "ctrl+q"',
                title="config.toml",
                severity="warning",
                markup=False,
            )
            return
        from bunqtui.tui.keys import binding_ids

        unknown = sorted(set(keys) - set(binding_ids()))
        if unknown:
            self.notify(
                f"[ui.keys] has unknown binding ids: {', '.join(unknown)} (see ? for the ids)",
                title="config.toml",
                severity="warning",
                markup=False,
            )
        self.set_keymap({k: v for k, v in keys.items() if k not in unknown})

    def _restore_on_signals(self) -> None:
        """SIGTERM and SIGHUP end the app like `q` does, so the terminal gets its echo back.

        Python's default for both kills the process with the terminal still in raw mode. If
        the app cannot stop within a few seconds, a thread restores the terminal and exits."""
        if not self.is_headless:
            terminal_guard.install(self._exit_on_signal, lambda: self.is_running)

    def _exit_on_signal(self, signum: int) -> None:
        self.call_from_thread(self.exit, return_code=128 + signum)

    # --- readiness (for the launch benchmark and tests) --------------------------------------

    def accounts_shown(self) -> None:
        """Accounts are in a table: stamp the launch once that frame is on screen."""
        if self.ready_seconds is None and not self._ready_pending:
            self._ready_pending = True
            self.call_after_refresh(self._stamp_ready)

    def _stamp_ready(self) -> None:
        self.ready_seconds = time.perf_counter() - self.started
        self.on_accounts_ready()

    def on_accounts_ready(self) -> None:
        """Hook: the first frame showing accounts has been drawn."""

    # --- profiles ---------------------------------------------------------------------------

    def session(self, name: str) -> ProfileSession:
        """The open session of a profile (opened once, closed when the app ends)."""
        session = self.sessions.get(name)
        if session is None:
            session = self.sessions[name] = self.workspace.open(name)
        return session

    def profile_info(self, name: str) -> ProfileInfo | None:
        return next((p for p in self.workspace.profiles() if p.name == name), None)

    def switch_profile(self, name: str) -> None:
        """Show the profile's own screen stack (created on first use)."""
        from bunqtui.tui.screens.accounts import AccountsScreen

        mode = f"profile:{name}"
        if mode not in self._profile_modes:
            self.add_mode(mode, partial(AccountsScreen, name))
            self._profile_modes.add(mode)
        self.profile_name = name
        self.switch_mode(mode)

    async def forget_session(self, name: str) -> None:
        """After a profile was set up again: reopen its session so it uses the new login."""
        session = self.sessions.pop(name, None)
        if session is not None:
            await session.aclose()

    async def on_unmount(self) -> None:
        for session in list(self.sessions.values()):
            await session.aclose()
        self.sessions.clear()

    # --- errors: the one place --------------------------------------------------------------

    def report_error(self, exc: BaseException) -> ErrorReport:
        from bunqtui.tui.screens.dialogs import ErrorModal

        report = describe(exc)
        if is_refused_login(exc) and self.profile_name and self.profile_info(self.profile_name):
            report = with_setup_again(report, self.profile_name)
        self.last_error = report
        if report.connection:
            self.connection = report.connection
        if report.must_act:
            top = self.screen
            if not (isinstance(top, ErrorModal) and top.report == report):
                self.push_screen(ErrorModal(report), partial(self._error_closed, report))
        else:
            self.notify(
                report.text, title=report.title, severity=report.severity, timeout=10, markup=False
            )
        return report

    def _error_closed(self, report: ErrorReport, choice: str | None) -> None:
        from bunqtui.tui.screens.dialogs import SETUP_AGAIN

        if choice == SETUP_AGAIN and report.setup_again:
            self.action_new_profile(again=report.setup_again)

    def worker_state_changed(self, worker: Worker[Any], state: WorkerState) -> None:
        """Called for every worker of every screen (see screens.base)."""
        if state == WorkerState.ERROR and isinstance(worker.error, CacheClosedError):
            return  # late work of a session closed meanwhile: abandoned on purpose
        if state == WorkerState.ERROR and worker.error is not None:
            self.report_error(worker.error)
        elif state == WorkerState.SUCCESS and (worker.group or "").startswith(NETWORK_GROUP_PREFIX):
            self.connection = ONLINE

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.worker_state_changed(event.worker, event.state)

    # --- actions ----------------------------------------------------------------------------

    def action_help(self) -> None:
        from bunqtui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_profiles(self) -> None:
        from bunqtui.tui.screens.profiles import ProfilesScreen

        if isinstance(self.screen, ProfilesScreen):
            return
        self.push_screen(ProfilesScreen(self.workspace.profiles(), self.profile_name))

    def action_new_profile(self, first_run: bool = False, again: str | None = None) -> None:
        """The setup wizard; ``again`` names a profile to set up again (the form prefilled)."""
        from bunqtui.tui.screens.setup import SetupScreen

        def done(info: ProfileInfo | None) -> None:
            if info is None:
                if first_run:
                    self.exit()
                return
            self.call_later(self._after_setup, info)

        emulator_url = self.demo.base_url if self.demo else None
        prefill = self.profile_info(again) if again else None
        self.push_screen(
            SetupScreen(
                self.workspace, first_run=first_run, emulator_url=emulator_url, again=prefill
            ),
            done,
        )

    async def _after_setup(self, info: ProfileInfo) -> None:
        """A profile set up again gets fresh screens: the old ones hold its closed session."""
        mode = f"profile:{info.name}"
        if info.name in self.sessions:
            await self.forget_session(info.name)
        if mode in self._profile_modes:
            if self.current_mode == mode:
                while len(self.screen_stack) > 1:
                    await self.pop_screen()
                from bunqtui.tui.screens.accounts import AccountsScreen

                if isinstance(self.screen, AccountsScreen):
                    self.screen.reload()
            else:
                await self.remove_mode(mode)
                self._profile_modes.discard(mode)
        self.notify(f"Profile {info.name} is ready.", title="Setup")
        self.switch_profile(info.name)

    def _all_screens(self) -> Iterable[Screen[Any]]:
        for stack in self._screen_stacks.values():
            yield from stack

    def action_connect_user(self, profile: str | None = None) -> None:

        name = profile or self.profile_name
        if name is None:
            return
        if name != self.profile_name:
            self.switch_profile(name)
        self.call_later(self._connect_on_accounts, name)

    def _connect_on_accounts(self, name: str) -> None:
        from bunqtui.tui.screens.accounts import AccountsScreen

        for screen in self._all_screens():
            if isinstance(screen, AccountsScreen) and screen.profile == name:
                screen.action_connect()
                return

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The command palette: every action bound on this screen, plus those without a key."""
        yield from super().get_system_commands(screen)
        seen: set[str] = {"quit"}
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.description or binding.action in seen or not active.enabled:
                continue
            seen.add(binding.action)
            display = self.get_key_display(binding)
            # the palette reads titles and help as markup: a remapped key is config text
            yield SystemCommand(
                markup_text(binding.description),
                markup_text(
                    f"key {display}" + (f" · binding id {binding.id}" if binding.id else "")
                ),
                partial(self.run_action, binding.action, active.node),
            )
        yield SystemCommand(
            "New profile", "Set up a profile (API key, PSD2, …)", self.action_new_profile
        )
        if "profiles" not in seen:
            yield SystemCommand("Profiles", "Switch profile", self.action_profiles)
        session = self.sessions.get(self.profile_name or "")
        if session is not None and session.can_connect() and "connect" not in seen:
            yield SystemCommand(
                "Connect a bunq user",
                "QR login (OAuth) into this profile",
                self.action_connect_user,
            )
