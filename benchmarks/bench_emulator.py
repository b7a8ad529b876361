"""Throughput of the local bunq emulator: sequential authenticated GETs over loopback HTTP
with rate limits off, plus startup time (seeding included).

Rerun: .venv/bin/python benchmarks/bench_emulator.py [--requests N]
"""

from __future__ import annotations

import argparse
import base64
import json
import time

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from bunqtui.emulator.server import EmulatorServer


def _sign(key: rsa.RSAPrivateKey, data: bytes) -> str:
    return base64.b64encode(key.sign(data, padding.PKCS1v15(), hashes.SHA256())).decode()


def _handshake(http: httpx.Client, base: str, api_key: str) -> tuple[str, int]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    items = http.post(
        f"{base}/installation", content=json.dumps({"client_public_key": public.decode()})
    ).json()["Response"]
    token = items[1]["Token"]["token"]
    auth = {"X-Bunq-Client-Authentication": token}
    body = json.dumps({"description": "bench", "secret": api_key}).encode()
    http.post(f"{base}/device-server", content=body, headers=auth).raise_for_status()
    body = json.dumps({"secret": api_key}).encode()
    items = http.post(
        f"{base}/session-server",
        content=body,
        headers={**auth, "X-Bunq-Client-Signature": _sign(key, body)},
    ).json()["Response"]
    return items[1]["Token"]["token"], next(iter(items[2].values()))["id"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()

    started = time.perf_counter()
    server = EmulatorServer(rate_limit=False).start()
    startup = time.perf_counter() - started
    try:
        with httpx.Client(timeout=10) as http:
            token, user_id = _handshake(http, server.base_url, server.demo_api_key)
            headers = {"X-Bunq-Client-Authentication": token}
            accounts = http.get(
                f"{server.base_url}/user/{user_id}/monetary-account", headers=headers
            ).json()["Response"]
            account_id = next(iter(accounts[0].values()))["id"]
            paths = [
                f"/user/{user_id}",
                f"/user/{user_id}/monetary-account",
                f"/user/{user_id}/monetary-account/{account_id}/payment?count=10",
            ]
            for path in paths:  # warm-up
                http.get(server.base_url + path, headers=headers).raise_for_status()
            begin = time.perf_counter()
            for i in range(args.requests):
                response = http.get(server.base_url + paths[i % len(paths)], headers=headers)
                if response.status_code != 200:
                    raise SystemExit(f"unexpected {response.status_code}: {response.text[:200]}")
            elapsed = time.perf_counter() - begin
    finally:
        server.stop()
    print(f"startup (incl. seeding): {startup * 1000:.0f} ms")
    print(
        f"{args.requests} sequential authenticated GETs in {elapsed:.2f} s: "
        f"{args.requests / elapsed:.0f} requests/s"
    )


if __name__ == "__main__":
    main()
