"""RSA keys and signatures as bunq uses them (docs/protocol.md#signing).

RSA-2048, SHA-256, PKCS#1 v1.5, base64 standard alphabet. Everything is signed and verified over
exact bytes: the caller passes the body it sends or the body it received, never a re-encoding.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

KEY_SIZE = 2048
PUBLIC_EXPONENT = 65537


def generate_key_pair() -> rsa.RSAPrivateKey:
    """A fresh RSA-2048 private key (its public half is ``key.public_key()``)."""
    return rsa.generate_private_key(public_exponent=PUBLIC_EXPONENT, key_size=KEY_SIZE)


def private_key_to_pem(private_key: rsa.RSAPrivateKey) -> str:
    """Unencrypted PKCS#8 PEM; the store keeps it in a 0600 file."""
    return private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def private_key_from_pem(pem: str | bytes) -> rsa.RSAPrivateKey:
    """Load an RSA private key; ValueError (never the key material) if it is not one."""
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise ValueError("not a readable unencrypted PEM private key") from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("the private key is not an RSA key")
    return key


def public_key_pem(key: rsa.RSAPrivateKey | rsa.RSAPublicKey) -> str:
    """SubjectPublicKeyInfo PEM (what bunq calls PKCS#8), with a trailing newline."""
    public = key.public_key() if isinstance(key, rsa.RSAPrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def load_public_key(pem: str | bytes) -> rsa.RSAPublicKey:
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise ValueError("not a readable PEM public key") from exc
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("the public key is not an RSA key")
    return key


def sign(private_key: rsa.RSAPrivateKey, data: bytes) -> str:
    """base64(RSASSA-PKCS1-v1_5(SHA-256(data))): 344 characters for a 2048-bit key."""
    signature = private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode("ascii")


def verify(public_pem: str | bytes | rsa.RSAPublicKey, data: bytes, signature: str) -> bool:
    """True only if ``signature`` is a valid base64 signature of exactly ``data``."""
    try:
        key = (
            public_pem if isinstance(public_pem, rsa.RSAPublicKey) else load_public_key(public_pem)
        )
        raw = base64.b64decode(signature.strip(), validate=True)
        key.verify(raw, data, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError, TypeError, binascii.Error):
        return False
    return True


def psd2_string_to_sign(client_public_pem: str, installation_token: str) -> bytes:
    """docs/protocol.md#psd2: the installation public key PEM without trailing newline, "\\n", the
    token."""
    return (client_public_pem.rstrip("\n") + "\n" + installation_token).encode("ascii")


def psd2_key_signature(
    cert_private_key: rsa.RSAPrivateKey, client_public_pem: str, installation_token: str
) -> str:
    """``client_public_key_signature`` for POST /payment-service-provider-credential."""
    return sign(cert_private_key, psd2_string_to_sign(client_public_pem, installation_token))


def generate_sandbox_certificate(common_name_prefix: str = "bunqtui") -> tuple[str, str]:
    """A self-signed sandbox PSD2 certificate and its private key, both PEM.

    The CN names the AISP and PISP roles (bunq reads roles from it) and ends in a unique
    suffix, because bunq refuses a CN it has seen before. bunq caps the CN at 64 characters.
    """
    # x509 only here: every launch signs and verifies, only a PSD2 setup makes a certificate
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    key = generate_key_pair()
    suffix = uuid.uuid4().hex[:12]
    common_name = f"{common_name_prefix} AISP PISP {suffix}"[-64:].strip()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
    return cert_pem, private_key_to_pem(key)
