"""The stable JSON shapes of accounts, payments and users (CLI output, exports, docs/cli.md).

Fields are only ever added, never renamed or removed. Money is a string (never a float), ids are
bunq's own, timestamps ISO 8601 in UTC.
"""

from __future__ import annotations

from typing import Any

from bunqtui.api.models import Amount, MonetaryAccount, Payment, User
from bunqtui.store.rows import PaymentRow, payment_row


def amount_record(amount: Amount | None) -> dict[str, str] | None:
    if amount is None:
        return None
    return {"value": f"{amount.value:.2f}", "currency": amount.currency}


def account_record(account: MonetaryAccount) -> dict[str, Any]:
    return {
        "id": account.id,
        "type": account.kind,
        "description": account.description,
        "iban": account.iban,
        "balance": amount_record(account.balance),
        "status": account.status,
        "currency": account.currency,
        "display_name": account.display_name,
    }


def payment_record(payment: Payment | PaymentRow) -> dict[str, Any]:
    """The stable shape of a payment, from a ``Payment`` or a cached ``PaymentRow`` alike."""
    return row_record(payment_row(payment))


def row_record(row: PaymentRow) -> dict[str, Any]:
    balance = row.balance_value
    return {
        "id": row.id,
        "created": row.created_text,
        "amount": {"value": row.amount_value, "currency": row.currency},
        "counterparty": {"name": row.counterparty_name, "iban": row.counterparty_iban},
        "description": row.description,
        "type": row.type,
        "sub_type": row.sub_type,
        "balance_after": (
            None if balance is None else {"value": balance, "currency": row.balance_currency}
        ),
        "monetary_account_id": row.monetary_account_id,
    }


def user_record(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "type": user.kind,
        "display_name": user.display_name,
        "public_nick_name": user.public_nick_name,
        "status": user.status,
        "aliases": [{"type": a.type, "value": a.value, "name": a.name} for a in user.alias],
    }
