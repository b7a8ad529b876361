"""QR login's wait: bunq's redirect on the loopback listener, or an answer the user pasted.

Whichever connects the user first wins and the other is cancelled (the listener's port is
closed before this returns). The listener is bound to the redirect URI's loopback address
before ``ready`` is called, so a front end that shows the login URL from ``ready`` can never
miss an early redirect. The state is checked once: a used state is forgotten by the session,
so a second answer for the same attempt is refused — and once one path has used the state,
the other cannot end the wait: it is the using path's outcome that counts. The CLI reads
pastes from stdin, the TUI from its paste dialog; both call :func:`wait_for_login`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bunqtui.core.errors import ConfigError
from bunqtui.core.opened import Identity
from bunqtui.core.session import ConnectRequest, Phase, ProfileSession

# the front end's next pasted redirect URL or code; "" once no more can come (stdin closed)
Pasted = Callable[[], Awaitable[str]]
# the listener is bound (None), or cannot be (why): show the login URL now
Ready = Callable[[ConfigError | None], None]
# a pasted answer was refused while the attempt goes on (a wrong paste, its state unused; or
# a paste while bunq's redirect is connecting the user)
Refused = Callable[[Exception], None]


@dataclass(slots=True)
class _Attempt:
    """Who holds the attempt's state: the session forgets it when a path starts using it."""

    session: ProfileSession
    request: ConnectRequest
    pasting: bool = False  # a paste's complete_connect is running
    listener: asyncio.Future[Identity] | None = None  # the loopback callback's path

    def listening(self) -> bool:
        return self.listener is not None and not self.listener.done()

    def used(self) -> bool:
        return self.request.state not in self.session.pending_states()

    def paste_holds_it(self) -> bool:
        # complete_connect forgets the state before its first await (or refuses the paste
        # without forgetting it), so while it runs, a used state is this paste's
        return self.pasting and self.used()


async def wait_for_login(
    session: ProfileSession,
    request: ConnectRequest,
    *,
    timeout: float,
    pasted: Pasted,
    ready: Ready | None = None,
    phase: Phase | None = None,
    refused: Refused | None = None,
    listen: bool = True,
) -> Identity:
    """The connected user, from whichever of the loopback callback (within ``timeout`` s;
    none when ``listen`` is False) and the pasted answers comes first.

    A failure of either ends the wait with its error — except a refused paste while the
    attempt's state is still unused, which goes to ``refused`` (when given) and the wait
    goes on, and anything from the path that did not take the state once the other has
    taken it (a paste while bunq's redirect connects the user goes to ``refused``; the
    listener's timeout while a paste connects the user is ignored). ConfigError when
    neither can deliver any more (no listener, pastes ended)."""
    async with contextlib.AsyncExitStack() as stack:
        connected: Callable[[], Awaitable[Identity]] | None = None
        problem: ConfigError | None = None
        if listen:
            try:
                connected = await stack.enter_async_context(
                    session.listening(request, timeout, phase)
                )
            except ConfigError as exc:  # a redirect URI the listener cannot bind
                problem = exc
        if ready is not None:
            ready(problem)
        attempt = _Attempt(session, request)
        pastes = asyncio.ensure_future(_from_pastes(attempt, pasted, phase, refused))
        paths = [pastes]
        if connected is not None:
            attempt.listener = asyncio.ensure_future(connected())
            paths.append(attempt.listener)

        def excused(path: asyncio.Future[Identity]) -> bool:
            # the listener failing while a paste uses the state: that paste decides
            return path is not pastes and attempt.paste_holds_it()

        return await _first(paths, excused)


async def _from_pastes(
    attempt: _Attempt,
    pasted: Pasted,
    phase: Phase | None,
    refused: Refused | None,
) -> Identity:
    session, request = attempt.session, attempt.request
    while True:
        text = (await pasted()).strip()
        if not text:
            if not attempt.listening():
                raise ConfigError(
                    "no redirect can reach this machine and nothing was pasted",
                    "paste the redirect URL or code, or set up a loopback redirect URI",
                )
            await asyncio.Event().wait()  # no more pastes: only the loopback callback is left
        if attempt.used() and attempt.listening():
            # bunq's redirect came first and is being exchanged: its outcome decides
            if refused is not None:
                refused(
                    ConfigError(
                        "already connecting with bunq's redirect; the paste is not needed",
                        "wait for the login to finish",
                    )
                )
            continue
        attempt.pasting = True
        try:
            return await session.complete_connect(request, text, phase)
        except Exception as exc:
            if refused is None or attempt.used():
                raise  # the state is used up (or nobody to tell): the attempt is over
            refused(exc)
        finally:
            attempt.pasting = False


async def _first(
    paths: Sequence[asyncio.Future[Identity]], excused: Callable[[asyncio.Future[Identity]], bool]
) -> Identity:
    """The first of ``paths`` to connect the user; else the first error that is not
    ``excused`` (or the last one, when none is left). A path cancelled by someone else has
    simply ended. Whatever is still running when this returns or is cancelled is cancelled."""
    pending = set(paths)
    ended: list[asyncio.Future[Identity]] = []
    try:
        while pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            # cancelled() first: exception() of a cancelled task raises CancelledError, which
            # would end this wait as cancelled while its caller was not
            finished = [t for t in done if not t.cancelled()]
            # both at once: a user connected beats the other's error
            for task in finished:
                if task.exception() is None:
                    return task.result()
            for task in finished:
                if not (pending and excused(task)):
                    return task.result()  # raises its error
            ended.extend(finished)
        if ended:
            return ended[-1].result()  # raises the last excused error
        raise ConfigError("the login stopped before a user was connected", "start it again")
    finally:
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for task in paths:  # seen, so asyncio does not log an error nobody retrieved
            if task.done() and not task.cancelled():
                task.exception()


__all__ = ["Pasted", "Ready", "Refused", "wait_for_login"]
