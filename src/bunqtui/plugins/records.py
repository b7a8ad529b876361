"""The stable JSON shapes of accounts, payments and users (CLI output, exports, docs/cli.md).

Fields are only ever added, never renamed or removed. Money is a string (never a float), ids are
bunq's own, timestamps ISO 8601 in UTC.
"""

from __future__ import annotations

from typing import Any

from bunqtui.api.models import Amount, MonetaryAccount, Payment, User


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


def payment_record(payment: Payment) -> dict[str, Any]:
    counterparty = payment.counterparty_alias
    return {
        "id": payment.id,
        "created": payment.created.isoformat() if payment.created else None,
        "amount": amount_record(payment.amount),
        "counterparty": {
            "name": counterparty.display_name if counterparty else None,
            "iban": counterparty.iban if counterparty else None,
        },
        "description": payment.description,
        "type": payment.type,
        "sub_type": payment.sub_type,
        "balance_after": amount_record(payment.balance_after),
        "monetary_account_id": payment.monetary_account_id,
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
