"""bunq's own test suite for its Python SDK, run unmodified against the emulator.

The tests come from the sdist on the package registry (`pip download bunq-sdk==1.28.0
--no-binary :all:`, checked against a pinned SHA-256 and cached in ~/.cache/bunqtui-tests).
bunq keeps the suite's base class, config and assets in its repository, not in the sdist, so
tests/sdk_suite/ supplies bunqtui's own: `bunq_test.py` (the base class), `config.py` (the seam:
the SDK's sandbox URL becomes the emulator's) and the assets, made here at test time — a PNG,
a PSD2 certificate with a fresh key, and notification JSON, most of it the emulator's own
answers. The suite then runs in a subprocess against a running emulator (rate limits off: it
opens a session per test class) and must pass whole: 41 passed, nothing failed or skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import time
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path
from typing import Any

import pytest
from emu_client import BunqClient, client_key, new_user, private_pem, self_signed_certificate

from bunqtui.emulator.server import EmulatorServer

pytestmark = pytest.mark.slow

SDK_VERSION = "1.28.0"
SDK_SDIST = f"bunq_sdk-{SDK_VERSION}.tar.gz"
SDK_SHA256 = "d3a6f91fbcf7da01e0b0477b8f93e05290b84b20193e03df9b6a0dde35fb6c12"
SDK_TESTS = 41
HARNESS = Path(__file__).resolve().parents[1] / "sdk_suite"


# the sdist -----------------------------------------------------------------------------------
def _cache_dir() -> Path:
    explicit = os.environ.get("BUNQTUI_TEST_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "bunqtui-tests"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch_sdist() -> Path:
    """The SDK's sdist from the package registry, once; a cached copy is used only if its
    hash is the pinned one (a damaged or swapped file is fetched again)."""
    cache = _cache_dir()
    cached = cache / SDK_SDIST
    if cached.is_file() and _sha256(cached) == SDK_SHA256:
        return cached
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                f"bunq-sdk=={SDK_VERSION}",
                "--no-deps",
                "--no-binary",
                ":all:",
                "--disable-pip-version-check",
                "-d",
                tmp,
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        fetched = Path(tmp) / SDK_SDIST
        assert _sha256(fetched) == SDK_SHA256, "the registry's bunq-sdk sdist is not the pinned one"
        os.replace(fetched, cached)
    return cached


def unpack_tests(sdist: Path, root: Path) -> Path:
    """Only the sdist's tests/ directory, with tarfile's data filter (no links out, no
    absolute paths, no device files)."""
    prefix = f"bunq_sdk-{SDK_VERSION}/"
    with tarfile.open(sdist) as archive:
        members = [m for m in archive.getmembers() if m.name.startswith(prefix + "tests/")]
        for member in members:
            member.name = member.name.removeprefix(prefix)
        archive.extractall(root, members=members, filter="data")
    return root / "tests"


# assets --------------------------------------------------------------------------------------
def png(width: int = 64, height: int = 64) -> bytes:
    """A small RGB gradient PNG, made here (the attachment and avatar tests upload it)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00" + bytes(v for x in range(width) for v in (x * 4 % 256, y * 4 % 256, 0x99))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _first(reply: Any) -> dict[str, Any]:
    assert reply.status == 200, reply.body
    return reply.items[0]


