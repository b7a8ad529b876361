"""Where the official SDK's own tests find the bunq API: the seam between them and the emulator.

Copied into the unpacked suite as `tests/config.py` (bunq's harness has a file of that name for
its settings). The SDK hard-codes bunq's hosts in `ApiEnvironmentType`; the sandbox's base URL
is replaced here with the one in BUNQTUI_SDK_SUITE_API, and nothing else of the SDK is touched.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

from bunq.sdk.context.api_environment_type import ApiEnvironmentType

ENV_API = "BUNQTUI_SDK_SUITE_API"
# Seconds to wait for Sugar Daddy's money (bunq's sandbox answers within half a second; an
# emulator started with sugar_daddy_delay=0 pays at once).
SUGAR_DADDY_WAIT = float(os.environ.get("BUNQTUI_SDK_SUITE_SUGAR_WAIT", "0.5"))
TEST_ROOT = Path(__file__).resolve().parent
ASSETS = TEST_ROOT / "assets"
ATTACHMENT = "avatar.png"  # written by the runner: a small PNG made at test time


def point_sdk_at_api() -> None:
    """Point the SDK's SANDBOX environment at the API under test (loopback only)."""
    base = os.environ.get(ENV_API, "")
    host = urlsplit(base).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise RuntimeError(f"{ENV_API} must be a loopback URL, got {base!r}")
    ApiEnvironmentType.SANDBOX._uri_base = base.rstrip("/") + "/"
