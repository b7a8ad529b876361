"""QR login's wait: bunq's redirect on the loopback listener, or an answer the user pasted.

Whichever connects the user first wins and the other is cancelled (the listener's port is
closed before this returns). The listener is bound to the redirect URI's loopback address
before ``ready`` is called, so a front end that shows the login URL from ``ready`` can never
miss an early redirect. The state is checked once: a used state is forgotten by the session,
so a second answer for the same attempt is refused. The CLI reads pastes from stdin, the TUI
from its paste dialog; both call :func:`wait_for_login`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from bunqtui.core.errors import ConfigError
from bunqtui.core.opened import Identity
from bunqtui.core.session import ConnectRequest, Phase, ProfileSession

# the front end's next pasted redirect URL or code; "" once no more can come (stdin closed)
Pasted = Callable[[], Awaitable[str]]
# the listener is bound (None), or cannot be (why): show the login URL now
Ready = Callable[[ConfigError | None], None]
# a pasted answer was refused while the attempt goes on (a wrong paste, its state unused)
Refused = Callable[[Exception], None]


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
    goes on. ConfigError when neither can deliver any more (no listener, pastes ended)."""
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
        waits: list[Awaitable[Identity]] = [
            _from_pastes(session, request, pasted, phase, refused, connected is not None)
        ]
        if connected is not None:
            waits.append(connected())
        return await _first(waits)


async def _from_pastes(
    session: ProfileSession,
    request: ConnectRequest,
    pasted: Pasted,
    phase: Phase | None,
    refused: Refused | None,
    listening: bool,
) -> Identity:
    while True:
        text = (await pasted()).strip()
        if not text:
            if not listening:
                raise ConfigError(
                    "no redirect can reach this machine and nothing was pasted",
                    "paste the redirect URL or code, or set up a loopback redirect URI",
                )
            await asyncio.Event().wait()  # no more pastes: only the loopback callback is left
        try:
            return await session.complete_connect(request, text, phase)
        except Exception as exc:
            if refused is None or request.state not in session.pending_states():
                raise  # the state is used up (or nobody to tell): the attempt is over
            refused(exc)


async def _first(waits: list[Awaitable[Identity]]) -> Identity:
    """The first of ``waits`` to finish; its error if it failed. The rest are cancelled."""
    pending = {asyncio.ensure_future(w) for w in waits}
    try:
        done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        # both at once: a user connected beats the other's error
        winners = [t for t in done if t.exception() is None]
        return (winners or list(done))[0].result()  # raises the error when all failed
    finally:
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


__all__ = ["Pasted", "Ready", "Refused", "wait_for_login"]