def emulator_objects(server: EmulatorServer) -> dict[str, dict[str, Any]]:
    """Objects as the emulator sends them (anchored), for the notification assets: made and
    read back over HTTP by the independent test client."""
    payer = BunqClient(server.base_url).login(new_user(server.root_url, accounts=4)["api_key"])
    asker = BunqClient(server.base_url, key_slot=1).login(new_user(server.root_url)["api_key"])
    try:
        base = f"/user/{payer.user_id}"
        bank, joint = (
            payer.accounts(kind)[0] for kind in ("monetary-account-bank", "monetary-account-joint")
        )
        account = f"{base}/monetary-account/{bank['id']}"
        payer.post(
            f"{account}/request-inquiry",
            {
                "amount_inquired": {"value": "500.00", "currency": "EUR"},
                "counterparty_alias": {"type": "EMAIL", "value": "sugardaddy@bunq.com"},
                "description": "top up",
                "allow_bunqme": False,
            },
        )
        bravo = {"type": "EMAIL", "value": "bravo@bunq.com"}
        payment_id = _first(payer.pay(bank["id"], "1.25", bravo))["Id"]["id"]
        batch = {
            "payments": [
                {
                    "amount": {"value": "0.50", "currency": "EUR"},
                    "counterparty_alias": bravo,
                    "description": "batch",
                }
            ]
            * 2
        }
        batch_id = _first(payer.post(f"{account}/payment-batch", batch, sign_body=True))["Id"]["id"]
        asker_bank = asker.accounts("monetary-account-bank")[0]
        inquiry_id = _first(
            asker.post(
                f"/user/{asker.user_id}/monetary-account/{asker_bank['id']}/request-inquiry",
                {
                    "amount_inquired": {"value": "3.00", "currency": "EUR"},
                    "counterparty_alias": {
                        "type": "IBAN",
                        "value": bank["alias"][-1]["value"],
                        "name": "payer",
                    },
                    "description": "lunch",
                    "allow_bunqme": False,
                },
            )
        )["Id"]["id"]
        return {
            "Payment": _first(payer.get(f"{account}/payment/{payment_id}")),
            "PaymentBatch": _first(payer.get(f"{account}/payment-batch/{batch_id}")),
            "RequestInquiry": _first(
                asker.get(
                    f"/user/{asker.user_id}/monetary-account/{asker_bank['id']}/request-inquiry/{inquiry_id}"
                )
            ),
            "RequestResponse": _first(payer.get(f"{account}/request-response")),
            "MonetaryAccountBank": _first(payer.get(f"{base}/monetary-account-bank/{bank['id']}")),
            "MonetaryAccountJoint": _first(
                payer.get(f"{base}/monetary-account-joint/{joint['id']}")
            ),
        }
    finally:
        payer.close()
        asker.close()


def _stamp() -> dict[str, Any]:
    return {"created": "2026-11-20 12:00:00.000000", "updated": "2026-11-20 12:00:00.000000"}


# Objects the emulator does not serve (yet): small ones, with fields the SDK's models name.
HANDMADE: dict[str, dict[str, Any]] = {
    "BunqMeTab": {
        "BunqMeTab": {
            "id": 7,
            **_stamp(),
            "monetary_account_id": 1,
            "status": "WAITING_FOR_PAYMENT",
        }
    },
    "DraftPayment": {
        "DraftPayment": {
            "id": 8,
            **_stamp(),
            "monetary_account_id": 1,
            "status": "PENDING",
            "type": "PAYMENT",
        }
    },
    "MasterCardAction": {
        "MasterCardAction": {
            "id": 9,
            **_stamp(),
            "monetary_account_id": 1,
            "card_id": 120001,
            "amount_local": {"currency": "EUR", "value": "4.20"},
            "description": "Coffee Company",
            "authorisation_status": "AUTHORISED",
        }
    },
    "ScheduledPayment": {
        "ScheduledPayment": {"id": 10, **_stamp(), "monetary_account_id": 1, "status": "ACTIVE"}
    },
    "ScheduledInstance": {
        "ScheduledInstance": {"id": 11, **_stamp(), "state": "FINISHED_SUCCESSFULLY"}
    },
    "ShareInviteBankInquiry": {
        "ShareInviteBankInquiry": {
            "id": 12,
            **_stamp(),
            "monetary_account_id": 1,
            "status": "PENDING",
        }
    },
    "ShareInviteBankResponse": {
        "ShareInviteBankResponse": {
            "id": 13,
            **_stamp(),
            "status": "PENDING",
            "description": "Household",
        }
    },
}

