"""A corpus of hostile strings, and a way to make them arrive as real payments.

Every string here is text someone else can put in front of a bunqtui user: a payment's
description, the sender's name. ``send_hostile_payments`` makes a fresh emulator user whose
display name is hostile and pays the target IBAN once per corpus entry through the public API
(signed, exactly as another bunq customer would), so the strings reach bunqtui the way they
would in real life: through bunq's answers.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent / "emulator"))
from emu_client import BunqClient, control

# name → text; the names say what each probes
HOSTILE: dict[str, str] = {
    "markup_close": "[/x] closing tag",
    "markup_link": "[link=https://evil.example]click[/link]",
    "markup_action": "[@click=app.quit]quit[/]",
    "markup_bold": "[bold]FAKE[/bold] payee",
    "csi_clear": "\x1b[2J\x1b[Hscreen cleared",
    "osc_title": "\x1b]0;pwned title\x07title set",
    "osc8_link": "\x1b]8;;https://evil.example\x1b\\hidden link\x1b]8;;\x1b\\",
    "bel_cr": "ring\x07\rover",
    "c1_csi": "c1\x9b2Jcontrol",
    "bidi": "invoice \u202egnp.exe\u202c end \u2066iso\u2069",
    "newlines_tabs": "line one\nline two\tand a tab",
    "formula": '=HYPERLINK("https://evil.example","x")',
    "formula_plus": "+31 6 1234 5678",
    "formula_at": "@SUM(A1:A9)",
    "rtl": "تحويل إلى الحساب",
    "emoji": "coffee ☕️ 👩‍👩‍👧‍👦 🇳🇱",
    "combining": "Z\u0351\u0352\u0353a\u0354\u0355l\u0356\u0357g\u0358o",
    "long": "long " * 40,
    "huge": "x" * 10_000,
}

# what must never reach a terminal: ESC, BEL, CR, C1 CSI, bidi overrides/isolates
RAW_CONTROLS = ["\x1b", "\x07", "\r", "\x9b", "\u202e", "\u2066"]

# bunq takes up to 9,000 characters of description between its own accounts
DESCRIPTION_LIMIT = 9000
HOSTILE_NAME = "[/x] " + HOSTILE["osc_title"] + " \u202eevil"


def _top_up(client: BunqClient, account_id: int) -> None:
    """Ask Sugar Daddy for €10 and wait until it is booked (the emulator may delay it)."""
    base = f"/user/{client.user_id}/monetary-account/{account_id}"
    reply = client.post(
        f"{base}/request-inquiry",
        {
            "amount_inquired": {"value": "10.00", "currency": "EUR"},
            "counterparty_alias": {"type": "EMAIL", "value": "sugardaddy@bunq.com"},
            "description": "top up",
            "allow_bunqme": False,
        },
    )
    assert reply.status == 200, reply.body
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if client.get(f"{base}/payment").items:
            return
        time.sleep(0.05)
    raise AssertionError("Sugar Daddy did not pay within 10 s")


def send_hostile_payments(
    root_url: str, base_url: str, to_iban: str, to_name: str = "Anna Visser"
) -> dict[str, Any]:
    """From a fresh user named ``HOSTILE_NAME``: one payment of 0.01 per corpus entry.

    Returns ``{"user_id", "descriptions": [what was sent, in order]}``. The 10 kB entry is cut to
    bunq's limit (the emulator refuses what bunq refuses).
    """
    # the control API names the user; a company shows its name as is
    made = control(
        root_url,
        "POST",
        "users",
        {"kind": "company", "accounts": 1, "payments": 0, "name": HOSTILE_NAME},
    )
    client = BunqClient(base_url, key_slot=5).login(made["api_key"])
    try:
        account = client.accounts("monetary-account-bank")[0]
        _top_up(client, account["id"])
        sent = []
        for text in HOSTILE.values():
            reply = client.pay(
                account["id"],
                "0.01",
                {"type": "IBAN", "value": to_iban, "name": to_name},
                description=text[:DESCRIPTION_LIMIT],
            )
            assert reply.status == 200, reply.body
            sent.append(text[:DESCRIPTION_LIMIT])
        return {"user_id": made["user_id"], "descriptions": sent}
    finally:
        client.close()
