"""A payment batch: several payments from one account, confirmed once, sent once.

- **Validated before sent.** :func:`parse_batch` reads CSV with the header
  ``to,name,amount,description`` (and an optional ``currency`` column) and checks every row
  with core's parsers; :func:`plan_batch` checks what needs the account (currency, a name for
  an outside IBAN, the daily limit on the total). Any bad row is a :class:`MoneyInputError`
  naming its line, and nothing is sent.
- **Shown before sent.** The plan's :class:`Confirmation` lists every entry and the total; a
  warning when the cached balance is below the total (bunq's answer decides).
- **Never twice.** The batch is one signed ``POST …/payment-batch``, never resent. bunq books
  all of it or none. When the answer is lost, bunq's own record is read: the account's batches
  made after the newest one at plan time (``batch_floor``, read from bunq, not the cache),
  following newer pages up to now. A batch with the same entries (amount, description, and the
  IBAN where the row named one) made after we sent it means it went through, and its payment
  ids are reported; a look-up that could not read every newer batch reports "unknown", never
  "did not go through".
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bunqtui.api.errors import BunqError, PaginationError
from bunqtui.api.models import Amount, MonetaryAccount, Payment
from bunqtui.api.models_money import PaymentBatch
from bunqtui.core.money import (
    LOOKUP_SKEW,
    LOST,
    MAX_LOOKUP_PAGES,
    REFRESH_ERRORS,
    Confirmation,
    MoneyDesk,
    MoneyInputError,
    Outcome,
    Payee,
    account_label,
    amount_record,
    answer_lost,
    parse_amount,
    parse_description,
    parse_payee,
    payment_record,
    unrefreshed,
)
from bunqtui.core.opened import Identity

if TYPE_CHECKING:
    from bunqtui.api.sync_client import SyncBunqClient

HEADER = ("to", "name", "amount", "description")
OPTIONAL = ("currency",)
MAX_BATCH = 100  # bunq documents no limit; a batch this size fits one page of the look-up
MAX_FILE_BYTES = 1_000_000  # a hundred rows are a few kB; more is not a batch file
MAX_REPORTED = 5  # bad lines named in one message
# batches per look-up page: each holds up to 100 payments, and bunq's answer must stay small
BATCH_PAGE = 20


@dataclass(frozen=True)
class BatchEntry:
    """One row of a batch, checked; ``line`` is where it starts in the file (1-based)."""

    line: int
    payee: Payee
    amount: Decimal
    description: str
    currency: str | None = None


@dataclass(frozen=True)
class BatchPlan:
    identity: Identity
    account: MonetaryAccount
    entries: tuple[BatchEntry, ...]
    total: Decimal
    own_target: bool  # some payee is one of this identity's accounts: refresh them all after
    confirmation: Confirmation
    floor: int = 0  # bunq's newest payment id at plan time (0: none): the refresh starts there
    batch_floor: int = 0  # bunq's newest batch id at plan time: only a newer one can be ours

    @property
    def currency(self) -> str:
        return self.account.currency or "EUR"


def _bad(problems: list[str]) -> MoneyInputError:
    """One error for every bad row (the first few named), so a file is fixed in one go."""
    shown = "; ".join(problems[:MAX_REPORTED])
    more = len(problems) - MAX_REPORTED
    if more > 0:
        shown += f"; and {more} more bad row{'s' if more > 1 else ''}"
    return MoneyInputError(
        shown, "nothing was sent; fix the file (header: to,name,amount,description)"
    )


def load_batch_file(path: Path) -> str:
    """A batch file's text (UTF-8, a BOM allowed), or MoneyInputError: nothing is sent."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise MoneyInputError(f"{path} is larger than {MAX_FILE_BYTES} bytes: not a batch")
        # a device or a FIFO says size 0 and may never end: read one byte past the cap, no more
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise MoneyInputError(f"there is no file {path}") from None
    except IsADirectoryError:
        raise MoneyInputError(f"{path} is a directory, not a CSV file") from None
    except OSError as exc:
        raise MoneyInputError(f"cannot read {path}: {exc.strerror or exc}") from None
    return decode_batch(data, str(path))


