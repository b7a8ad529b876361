"""The floor under `bunqtui accounts --json`: its one signed GET on its own stack, nothing else.

Reads a bunqtui profile's saved context (the benchmark's temporary home), sends the GET bunqtui
sends, checks bunq's signature with cryptography and prints the accounts' ids. No config,
plugins, cache, models or command line: what any client built on bunqtui's stack pays at least,
so benchmarks/bench_core.py can show how much of bunqtui's time is its own. Like bunqtui, it
imports httpx without httpx's command-line client.

Two floors, as bunqtui has two drivers: by default ``httpx.AsyncClient`` under asyncio (the
TUI's and long syncs' stack); with ``--sync``, ``httpx.Client`` with no event loop (the stack of
one-shot commands such as `bunqtui accounts`).

    python benchmarks/floor_accounts.py [--sync] SECRETS_JSON
"""

from __future__ import annotations

import sys

sys.modules["httpx._main"] = None  # type: ignore[assignment] - as bunqtui.api._httpx does

import base64  # noqa: E402
import json  # noqa: E402
import uuid  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding  # noqa: E402


def request(secrets_file: str) -> tuple[str, dict[str, str], dict[str, Any]]:
    with open(secrets_file, encoding="utf-8") as handle:
        ctx = json.load(handle)["context"]
    url = f"{ctx['api_base_url'].rstrip('/')}/user/{ctx['user_id']}/monetary-account?count=200"
    headers = {
        "User-Agent": "floor/1",
        "Cache-Control": "no-cache",
        "X-Bunq-Language": "en_US",
        "X-Bunq-Region": "nl_NL",
        "X-Bunq-Geolocation": "0 0 0 0 000",
        "X-Bunq-Client-Request-Id": str(uuid.uuid4()),
        "X-Bunq-Client-Authentication": ctx["session_token"],
    }
    return url, headers, ctx


def check_and_print(response: httpx.Response, ctx: dict[str, Any]) -> int:
    response.raise_for_status()
    key = serialization.load_pem_public_key(ctx["server_public_key_pem"].encode("ascii"))
    signature = base64.b64decode(response.headers["x-bunq-server-signature"])
    key.verify(signature, response.content, padding.PKCS1v15(), hashes.SHA256())
    items = json.loads(response.content)["Response"]
    print(json.dumps([{"id": next(iter(item.values()))["id"]} for item in items]))
    return 0


async def main_async(secrets_file: str) -> int:
    url, headers, ctx = request(secrets_file)
    async with httpx.AsyncClient(timeout=30.0, verify=not url.startswith("http://")) as http:
        response = await http.get(url, headers=headers)
    return check_and_print(response, ctx)


def main_sync(secrets_file: str) -> int:
    url, headers, ctx = request(secrets_file)
    with httpx.Client(timeout=30.0, verify=not url.startswith("http://")) as http:
        response = http.get(url, headers=headers)
    return check_and_print(response, ctx)


if __name__ == "__main__":
    if sys.argv[1] == "--sync":
        sys.exit(main_sync(sys.argv[2]))
    import asyncio  # only the async floor pays for the event loop

    sys.exit(asyncio.run(main_async(sys.argv[1])))
