"""A payment as the cache's columns hold it: the strings of its stable record, no JSON to parse.

Rebuilding a ``Payment`` from bunq's stored JSON costs ~125 µs a row; an export or a table of
100,000 payments cannot afford it. The cache therefore keeps, next to the raw JSON, the fields
that views and exports show, already as the text the stable record (``bunqtui.plugins.records``)
has: amounts with two decimals, the time in ISO 8601. A ``PaymentRow`` is one such row.

``PaymentRow.of(payment)`` is the one place those strings are made (when a page is stored, and
for a ``Payment`` handed to an exporter), so a row read back prints exactly as the payment it
came from. For exporters written against ``Payment`` it also reads like one: ``id``,
``created``, ``amount``, ``description``, ``type``, ``sub_type``, ``counterparty_alias``,
``balance_after`` and ``monetary_account_id`` have the same names and types (built on access,
so the built-in exporters, which use the strings, never pay for them). Amounts are to the cent,
as the record shows them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from bunqtui.api.models import Amount, LabelMonetaryAccount, Payment


def _money(amount: Amount) -> str:
    return f"{amount.value:.2f}"


class PaymentRow(NamedTuple):
    """One cached payment, in the cache's column order (``Cache.ROW_COLUMNS``)."""

    id: int
    created_text: str | None  # ISO 8601 in UTC, e.g. 2026-01-02T03:04:05.000006+00:00
    amount_value: str  # two decimals, e.g. -12.50
    currency: str
    counterparty_name: str | None
    counterparty_iban: str | None
    description: str | None
    type: str | None
    sub_type: str | None
    balance_value: str | None  # None: bunq sent no balance after the payment
    balance_currency: str | None
    monetary_account_id: int | None

    @classmethod
    def of(cls, payment: Payment) -> PaymentRow:
        other = payment.counterparty_alias
        after = payment.balance_after
        return cls(
            payment.id,
            payment.created.isoformat() if payment.created else None,
            _money(payment.amount),
            payment.amount.currency,
            other.display_name if other else None,
            other.iban if other else None,
            payment.description,
            payment.type,
            payment.sub_type,
            _money(after) if after is not None else None,
            after.currency if after is not None else None,
            payment.monetary_account_id,
        )

    # --- read like a Payment ------------------------------------------------------------------

    @property
    def created(self) -> dt.datetime | None:
        text = self.created_text
        return dt.datetime.fromisoformat(text) if text is not None else None

    @property
    def amount(self) -> Amount:
        return Amount(Decimal(self.amount_value), self.currency)

    @property
    def balance_after(self) -> Amount | None:
        if self.balance_value is None:
            return None
        return Amount(Decimal(self.balance_value), self.balance_currency or "")

    @property
    def counterparty_alias(self) -> LabelMonetaryAccount | None:
        if self.counterparty_name is None and self.counterparty_iban is None:
            return None
        return LabelMonetaryAccount(self.counterparty_iban, self.counterparty_name)


def payment_row(payment: Payment | PaymentRow) -> PaymentRow:
    """A row for either kind (exporters take both)."""
    return payment if isinstance(payment, PaymentRow) else PaymentRow.of(payment)