def decode_batch(data: bytes, where: str) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise MoneyInputError(f"{where} is larger than {MAX_FILE_BYTES} bytes: not a batch")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MoneyInputError(
            f"{where} is not UTF-8 text (byte {exc.start})", "save the CSV as UTF-8"
        ) from None


def parse_batch(text: str) -> list[BatchEntry]:
    """Every row checked (amount, payee, description, currency's shape); MoneyInputError
    naming each bad line, or when there are no rows or more than ``MAX_BATCH``."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    columns: list[str] | None = None
    entries: list[BatchEntry] = []
    problems: list[str] = []
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise _bad([f"line {reader.line_num}: not CSV ({exc})"]) from None
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue  # a blank line
        if columns is None:
            columns = [cell.strip().lower() for cell in row]
            while columns and not columns[-1]:
                columns.pop()  # a spreadsheet's trailing empty columns
            if tuple(columns[:4]) != HEADER or not set(columns[4:]) <= set(OPTIONAL):
                raise _bad([f"line {line}: the header must be to,name,amount,description"])
            twice = sorted({c for c in columns if columns.count(c) > 1})
            if twice:
                raise _bad([f"line {line}: the column {', '.join(twice)} appears more than once"])
            continue
        if len(row) > len(columns) and not any(cell.strip() for cell in row[len(columns) :]):
            row = row[: len(columns)]  # the empty cells under trailing empty columns
        if len(row) != len(columns):
            problems.append(f"line {line}: {len(row)} cells where the header has {len(columns)}")
            continue
        cells = dict(zip(columns, row, strict=True))
        try:
            entries.append(_entry(line, cells))
        except MoneyInputError as exc:
            problems.append(f"line {line}: {exc.message}")
    if problems:
        raise _bad(problems)
    if not entries:
        raise MoneyInputError(
            "the batch has no payments", "one row per payment under to,name,amount,description"
        )
    if len(entries) > MAX_BATCH:
        raise MoneyInputError(
            f"the batch has {len(entries)} payments; at most {MAX_BATCH} go in one batch"
        )
    return entries


def _entry(line: int, cells: dict[str, str]) -> BatchEntry:
    to, name = cells["to"], cells["name"].strip()
    if not to.strip():
        raise MoneyInputError("no payee (an IBAN, e-mail or phone in the to column)")
    payee = parse_payee(to, name or None)
    amount = parse_amount(cells["amount"])
    description = parse_description(cells["description"])
    currency = cells.get("currency", "").strip().upper() or None
    if currency is not None and not (len(currency) == 3 and currency.isalpha()):
        raise MoneyInputError(f"currency {cells['currency']!r} is not a currency code")
    return BatchEntry(line, payee, amount, description, currency)


def plan_batch(
    desk: MoneyDesk, identity: Identity, account_id: int, entries: list[BatchEntry]
) -> BatchPlan:
    """Check what needs the account and what to show (1 request: the accounts; 2 when the
    cache holds none of the account's payments yet)."""
    account, accounts = desk.account(identity, account_id)
    currency = account.currency or "EUR"
    problems: list[str] = []
    checked: list[BatchEntry] = []
    own_target = False
    for entry in entries:
        payee = entry.payee
        own = next((a for a in accounts if payee.type == "IBAN" and a.iban == payee.value), None)
        if entry.currency is not None and entry.currency != currency:
            problems.append(f"line {entry.line}: {entry.currency}, but the account pays {currency}")
        elif own is not None and own.id == account.id:
            problems.append(f"line {entry.line}: the payee is the account that pays")
        elif own is None and identity.kind == "connected":
            # an OAuth grant pays others only by a draft, one by one (`pay`)
            problems.append(
                f"line {entry.line}: a connected user's batch may pay only their own accounts"
            )
        elif own is None and payee.type == "IBAN" and payee.name is None:
            problems.append(f"line {entry.line}: a payment to an IBAN needs the payee's name")
        if own is not None:
            own_target = True
            payee = replace(payee, name=own.description or own.display_name or payee.name)
        checked.append(replace(entry, payee=payee))
    if problems:
        raise _bad(problems)
    total = sum((e.amount for e in checked), Decimal("0.00"))
    limit = account.daily_limit
    if limit is not None and limit.currency == currency and total > limit.value:
        raise MoneyInputError(
            f"the batch's total {total:.2f} {currency} is above this account's daily limit "
            f"of {limit}"
        )
    warnings = []
    balance = account.balance
    if balance is not None and balance.currency == currency and total > balance.value:
        warnings.append(
            f"the balance is {balance} (as last seen); bunq will refuse the whole batch "
            "unless the account may go below zero"
        )
    warnings += _duplicates(checked)
    count = len(checked)
    lines = [("from", account_label(account))]
    lines += [
        (f"#{i}", f"{e.amount:.2f} {currency} to {e.payee.shown()} · {e.description}")
        for i, e in enumerate(checked, 1)
    ]
    lines.append(("total", f"{total:.2f} {currency} in {count} payment{'s' * (count != 1)}"))
    # read from bunq now, so that after the yes only the batch itself is sent
    floor = desk.payment_floor(identity, account.id)
    batch_floor = _newest_batch(desk.client(identity), account.id)
    return BatchPlan(
        identity,
        account,
        tuple(checked),
        total,
        own_target,
        Confirmation(
            "Payment batch: all are paid, or none",
            tuple(lines),
            tuple(warnings),
            "Send this payment?" if count == 1 else f"Send these {count} payments?",
        ),
        floor,
        batch_floor,
    )


def _duplicates(entries: list[BatchEntry]) -> list[str]:
    """A warning per payment that appears more than once: each copy is paid."""
    lines: dict[tuple[Any, ...], list[int]] = {}
    for e in entries:
        lines.setdefault((e.payee.type, e.payee.value, e.amount, e.description), []).append(e.line)
    return [
        f"lines {', '.join(map(str, found))} are the same payment; each one is paid"
        for found in lines.values()
        if len(found) > 1
    ]


def _newest_batch(client: SyncBunqClient, account_id: int) -> int:
    """bunq's newest batch id on the account (0: none), 1 request."""
    page = client.list_payment_batches(None, account_id, count=1)
    return max((b.id for b in page.items if b.id is not None), default=0)


def batch_record(
    batch_id: int | None, status: str, plan: BatchPlan, payments: list[Payment]
) -> dict[str, Any]:
    """What ``--json`` prints: the batch (``id``, ``status``), its total and its payments."""
    return {
        "id": batch_id,
        "type": "payment-batch",
        "status": status,
        "total": amount_record(plan.total, plan.currency),
        "payments": [payment_record(p) for p in payments],
    }


def pay_batch(desk: MoneyDesk, plan: BatchPlan) -> Outcome:
    """Send the batch once; look it up when the answer is lost."""
    client = desk.client(plan.identity)
    account_id = plan.account.id
    sent_at = desk.now()
    orders = [
        (Amount(e.amount, plan.currency), e.payee.pointer(), e.description) for e in plan.entries
    ]
    try:
        batch_id = client.create_payment_batch(None, account_id, orders)
    except BunqError as exc:
        if not answer_lost(exc):
            raise
        return _look_up(desk, plan, sent_at)
    # bunq answered with an id: it is paid, whatever happens to the refresh
    n = len(plan.entries)
    paid = f"Paid: batch {batch_id}, {n} payment{'' if n == 1 else 's'}"
    try:
        newer = desk.refresh_after(plan.identity, account_id, plan.floor, own=plan.own_target)
    except REFRESH_ERRORS as exc:
        return Outcome(
            True,
            f"{paid}.{unrefreshed(exc)}",
            batch_record(batch_id, "BOOKED", plan, []),
            note=unrefreshed(exc),
        )
    mine = [p for p in newer.payments if p.raw.get("batch_id") == batch_id]
    ids = ", ".join(str(p.id) for p in reversed(mine))
    shown = f" (payment ids {ids})" if mine else ""
    return Outcome(
        True,
        f"{paid}{shown}.{newer.note()}",
        batch_record(batch_id, "BOOKED", plan, mine),
        note=newer.note(),
    )


def _counterparty_iban(payment: Payment) -> str | None:
    alias = payment.counterparty_alias
    return alias.iban if alias is not None else None


def _ours(plan: BatchPlan, payments: tuple[Payment, ...], sent_at: dt.datetime) -> bool:
    """A batch bunq lists is ours: the same entries — amount and description, and the IBAN
    where the row named one (bunq shows an e-mail or phone payee by the IBAN the money landed
    on, which may well be another row's IBAN) — none made before we sent it."""
    if len(payments) != len(plan.entries):
        return False
    if any(p.created is not None and p.created < sent_at - LOOKUP_SKEW for p in payments):
        return False
    left = Counter((p.amount.value, p.description, _counterparty_iban(p)) for p in payments)
    by_alias: Counter[tuple[Decimal, str | None]] = Counter()
    for e in plan.entries:
        if e.payee.type != "IBAN":
            by_alias[(-e.amount, e.description)] += 1
            continue
        key = (-e.amount, e.description, e.payee.value)
        if left[key] == 0:
            return False
        left[key] -= 1
    # what the IBAN rows did not take must be exactly the e-mail and phone rows
    rest: Counter[tuple[Decimal, str | None]] = Counter()
    for (amount, text, _iban), n in left.items():
        rest[(amount, text)] += n
    return +rest == +by_alias


def _batches_after(
    client: SyncBunqClient, account_id: int, floor: int
) -> tuple[list[PaymentBatch], bool]:
    """The account's batches bunq made after ``floor``, and whether that is all of them
    (following newer pages up to now, at most ``MAX_LOOKUP_PAGES``)."""
    if not floor:  # no batch existed at plan time: the newest page holds every one, or not
        page = client.list_payment_batches(None, account_id, count=BATCH_PAGE)
        return list(page.items), not page.has_older
    found: list[PaymentBatch] = []
    cursor = floor
    for _ in range(MAX_LOOKUP_PAGES):
        page = client.list_payment_batches(None, account_id, count=BATCH_PAGE, newer_id=cursor)
        ids = [b.id for b in page.items]
        if any(i is not None and i <= cursor for i in ids):
            raise PaginationError(
                f"bunq answered a request for batches newer than {cursor} with older ones, "
                "so bunqtui stopped reading"
            )
        found.extend(page.items)
        known = [i for i in ids if i is not None]
        if not page.items or not page.newer_url or not known:
            return found, not page.newer_url
        cursor = max(known)
    return found, False


def _look_up(desk: MoneyDesk, plan: BatchPlan, sent_at: dt.datetime) -> Outcome:
    account_id = plan.account.id
    unknown = Outcome(
        None,
        "",
        batch_record(None, "UNKNOWN", plan, []),
        looked_up=True,
    )
    check = f"Check `bunqtui payments --account {account_id}` before paying again."
    try:
        batches, complete = _batches_after(desk.client(plan.identity), account_id, plan.batch_floor)
    except BunqError as exc:
        unknown.message = (
            "The outcome is unknown: bunq's answer was lost and looking it up failed "
            f"({exc}). {check}"
        )
        return unknown
    mine = [
        b
        for b in batches
        if b.id is not None and b.id > plan.batch_floor and _ours(plan, b.payments, sent_at)
    ]
    if mine:
        batch = min(mine, key=lambda b: b.id or 0)  # the first one made after the floor
        payments = sorted(batch.payments, key=lambda p: p.id, reverse=True)
        ids = ", ".join(str(p.id) for p in reversed(payments))
        try:  # the views learn it too; the answer stands either way
            note = desk.refresh_after(
                plan.identity, account_id, plan.floor, own=plan.own_target
            ).note()
        except REFRESH_ERRORS as exc:
            note = unrefreshed(exc)
        return Outcome(
            True,
            f"{LOST}it went through (batch {batch.id}: payment ids {ids}).{note}",
            batch_record(batch.id, "BOOKED", plan, payments),
            looked_up=True,
            note=note,
        )
    if not complete:
        unknown.message = (
            f"{LOST}it was not among the {len(batches)} batches read, but more were made "
            f"since; the outcome is unknown. {check}"
        )
        return unknown
    return Outcome(
        False,
        f"{LOST}it did not go through. Nothing was paid.",
        batch_record(None, "NOT_BOOKED", plan, []),
        looked_up=True,
    )


__all__ = [
    "MAX_BATCH",
    "BatchEntry",
    "BatchPlan",
    "batch_record",
    "decode_batch",
    "load_batch_file",
    "parse_batch",
    "pay_batch",
    "plan_batch",
]
