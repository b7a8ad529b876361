"""bunq's response envelopes (docs/protocol.md#envelope, docs/protocol.md#errors): raw bytes → items
or a typed error.

Parsing happens only after the signature over the same raw bytes was verified (client.py).
Success parsing raises only :class:`ProtocolError`; error parsing never raises.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from bunqtui.api.errors import (
    BadRequestError,
    BunqError,
    ForbiddenError,
    MaintenanceError,
    NotFoundError,
    ProtocolError,
    RateLimitedError,
    ServerError,
    UnauthorizedError,
)

Json = dict[str, Any]

# bunq ids are positive signed 64-bit integers (what SQLite and every bunq SDK store)
MAX_ID = 2**63 - 1

CREDENTIALS_INCORRECT = "User credentials are incorrect"
STALE_SESSION_TEXTS = ("Insufficient authorisation.", "Insufficient authentication.")


@dataclass(slots=True)
class Envelope:
    """A parsed ``{"Response": [...], "Pagination": {...}}``."""

    items: list[Json]
    pagination: dict[str, str | None] | None = None
    raw: Json = field(default_factory=dict, repr=False)

    def first(self, kind: str) -> Json:
        """The object wrapped as ``{kind: {...}}`` (the first one if several)."""
        for item in self.items:
            if kind in item:
                value = item[kind]
                if not isinstance(value, dict):
                    raise ProtocolError(f"bunq sent a {kind} that is not a JSON object.")
                return value
        raise ProtocolError(f"bunq's answer has no {kind}.")

    def id(self) -> int:
        """The ``{"Id": {"id": N}}`` result of a create/update."""
        value = self.first("Id").get("id")
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
            raise ProtocolError("bunq's answer has an Id without a valid id.")
        return value

    def all(self, kind: str | None = None) -> list[Json]:
        """Every wrapped object (of one kind, if given), unwrapped."""
        out = []
        for item in self.items:
            for key, value in item.items():
                if (kind is None or key == kind) and isinstance(value, dict):
                    out.append(value)
        return out


def decode_json(content: bytes) -> Any:
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ProtocolError("bunq sent an answer that is not valid JSON.") from exc


def parse_success(content: bytes) -> Envelope:
    """Parse a 200 body. Raises only ProtocolError."""
    data = decode_json(content)
    if not isinstance(data, dict) or "Response" not in data:
        raise ProtocolError("bunq sent an answer without a Response.")
    items = data["Response"]
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ProtocolError("bunq sent a Response that is not a list of objects.")
    pagination = data.get("Pagination")
    parsed_pagination: dict[str, str | None] | None = None
    if pagination is not None:
        if not isinstance(pagination, dict):
            raise ProtocolError("bunq sent a Pagination that is not an object.")
        parsed_pagination = {}
        for key in ("future_url", "newer_url", "older_url"):
            value = pagination.get(key)
            if value is not None and not isinstance(value, str):
                raise ProtocolError(f"bunq sent a {key} that is not a string.")
            parsed_pagination[key] = value
    return Envelope(items, parsed_pagination, data)


def error_texts(content: bytes) -> tuple[str | None, str | None]:
    """(error_description, error_description_translated), each joined; (None, None) if absent."""
    try:
        data = json.loads(content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None, None
    if not isinstance(data, dict) or not isinstance(data.get("Error"), list):
        return None, None
    english, translated = [], []
    for entry in data["Error"]:
        if not isinstance(entry, dict):
            continue
        desc = entry.get("error_description")
        trans = entry.get("error_description_translated")
        if isinstance(desc, str) and desc:
            english.append(desc)
            translated.append(trans if isinstance(trans, str) and trans else desc)
    if not english:
        return None, None
    return " ".join(english), " ".join(translated)


_BY_STATUS: dict[int, type[BunqError]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    405: BadRequestError,
    409: RateLimitedError,  # the 2018 sandbox throttled with 409
    429: RateLimitedError,
    466: BadRequestError,
    490: BadRequestError,
    491: MaintenanceError,
    503: MaintenanceError,
}


def error_from_response(
    status: int,
    content: bytes,
    *,
    response_id: str | None = None,
    request_id: str | None = None,
    trusted_text: bool = True,
) -> BunqError:
    """Turn a non-200 answer into the matching typed error. Never raises.

    ``trusted_text`` False (an answer whose signature was not verified): the body's error
    texts are ignored and the error says only what its status means.
    """
    description, translated = error_texts(content) if trusted_text else (None, None)
    if status in _BY_STATUS:
        cls = _BY_STATUS[status]
    elif status >= 500:
        cls = ServerError
    elif 400 <= status < 500:
        cls = BadRequestError
    else:
        cls = ProtocolError
        description = description or f"bunq answered with unexpected HTTP status {status}."
    return cls(
        description,
        status=status,
        translated=translated,
        response_id=response_id,
        request_id=request_id,
    )


def is_stale_session(error: BunqError) -> bool:
    """401/403 with bunq's "Insufficient authorisation/authentication."
    (docs/protocol.md#stale-sessions)."""
    return error.status in (401, 403) and any(
        text in error.description for text in STALE_SESSION_TEXTS
    )


def is_credentials_error(error: BunqError) -> bool:
    return error.status == 400 and CREDENTIALS_INCORRECT in error.description