# asset file name → (category, event type, the object's key in `objects`)
NOTIFICATIONS = {
    "Mutation": ("MUTATION", "MUTATION_CREATED", "Payment"),
    "BunqMeTab": ("BUNQME_TAB", "BUNQME_TAB_CREATED", "BunqMeTab"),
    "DraftPayment": ("DRAFT_PAYMENT", "DRAFT_PAYMENT_CREATED", "DraftPayment"),
    "MasterCardAction": ("CARD_TRANSACTION_SUCCESSFUL", "CARD_TRANSACTION", "MasterCardAction"),
    "MonetaryAccountBank": (
        "MONETARY_ACCOUNT",
        "MONETARY_ACCOUNT_BANK_CREATED",
        "MonetaryAccountBank",
    ),
    "PaymentBatch": ("PAYMENT", "PAYMENT_BATCH_CREATED", "PaymentBatch"),
    "RequestInquiry": ("REQUEST", "REQUEST_INQUIRY_CREATED", "RequestInquiry"),
    "RequestResponse": ("REQUEST", "REQUEST_RESPONSE_CREATED", "RequestResponse"),
    "ScheduledPayment": (
        "SCHEDULE_RESULT",
        "SCHEDULE_DEFINITION_PAYMENT_CREATED",
        "ScheduledPayment",
    ),
    "ScheduledInstance": ("SCHEDULE_RESULT", "SCHEDULE_INSTANCE_CREATED", "ScheduledInstance"),
    "ShareInviteBankInquiry": (
        "SHARE",
        "SHARE_INVITE_BANK_INQUIRY_CREATED",
        "ShareInviteBankInquiry",
    ),
    "ShareInviteBankResponse": (
        "SHARE",
        "SHARE_INVITE_BANK_RESPONSE_CREATED",
        "ShareInviteBankResponse",
    ),
}


def write_assets(tests: Path, server: EmulatorServer) -> None:
    assets = tests / "assets"
    (assets / "NotificationUrlJsons").mkdir(parents=True, exist_ok=True)
    (assets / "ResponseJsons").mkdir(exist_ok=True)
    (assets / "avatar.png").write_bytes(png())
    key = client_key(7)
    cn = f"bunqtui SDK suite PISP AISP {time.time_ns()}"
    (tests / "certificate.pem").write_text(self_signed_certificate(cn, key))
    (tests / "key.pem").write_text(private_pem(key))
    objects = {**HANDMADE, **emulator_objects(server)}
    for name, (category, event_type, kind) in NOTIFICATIONS.items():
        notification = {
            "NotificationUrl": {
                "target_url": "https://example.com/bunq-callback",
                "category": category,
                "event_type": event_type,
                "object": objects[kind],
            }
        }
        (assets / "NotificationUrlJsons" / f"{name}.json").write_text(json.dumps(notification))
    joint = objects["MonetaryAccountJoint"]["MonetaryAccountJoint"]  # the object, no anchor
    (assets / "ResponseJsons" / "MonetaryAccountJoint.json").write_text(json.dumps(joint))


def prepare_suite(root: Path, server: EmulatorServer) -> Path:
    tests = unpack_tests(fetch_sdist(), root)
    for name in ("bunq_test.py", "config.py"):
        shutil.copyfile(HARNESS / name, tests / name)
    # A package, as in bunq's repository: otherwise pytest puts tests/ itself on sys.path and
    # the suite's tests/http shadows the standard library's http.
    (tests / "__init__.py").write_text("")
    write_assets(tests, server)
    return tests


# the run -------------------------------------------------------------------------------------
def run_suite(root: Path, server: EmulatorServer) -> ET.Element:
    report = root / "report.xml"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(
        {
            "BUNQTUI_SDK_SUITE_API": server.base_url,
            "BUNQTUI_SDK_SUITE_SUGAR_WAIT": "0",  # the fixture's Sugar Daddy pays at once
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",  # puts the suite's root on sys.path, so `tests.bunq_test` imports
            "pytest",
            "tests",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "-o",
            "addopts=",
            f"--junitxml={report}",
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert report.is_file(), done.stdout[-4000:] + done.stderr[-4000:]
    suite = ET.parse(report).getroot()  # noqa: S314 - written by the pytest run above
    suite = suite if suite.tag == "testsuite" else suite[0]
    failed = [
        f"{case.get('classname')}.{case.get('name')}: {child.get('message', '')[:300]}"
        for case in suite.iter("testcase")
        for child in case
        if child.tag in ("failure", "error", "skipped")
    ]
    assert not failed, "\n".join(failed) + "\n" + done.stdout[-4000:]
    return suite


def test_bunq_sdk_own_suite_passes_against_the_emulator(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    prepare_suite(tmp_path, emulator)
    suite = run_suite(tmp_path, emulator)
    counts = {k: int(suite.get(k, "0")) for k in ("tests", "failures", "errors", "skipped")}
    assert counts == {"tests": SDK_TESTS, "failures": 0, "errors": 0, "skipped": 0}
