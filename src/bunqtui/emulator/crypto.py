"""The emulator's own RSA helpers (deliberately independent of bunqtui.api.crypto)."""

from __future__ import annotations

import base64
import binascii
import threading

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def new_private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def load_public(pem: str) -> rsa.RSAPublicKey | None:
    """The RSA public key in a PEM string, or None if it is not one."""
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except (ValueError, TypeError):
        return None
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < 2048:
        return None
    return key


def sign(key: rsa.RSAPrivateKey, data: bytes) -> str:
    return base64.b64encode(key.sign(data, padding.PKCS1v15(), hashes.SHA256())).decode()


def verify(key: rsa.RSAPublicKey, data: bytes, signature_b64: str) -> bool:
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def load_certificate(pem: str) -> x509.Certificate | None:
    try:
        return x509.load_pem_x509_certificate(pem.encode())
    except (ValueError, TypeError):
        return None


class KeyPool:
    """Server key pairs made ahead of time: RSA-2048 generation costs ~50 ms, and a fresh
    installation should not make its client wait for it."""

    def __init__(self, size: int = 4) -> None:
        self._size = size
        self._keys: list[rsa.RSAPrivateKey] = []
        self._lock = threading.Lock()
        self._filler: threading.Thread | None = None

    def take(self) -> rsa.RSAPrivateKey:
        with self._lock:
            key = self._keys.pop() if self._keys else None
        self._refill()
        return key or new_private_key()

    def _refill(self) -> None:
        with self._lock:
            if self._filler is not None and self._filler.is_alive():
                return
            self._filler = threading.Thread(target=self._fill, daemon=True)
            self._filler.start()

    def _fill(self) -> None:
        while True:
            with self._lock:
                if len(self._keys) >= self._size:
                    return
            key = new_private_key()
            with self._lock:
                self._keys.append(key)
