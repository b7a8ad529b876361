from __future__ import annotations

import datetime as dt

import pytest

from bunqtui.api.context import ApiContext
from bunqtui.api.environment import Environment

SECRET = "sandbox_" + "a1" * 28
PRIVATE = "-----BEGIN PRIVATE KEY-----\nMIIEsecretkeymaterial\n-----END PRIVATE KEY-----\n"


def make(**values: object) -> ApiContext:
    base = {
        "secret": SECRET,
        "private_key_pem": PRIVATE,
        "installation_id": 5,
        "installation_token": "f" * 64,
        "server_public_key_pem": "-----BEGIN PUBLIC KEY-----\nX\n-----END PUBLIC KEY-----\n",
        "device_id": 6,
        "session_id": 7,
        "session_token": "e" * 64,
        "session_expiry": dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
        "user_kind": "UserApiKey",
        "user_id": 8,
        "granted_user_id": 9,
    }
    base.update(values)
    return ApiContext.for_environment(Environment.custom("http://127.0.0.1:1/v1"), **base)  # type: ignore[arg-type]


def test_round_trip_through_plain_data() -> None:
    ctx = make()
    data = ctx.to_dict()
    assert data["session_expiry"] == "2030-01-01T00:00:00+00:00"
    assert data["permitted_ips"] == ["*"]
    assert all(isinstance(v, str | int | list | dict) for v in data.values())
    assert ApiContext.from_dict(data) == ctx
    assert ApiContext.from_dict({**data, "unknown_future_key": 1}) == ctx


def test_repr_never_shows_secrets() -> None:
    ctx = make()
    text = repr(ctx) + str(ctx)
    for secret in (SECRET, "f" * 64, "e" * 64, "secretkeymaterial"):
        assert secret not in text
    assert "sandbox_a1a1…a1a1" in text
    assert "user_id=8" in text


def test_session_validity_keeps_a_30_second_margin() -> None:
    now = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    assert make(session_expiry=now + dt.timedelta(seconds=31)).session_valid(now)
    assert not make(session_expiry=now + dt.timedelta(seconds=29)).session_valid(now)
    assert not make(session_token=None).session_valid(now)
    assert not make().without_session().session_valid(now)
    assert make().without_session().has_installation


def test_from_dict_rejects_broken_data() -> None:
    with pytest.raises(ValueError):
        ApiContext.from_dict({"api_base_url": "x"})
    with pytest.raises(ValueError):
        ApiContext.from_dict({**make().to_dict(), "secret_kind": "password"})
