"""What ``bunqtui --demo`` shares with the UI: where the demo's emulator is, and a stand-in
for the bunq app that approves an OAuth login there.

Below both bunqtui.cli (which starts the emulator, see cli/demo.py) and bunqtui.tui (which
shows the QR login and offers to approve it): it only speaks the emulator's control API over
HTTP and imports nothing of the emulator.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class DemoInfo:
    """What the UI needs to know about the demo (it never talks to the emulator itself)."""

    root_url: str
    base_url: str
    user_name: str

    async def approve(self, authorize_url: str) -> tuple[str, bool]:
        """Stand in for scanning the QR code with the bunq app.

        A new sandbox person is created, approves the request on the emulator, and its
        browser follows the redirect to our loopback listener. Returns the redirect URL and
        whether a listener took it.
        """
        async with httpx.AsyncClient(timeout=10) as http:
            made = await http.post(
                f"{self.root_url}/_emulator/users",
                json={"kind": "person", "accounts": 2, "payments": 150},
            )
            made.raise_for_status()
            redirect_url = await approve_as(
                http, self.root_url, authorize_url, made.json()["api_key"]
            )
            try:  # what the browser would do next
                await http.get(redirect_url)
            except httpx.HTTPError:
                return redirect_url, False  # nobody listening: the caller can paste it
            return redirect_url, True


async def approve_as(
    http: httpx.AsyncClient, root_url: str, authorize_url: str, api_key: str
) -> str:
    """The emulator's user with ``api_key`` grants the request; bunq's redirect URL back."""
    answer = await http.post(
        f"{root_url}/_emulator/oauth/approve",
        json={"authorize_url": authorize_url, "api_key": api_key},
    )
    answer.raise_for_status()
    return str(answer.json()["redirect_url"])


__all__ = ["DemoInfo", "approve_as"]
