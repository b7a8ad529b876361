"""Throughput of the local bunq emulator for sequential authenticated GETs (rate limits off).

Starts an EmulatorServer in this process (uvicorn in a background thread, as tests use it),
opens a session with a small client of its own (installation → device-server → signed
session-server), then times N sequential GETs alternating between the account list and a
payment page, over one keep-alive loopback connection. Reports requests/s, p50/p95/max latency
and the emulator's startup time (construct + seed + listen).

    .venv/bin/python benchmarks/bench_emulator.py [-n 2000] [--verify] [--json]

--verify also checks every server signature in the timed loop (client-side cost included).
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import sys
import time

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from bunqtui.emulator.config import EmulatorConfig
from bunqtui.emulator.server import EmulatorServer


class Client:
    """Just enough of a bunq client to open a session and sign/verify."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.Client(timeout=10)
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.server_key = None
        self.headers = {"User-Agent": "bunqtui-bench", "Cache-Control": "no-cache"}

    def _post(self, path: str, body: dict, token: str | None, sign: bool = False) -> list:
        raw = json.dumps(body).encode()
        headers = dict(self.headers)
        if token:
            headers["X-Bunq-Client-Authentication"] = token
        if sign:
            signature = self.key.sign(raw, padding.PKCS1v15(), hashes.SHA256())
            headers["X-Bunq-Client-Signature"] = base64.b64encode(signature).decode()
        response = self.http.post(self.base_url + path, content=raw, headers=headers)
        response.raise_for_status()
        if self.server_key is not None:
            self.verify(response)
        return response.json()["Response"]

    def verify(self, response: httpx.Response) -> None:
        signature = base64.b64decode(response.headers["X-Bunq-Server-Signature"])
        self.server_key.verify(signature, response.content, padding.PKCS1v15(), hashes.SHA256())

    def login(self, api_key: str) -> int:
        pem = (
            self.key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )
        items = self._post("/installation", {"client_public_key": pem}, None)
        installation_token = items[1]["Token"]["token"]
        server_pem = items[2]["ServerPublicKey"]["server_public_key"]
        self.server_key = serialization.load_pem_public_key(server_pem.encode())
        self._post(
            "/device-server", {"description": "bench", "secret": api_key}, installation_token
        )
        items = self._post("/session-server", {"secret": api_key}, installation_token, sign=True)
        self.headers["X-Bunq-Client-Authentication"] = items[1]["Token"]["token"]
        return next(iter(items[2].values()))["id"]

    def get(self, path: str, verify: bool) -> httpx.Response:
        response = self.http.get(self.base_url + path, headers=self.headers)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} → {response.status_code}: {response.text[:200]}")
        if verify:
            self.verify(response)
        return response


def run(requests: int, verify: bool) -> dict:
    started = time.perf_counter()
    server = EmulatorServer(config=EmulatorConfig(seed=1, rate_limit=False)).start()
    startup = time.perf_counter() - started
    client = Client(server.base_url)
    try:
        user_id = client.login(server.demo_api_key)
        listing = client.get(f"/user/{user_id}/monetary-account", verify=True).json()
        account_id = next(iter(listing["Response"][0].values()))["id"]
        paths = [
            f"/user/{user_id}/monetary-account",
            f"/user/{user_id}/monetary-account/{account_id}/payment?count=10",
        ]
        for path in paths:  # warm-up, and check the signatures once
            client.get(path, verify=True)
        latencies: list[float] = []
        loop_start = time.perf_counter()
        for i in range(requests):
            t0 = time.perf_counter()
            client.get(paths[i % 2], verify)
            latencies.append(time.perf_counter() - t0)
        elapsed = time.perf_counter() - loop_start
    finally:
        client.http.close()
        server.stop()
    latencies.sort()
    return {
        "requests": requests,
        "verify_signatures": verify,
        "seconds": round(elapsed, 3),
        "requests_per_second": round(requests / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))] * 1000, 2),
        "max_ms": round(latencies[-1] * 1000, 2),
        "startup_seconds": round(startup, 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--requests", type=int, default=2000)
    parser.add_argument("--verify", action="store_true", help="verify every server signature")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    if args.requests < 2:
        parser.error("--requests must be at least 2")
    result = run(args.requests, args.verify)
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{result['requests']} sequential authenticated GETs in {result['seconds']} s: "
            f"{result['requests_per_second']} requests/s, p50 {result['p50_ms']} ms, "
            f"p95 {result['p95_ms']} ms, max {result['max_ms']} ms "
            f"(signatures verified: {'yes' if args.verify else 'warm-up only'}); "
            f"emulator startup {result['startup_seconds']} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
