"""bunq's wire format: PHP-style compact JSON, the envelopes, timestamps and error texts
(docs/protocol.md#wire-format)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

ESCAPE_SLASHES = True  # the captured bunq bodies escape "/" as "\/" (docs/protocol.md#encoding)


def encode(obj: Any) -> bytes:
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=True)
    if ESCAPE_SLASHES:
        text = text.replace("/", "\\/")
    return text.encode("ascii")


def timestamp(moment: datetime) -> str:
    """bunq's `YYYY-MM-DD hh:mm:ss.ffffff`, always UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def ok(*items: Any, pagination: dict | None = None) -> dict:
    body: dict[str, Any] = {"Response": list(items)}
    if pagination is not None:
        body["Pagination"] = pagination
    return body


def id_only(object_id: int) -> dict:
    return {"Response": [{"Id": {"id": object_id}}]}


def uuid_only(object_uuid: str) -> dict:
    """The answer to creating an attachment or avatar (docs/protocol.md#envelope)."""
    return {"Response": [{"Uuid": {"uuid": object_uuid}}]}


# English → Dutch for every error text the emulator emits; unknown texts fall back to English.
DUTCH = {
    "Insufficient authorisation.": "Onvoldoende autorisatie.",
    "Insufficient authentication.": "Onvoldoende authenticatie.",
    "User credentials are incorrect. Incorrect API key or IP address.": (
        "Gebruikersgegevens zijn onjuist. Onjuiste API-sleutel of IP-adres."
    ),
    "The request signature is invalid.": "De handtekening van het verzoek is ongeldig.",
    "For this operation a request signature is required. Check the urls for more information.": (
        "Voor deze handeling is een handtekening vereist. Bekijk de urls voor meer informatie."
    ),
    "Authentication token already has a user session.": (
        "Het authenticatietoken heeft al een gebruikerssessie."
    ),
    "Route not found.": "Route niet gevonden.",
    "Method not allowed.": "Methode niet toegestaan.",
    "Something went wrong on our end. Please try again later.": (
        "Er ging iets mis aan onze kant. Probeer het later opnieuw."
    ),
}


def error_body(description: str, language: str = "en_US", extra: dict | None = None) -> dict:
    translated = DUTCH.get(description, description) if language == "nl_NL" else description
    item: dict[str, Any] = {
        "error_description": description,
        "error_description_translated": translated,
    }
    if extra:
        item.update(extra)
    return {"Error": [item]}


@dataclass(frozen=True)
class RawBody:
    """A handler's answer that is not JSON (an attachment's content): sent as it is, with its
    own Content-Type, and signed like any other answer."""

    content: bytes
    content_type: str


class ApiError(Exception):
    """Raised by a handler: becomes bunq's error envelope with this status."""

    def __init__(self, status: int, description: str, extra: dict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.extra = extra


def bad_request(description: str) -> ApiError:
    return ApiError(400, description)


def not_found(kind: str, object_id: object) -> ApiError:
    return ApiError(404, f'{kind} for id "{object_id}" not found.')
