"""One payment as a journal entry, checked once for every format here.

Amounts, times and currencies come from bunq through the cache (a file on disk): they are
checked here, not trusted, because each is written into a journal unquoted. A payment that
cannot be one entry (no time, an amount that is not a number) becomes a ``Skipped``, which the
formats write as a comment naming its id, so nothing vanishes silently.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import NamedTuple

from bunqtui.api.models import Payment
from bunqtui.plugins.exporter import PaymentRow, payment_row

ASSETS = "Assets:Bunq"  # + ":<monetary account id>"
EXPENSES = "Expenses:Unknown"  # the other side of money out
INCOME = "Income:Unknown"  # the other side of money in
NO_CURRENCY = "XXX"  # ISO 4217's "no currency", for a code that is not letters
# payments per write: one write per batch keeps a closed pipe noticed early (as the built-ins)
BATCH = 256

_AMOUNT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_CURRENCY = re.compile(r"[A-Z]{2,24}")  # beancount's and ledger's unquoted commodity subset


class Entry(NamedTuple):
    id: int
    created: dt.datetime  # aware, as bunq sent it (UTC)
    date: dt.date  # the local date, as bunq's app and bunqtui's tables show it
    account_id: int | None
    account: str  # Assets:Bunq:7
    counter: str  # Expenses:Unknown or Income:Unknown
    amount: str  # "-12.50": the account's side
    negated: str  # "12.50": the other side
    currency: str
    payee: str | None  # the counterparty's name: someone else's text
    narration: str | None  # the description: someone else's text
    balance: str | None  # the account's balance after it, when bunq sent one


class Skipped(NamedTuple):
    id: int
    reason: str  # our own words (no outside text)


def _negate(amount: str) -> str:
    return amount[1:] if amount.startswith("-") else "-" + amount


def currency(code: str | None) -> str:
    return code if code is not None and _CURRENCY.fullmatch(code) else NO_CURRENCY


def entry(payment: PaymentRow | Payment) -> Entry | Skipped:
    row = payment_row(payment)
    ident = int(row.id)
    try:
        created = row.created
    except ValueError:  # a damaged cache row
        created = None
    if created is None or created.tzinfo is None:
        return Skipped(ident, "no valid time")
    if not _AMOUNT.fullmatch(row.amount_value or ""):
        return Skipped(ident, "no valid amount")
    account_id = int(row.monetary_account_id) if row.monetary_account_id is not None else None
    balance = row.balance_value
    return Entry(
        id=ident,
        created=created,
        date=created.astimezone().date(),
        account_id=account_id,
        account=f"{ASSETS}:{account_id}" if account_id is not None else ASSETS,
        counter=EXPENSES if row.amount_value.startswith("-") else INCOME,
        amount=row.amount_value,
        negated=_negate(row.amount_value),
        currency=currency(row.currency),
        payee=row.counterparty_name,
        narration=row.description,
        balance=balance if balance is not None and _AMOUNT.fullmatch(balance) else None,
    )


def batches(payments: Iterable[PaymentRow | Payment]) -> Iterator[list[Entry | Skipped]]:
    """``payments`` as entries, ``BATCH`` at a time (one pass; memory bounded by a batch)."""
    items = map(entry, payments)
    while chunk := list(islice(items, BATCH)):
        yield chunk
