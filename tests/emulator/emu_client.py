"""A small, independent bunq client for the emulator tests (it does not use bunqtui.api).

It does the handshake (installation → device-server → signed session-server), signs request
bodies with a key generated at test time, and verifies EVERY server signature it receives with
the server key its own installation returned — so a signing mistake in the emulator fails the
test that made the call.
"""

from __future__ import annotations

import base64
import datetime
import functools
import json
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID


@functools.lru_cache(maxsize=8)
def client_key(slot: int = 0) -> rsa.RSAPrivateKey:
    """An RSA-2048 key made at test time; cached per slot so a test run makes only a few."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


def self_signed_certificate(common_name: str, key: rsa.RSAPrivateKey) -> str:
    """A sandbox-style PSD2 certificate (PEM); the roles are read from the common name."""
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def sign(key: rsa.RSAPrivateKey, data: bytes) -> str:
    return base64.b64encode(key.sign(data, padding.PKCS1v15(), hashes.SHA256())).decode()


def verifies(pem: str, data: bytes, signature: str) -> bool:
    public = serialization.load_pem_public_key(pem.encode())
    try:
        public.verify(base64.b64decode(signature), data, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


class SignatureMismatch(AssertionError):
    pass


@dataclass
class Reply:
    status: int
    body: bytes
    headers: httpx.Headers

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def items(self) -> list[dict[str, Any]]:
        return self.json()["Response"]

    @property
    def error(self) -> str:
        return self.json()["Error"][0]["error_description"]

    def only(self, kind: str) -> dict[str, Any]:
        (item,) = self.items
        return item[kind]


class BunqClient:
    """One installation (own key, own server key) and, after `login`, one session."""

    def __init__(self, base_url: str, *, key_slot: int = 0, verify: bool = True) -> None:
        self.base_url = base_url.rstrip("/")
        self.root_url = self.base_url.removesuffix("/v1")
        self.http = httpx.Client(timeout=10)
        self.key = client_key(key_slot)
        self.verify = verify
        self.server_public_key: str | None = None
        self.installation_token: str | None = None
        self.installation_id: int | None = None
        self.session_token: str | None = None
        self.session_id: int | None = None
        self.user: dict[str, Any] | None = None
        self.user_kind: str | None = None
        self.user_id: int | None = None

    def close(self) -> None:
        self.http.close()

    # raw calls -----------------------------------------------------------------------------
    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = "session",  # noqa: S107 - which token to send, not a secret
        sign_body: bool = False,
        signature: str | None = None,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
        check_signature: bool | None = None,
    ) -> Reply:
        """`path` below /v1 (e.g. "/user"). token: "session", "installation", None or a value."""
        content = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        sent = {"User-Agent": "bunqtui-emulator-tests", "Cache-Control": "no-cache"}
        auth = {"session": self.session_token, "installation": self.installation_token}.get(
            token or "", token
        )
        if auth:
            sent["X-Bunq-Client-Authentication"] = auth
        if sign_body:
            sent["X-Bunq-Client-Signature"] = sign(self.key, content)
        if signature is not None:
            sent["X-Bunq-Client-Signature"] = signature
        sent.update(headers or {})
        response = self.http.request(method, self.base_url + path, content=content, headers=sent)
        reply = Reply(response.status_code, response.content, response.headers)
        self._check(reply, check_signature)
        return reply

    def _check(self, reply: Reply, check: bool | None) -> None:
        if check is False or not self.verify or self.server_public_key is None:
            return
        if reply.status in (429, 491) or reply.status >= 500:
            # rate-limit and gateway/maintenance replies are unsigned
            # (docs/protocol.md#response-signatures)
            return
        signature = reply.headers.get("x-bunq-server-signature")
        if signature is None or not verifies(self.server_public_key, reply.body, signature):
            raise SignatureMismatch(f"bad server signature on {reply.status} {reply.body[:200]!r}")

    def get(self, path: str, **kw: Any) -> Reply:
        return self.call("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.call("POST", path, body if body is not None else {}, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.call("PUT", path, body if body is not None else {}, **kw)

    def delete(self, path: str, **kw: Any) -> Reply:
        return self.call("DELETE", path, **kw)

    # handshake -----------------------------------------------------------------------------
    def install(self) -> Reply:
        reply = self.call(
            "POST", "/installation", {"client_public_key": public_pem(self.key)}, token=None
        )
        assert reply.status == 200, reply.body
        items = reply.items
        self.installation_id = items[0]["Id"]["id"]
        self.installation_token = items[1]["Token"]["token"]
        self.server_public_key = items[2]["ServerPublicKey"]["server_public_key"]
        self._check(reply, True)  # the installation reply itself is signed with that key
        return reply

    def register_device(self, secret: str) -> Reply:
        reply = self.post(
            "/device-server",
            {"description": "emulator tests", "secret": secret, "permitted_ips": ["127.0.0.1"]},
            token="installation",
        )
        assert reply.status == 200, reply.body
        return reply

    def open_session(self, secret: str) -> Reply:
        reply = self.post(
            "/session-server", {"secret": secret}, token="installation", sign_body=True
        )
        assert reply.status == 200, reply.body
        items = reply.items
        self.session_id = items[0]["Id"]["id"]
        self.session_token = items[1]["Token"]["token"]
        ((self.user_kind, self.user),) = items[2].items()
        self.user_id = self.user["id"]
        return reply

    def login(self, secret: str) -> BunqClient:
        self.install()
        self.register_device(secret)
        self.open_session(secret)
        return self

    # conveniences ---------------------------------------------------------------------------
    def accounts(self, kind: str = "monetary-account", **query: Any) -> list[dict[str, Any]]:
        reply = self.get(f"/user/{self.user_id}/{kind}", **query)
        assert reply.status == 200, reply.body
        return [next(iter(item.values())) for item in reply.items]

    def pay(self, account_id: int, value: str, alias: dict[str, Any], **kw: Any) -> Reply:
        body = {
            "amount": {"value": value, "currency": "EUR"},
            "counterparty_alias": alias,
            "description": kw.pop("description", "test payment"),
        }
        return self.post(
            f"/user/{self.user_id}/monetary-account/{account_id}/payment",
            body,
            sign_body=kw.pop("sign_body", True),
            **kw,
        )


def control(root_url: str, method: str, path: str, body: Any = None) -> Any:
    response = httpx.request(method, f"{root_url}/_emulator/{path}", json=body, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def new_user(root_url: str, kind: str = "person", accounts: int = 2, payments: int = 0) -> dict:
    return control(
        root_url, "POST", "users", {"kind": kind, "accounts": accounts, "payments": payments}
    )


def request_id() -> str:
    return str(uuid.uuid4())
