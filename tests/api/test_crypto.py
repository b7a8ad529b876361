from __future__ import annotations

import base64

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from bunqtui.api import crypto

KEY = crypto.generate_key_pair()
PUB = crypto.public_key_pem(KEY)


def test_key_is_rsa_2048_and_round_trips_through_pem() -> None:
    assert KEY.key_size == 2048
    pem = crypto.private_key_to_pem(KEY)
    assert pem.startswith("-----BEGIN PRIVATE KEY-----")
    again = crypto.private_key_from_pem(pem)
    assert crypto.public_key_pem(again) == PUB
    assert PUB.startswith("-----BEGIN PUBLIC KEY-----") and PUB.endswith("\n")


def test_bad_pem_raises_value_error_without_echoing_it() -> None:
    with pytest.raises(ValueError) as info:
        crypto.private_key_from_pem("-----BEGIN PRIVATE KEY-----\nsecretstuff\n")
    assert "secretstuff" not in str(info.value)


def test_signature_is_pkcs1v15_sha256_base64_344_chars() -> None:
    body = b'{"secret":"x"}'
    signature = crypto.sign(KEY, body)
    assert len(signature) == 344
    # independent check with the cryptography primitives
    KEY.public_key().verify(base64.b64decode(signature), body, padding.PKCS1v15(), hashes.SHA256())
    assert crypto.verify(PUB, body, signature)


def test_verify_is_over_exact_bytes() -> None:
    body = b'{"a":"b\\/c"}'
    signature = crypto.sign(KEY, body)
    assert not crypto.verify(PUB, b'{"a":"b/c"}', signature)  # a re-encoding differs
    assert not crypto.verify(PUB, body + b"\n", signature)
    other = crypto.public_key_pem(crypto.generate_key_pair())
    assert not crypto.verify(other, body, signature)


@settings(max_examples=50)
@given(st.binary(max_size=64), st.text(max_size=400))
def test_verify_never_raises_on_garbage(data: bytes, signature: str) -> None:
    assert crypto.verify(PUB, data, signature) is False


def test_verify_with_garbage_key_is_false() -> None:
    assert crypto.verify("not a key", b"x", crypto.sign(KEY, b"x")) is False


def test_psd2_signature_string_strips_the_trailing_newline() -> None:
    token = "ab" * 32
    assert crypto.psd2_string_to_sign(PUB, token) == (PUB.rstrip("\n") + "\n" + token).encode()
    assert crypto.psd2_string_to_sign(PUB.rstrip("\n"), token) == crypto.psd2_string_to_sign(
        PUB, token
    )
    cert_key = crypto.generate_key_pair()
    signature = crypto.psd2_key_signature(cert_key, PUB, token)
    assert crypto.verify(
        crypto.public_key_pem(cert_key), crypto.psd2_string_to_sign(PUB, token), signature
    )


def test_sandbox_certificate_is_self_signed_with_roles_and_unique_cn() -> None:
    cert_pem, key_pem = crypto.generate_sandbox_certificate("Acme")
    cert = x509.load_pem_x509_certificate(cert_pem.encode())
    cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert "AISP" in cn and "PISP" in cn and cn.startswith("Acme") and len(cn) <= 64
    assert cert.issuer == cert.subject
    key = crypto.private_key_from_pem(key_pem)
    assert crypto.public_key_pem(key) == crypto.public_key_pem(cert.public_key())
    other_pem, _ = crypto.generate_sandbox_certificate("Acme")
    other = x509.load_pem_x509_certificate(other_pem.encode())
    assert other.subject != cert.subject
