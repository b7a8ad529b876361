"""Envelope parsing: success → items, errors → typed errors, garbage → ProtocolError only."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bunqtui.api.envelope import (
    error_from_response,
    is_credentials_error,
    is_stale_session,
    parse_success,
)
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


def test_installation_style_envelope() -> None:
    body = (
        b'{"Response":[{"Id":{"id":4971}},{"Token":{"id":11352,"token":"ab"}},'
        b'{"ServerPublicKey":{"server_public_key":"-----BEGIN PUBLIC KEY-----\\n"}}]}'
    )
    env = parse_success(body)
    assert env.id() == 4971
    assert env.first("Token")["token"] == "ab"
    assert env.first("ServerPublicKey")["server_public_key"].endswith("\n")
    assert env.pagination is None


def test_listing_with_escaped_pagination() -> None:
    body = (
        b'{"Response":[{"Payment":{"id":2}},{"Payment":{"id":1}}],"Pagination":'
        b'{"future_url":null,"newer_url":null,"older_url":"\\/v1\\/user\\/1\\/monetary-account'
        b'\\/1\\/payment?count=2&older_id=1"}}'
    )
    env = parse_success(body)
    assert [p["id"] for p in env.all("Payment")] == [2, 1]
    assert env.pagination == {
        "future_url": None,
        "newer_url": None,
        "older_url": "/v1/user/1/monetary-account/1/payment?count=2&older_id=1",
    }


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html>maintenance</html>",
        b"[]",
        b'{"Error":[]}',
        b'{"Response":{}}',
        b'{"Response":[1]}',
        b'{"Response":[],"Pagination":[]}',
        b'{"Response":[],"Pagination":{"older_url":5}}',
        b"\xff\xfe",
    ],
)
def test_bad_success_bodies(body: bytes) -> None:
    with pytest.raises(ProtocolError):
        parse_success(body)


def test_missing_id_or_kind() -> None:
    env = parse_success(b'{"Response":[{"Id":{"id":"7"}}]}')
    with pytest.raises(ProtocolError):
        env.id()
    with pytest.raises(ProtocolError):
        env.first("Token")


def _error(desc: str, trans: str | None = None) -> bytes:
    entry = {"error_description": desc}
    if trans:
        entry["error_description_translated"] = trans
    return json.dumps({"Error": [entry]}).encode()


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, UnauthorizedError),
        (403, ForbiddenError),
        (404, NotFoundError),
        (429, RateLimitedError),
        (466, BadRequestError),
        (491, MaintenanceError),
        (500, ServerError),
        (502, ServerError),
        (503, MaintenanceError),
        (418, BadRequestError),
        (302, ProtocolError),
    ],
)
def test_status_maps_to_typed_error(status: int, cls: type[BunqError]) -> None:
    error = error_from_response(status, _error("Oops."), response_id="rid-1")
    assert type(error) is cls
    assert error.status == status and error.response_id == "rid-1"


def test_error_texts_and_user_facing_str() -> None:
    error = error_from_response(
        401, _error("Insufficient authorisation.", "Onvoldoende autorisatie."), response_id="r"
    )
    assert error.description == "Insufficient authorisation."
    assert error.translated == "Onvoldoende autorisatie."
    assert str(error) == "Onvoldoende autorisatie. (HTTP 401) [bunq response id r]"
    assert is_stale_session(error)
    assert is_stale_session(error_from_response(403, _error("Insufficient authentication.")))
    assert not is_stale_session(error_from_response(403, _error("Not allowed.")))
    creds = error_from_response(
        400, _error("User credentials are incorrect. Incorrect API key or IP address.")
    )
    assert is_credentials_error(creds)


def test_html_error_bodies_still_give_a_typed_error() -> None:
    error = error_from_response(491, b"<html>Maintenance</html>")
    assert isinstance(error, MaintenanceError) and "maintenance" in str(error).lower()


@settings(max_examples=200)
@given(st.binary(max_size=200))
def test_parse_success_on_arbitrary_bytes_raises_only_protocol_error(body: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        parse_success(body)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda c: (
        st.lists(c, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "Response",
                    "Pagination",
                    "Error",
                    "Id",
                    "id",
                    "older_url",
                    "error_description",
                    "error_description_translated",
                    "x",
                ]
            ),
            c,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=200)
@given(JSON)
def test_parse_success_on_arbitrary_json_raises_only_protocol_error(data: object) -> None:
    try:
        env = parse_success(json.dumps(data).encode())
        env.all()
        env.id()
    except ProtocolError:
        pass


@settings(max_examples=200)
@given(st.integers(100, 599), st.binary(max_size=100) | JSON.map(lambda d: json.dumps(d).encode()))
def test_error_from_response_never_raises(status: int, body: bytes) -> None:
    error = error_from_response(status, body)
    assert isinstance(error, BunqError)
    assert str(error)
