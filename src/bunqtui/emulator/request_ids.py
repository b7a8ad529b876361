"""`X-Bunq-Client-Request-Id` is unique per device: bunq "will respond with an error when the
same ID is used again on the same DeviceServer" (docs/protocol.md#headers).

The emulator's device is the installation (one device per installation in every client it
knows). Ids are remembered once a request has passed authentication and the signature check,
so a retry after a 429 or an expired session (both refused before that) may carry the same id,
while a replay of anything bunq accepted, a payment above all, is refused. Requests without a
token (`/installation`, `/sandbox-user-*`) belong to no device and are never checked: the
official SDK's sandbox helper sends the constant `uniqueness-is-required` there.

The ids live on the Installation (so the state file keeps them); a set per installation, built
on first use, makes the check O(1). The newest `KEEP` ids per installation are kept.
"""

from __future__ import annotations

from .state import Installation
from .wire import ApiError

KEEP = 10_000
DUPLICATE = (
    "The request id has already been used on this device. "
    "Send a unique X-Bunq-Client-Request-Id with every request."
)


class RequestIds:
    """The index of the request ids each installation has used."""

    def __init__(self) -> None:
        self._seen: dict[int, set[str]] = {}

    def use(self, installation: Installation, request_id: str | None) -> None:
        """Remember `request_id` for this installation; ApiError 400 if it was used before.
        Call with the world's lock held."""
        if request_id is None:
            return
        seen = self._seen.get(installation.id)
        if seen is None:
            seen = self._seen[installation.id] = set(installation.request_ids)
        if request_id in seen:
            raise ApiError(400, DUPLICATE)
        seen.add(request_id)
        installation.request_ids.append(request_id)
        if len(installation.request_ids) > KEEP + KEEP // 10:  # trim in steps, not per call
            del installation.request_ids[:-KEEP]
            self._seen[installation.id] = set(installation.request_ids)
