from __future__ import annotations

import pytest

from bunqtui.api.environment import Environment


def test_production_and_sandbox_hosts_are_asymmetric() -> None:
    prod, sandbox = Environment.production(), Environment.sandbox()
    assert prod.api_base_url == "https://api.bunq.com/v1"
    assert prod.oauth_authorize_url == "https://oauth.bunq.com/auth"
    assert prod.oauth_token_url == "https://api.oauth.bunq.com/v1/token"
    assert sandbox.api_base_url == "https://public-api.sandbox.bunq.com/v1"
    assert sandbox.oauth_authorize_url == "https://oauth.sandbox.bunq.com/auth"
    assert sandbox.oauth_token_url == "https://api-oauth.sandbox.bunq.com/v1/token"
    assert not prod.is_sandbox and sandbox.is_sandbox


def test_custom_derives_oauth_urls_and_allows_overrides() -> None:
    env = Environment.custom("http://127.0.0.1:8080/v1/")
    assert env.api_base_url == "http://127.0.0.1:8080/v1"
    assert env.oauth_authorize_url == "http://127.0.0.1:8080/auth"
    assert env.oauth_token_url == "http://127.0.0.1:8080/v1/token"
    assert env.root_url == "http://127.0.0.1:8080"
    assert env.is_sandbox
    other = Environment.custom(
        "https://h/v1", oauth_authorize_url="https://a/auth", oauth_token_url="https://t/token"
    )
    assert (other.oauth_authorize_url, other.oauth_token_url) == (
        "https://a/auth",
        "https://t/token",
    )


def test_from_name() -> None:
    assert Environment.from_name("Production") == Environment.production()
    assert Environment.from_name("sandbox") == Environment.sandbox()
    emu = Environment.from_name("emulator", "http://127.0.0.1:9/v1")
    assert emu.name == "emulator" and emu.is_sandbox
    with pytest.raises(ValueError, match="unknown bunq environment"):
        Environment.from_name("staging")
    with pytest.raises(ValueError):
        Environment.from_name("production", "https://evil/v1")
    with pytest.raises(ValueError):
        Environment.custom("ftp://x/v1")
