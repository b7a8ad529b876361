"""A deliberately small bunq client for the emulator's own tests: the handshake, signed
requests and verification of every response signature. Independent of bunqtui.api so that a
mistake shared by client and emulator cannot hide."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # one per test run


def sign(key: rsa.RSAPrivateKey, data: bytes) -> str:
    return base64.b64encode(key.sign(data, padding.PKCS1v15(), hashes.SHA256())).decode()


def verify(public_pem: str, data: bytes, signature: str) -> None:
    key = serialization.load_pem_public_key(public_pem.encode())
    key.verify(base64.b64decode(signature), data, padding.PKCS1v15(), hashes.SHA256())


@dataclass
class Client:
    base_url: str
    api_key: str
    key: rsa.RSAPrivateKey = _KEY
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10))
    installation_token: str = ""
    server_public_key: str = ""
    session_token: str = ""
    user_id: int = 0
    session: dict[str, Any] = field(default_factory=dict)

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        signed: bool = True,
        raw: bytes | None = None,
    ) -> httpx.Response:
        data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        headers = {"X-Bunq-Client-Request-Id": "req-1", "Cache-Control": "no-cache"}
        auth = self.session_token if token is None else token
        if auth:
            headers["X-Bunq-Client-Authentication"] = auth
        if signed:
            headers["X-Bunq-Client-Signature"] = sign(self.key, data)
        url = path if path.startswith("http") else self.base_url + path
        response = self.http.request(method, url, content=data, headers=headers)
        # without a token the emulator cannot know the installation: nobody verifies those
        if (
            auth
            and self.server_public_key
            and response.status_code != 429
            and response.status_code < 500
        ):
            verify(
                self.server_public_key,
                response.content,
                response.headers["X-Bunq-Server-Signature"],
            )
        return response

    def ok(self, method: str, path: str, body: Any = None, **kw: Any) -> dict[str, Any]:
        response = self.request(method, path, body, **kw)
        assert response.status_code == 200, response.text
        return response.json()

    def handshake(self) -> Client:
        public = (
            self.key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )
        items = self.ok(
            "POST", "/installation", {"client_public_key": public}, token="", signed=False
        )["Response"]
        self.installation_token = items[1]["Token"]["token"]
        self.server_public_key = items[2]["ServerPublicKey"]["server_public_key"]
        self.ok(
            "POST",
            "/device-server",
            {"description": "test", "secret": self.api_key, "permitted_ips": ["*"]},
            token=self.installation_token,
        )
        items = self.ok(
            "POST", "/session-server", {"secret": self.api_key}, token=self.installation_token
        )["Response"]
        self.session_token = items[1]["Token"]["token"]
        self.session = items[2]
        user = next(iter(items[2].values()))
        self.user_id = user["id"]
        return self


def error_text(response: httpx.Response) -> str:
    return response.json()["Error"][0]["error_description"]
