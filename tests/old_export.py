"""What `bunqtui payments` and the exporters wrote before they streamed: the code that loaded
every payment (parsed from its stored JSON) and then wrote it, kept as the oracle the streamed
output must equal byte for byte."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from bunqtui.api.models import Payment
from bunqtui.untrusted import csv_cell, json_text


def old_record(payment: Payment) -> dict[str, Any]:
    def amount(a: Any) -> dict[str, str] | None:
        return None if a is None else {"value": f"{a.value:.2f}", "currency": a.currency}

    other = payment.counterparty_alias
    return {
        "id": payment.id,
        "created": payment.created.isoformat() if payment.created else None,
        "amount": amount(payment.amount),
        "counterparty": {
            "name": other.display_name if other else None,
            "iban": other.iban if other else None,
        },
        "description": payment.description,
        "type": payment.type,
        "sub_type": payment.sub_type,
        "balance_after": amount(payment.balance_after),
        "monetary_account_id": payment.monetary_account_id,
    }


def old_json(payments: list[Payment]) -> str:
    return json_text([old_record(p) for p in payments]) + "\n"


def old_csv(payments: list[Payment]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            *("id", "created", "amount", "currency", "counterparty_name", "counterparty_iban"),
            *("description", "type", "balance_after", "monetary_account_id"),
        ]
    )
    for p in payments:
        r = old_record(p)
        after = r["balance_after"] or {}
        writer.writerow(
            [
                r["id"],
                csv_cell(r["created"]),
                r["amount"]["value"],
                csv_cell(r["amount"]["currency"]),
                csv_cell(r["counterparty"]["name"]),
                csv_cell(r["counterparty"]["iban"]),
                csv_cell(r["description"]),
                csv_cell(r["type"]),
                after.get("value", ""),
                r["monetary_account_id"] or "",
            ]
        )
    return out.getvalue()


def old_table(payments: list[Payment], capsys: pytest.CaptureFixture[str]) -> str:
    """What `payments --format table` printed before: every row built, then print_table."""
    from bunqtui.cli.common import print_table

    rows = []
    for p in payments:
        r = old_record(p)
        description = r["description"] or ""
        rows.append(
            [
                r["id"],
                (p.created.astimezone().strftime("%Y-%m-%d %H:%M") if p.created else ""),
                f"{r['amount']['value']} {r['amount']['currency']}",
                r["counterparty"]["name"],
                description if len(description) <= 40 else description[:39] + "…",
            ]
        )
    capsys.readouterr()
    print_table(["ID", "DATE", "AMOUNT", "COUNTERPARTY", "DESCRIPTION"], rows)
    return capsys.readouterr().out
