"""Typed views of the objects that move money or ask for it (docs/protocol.md#objects):
``RequestResponse`` (a request someone sent you), ``BunqMeTab`` (a bunq.me link),
``DraftPayment`` (a payment the user approves in the bunq app), ``SchedulePayment`` and
``PaymentBatch`` (several payments booked at once).

Same rules as :mod:`bunqtui.api.models`: ``raw`` keeps bunq's JSON, unknown keys are ignored,
optional ones may be missing, and ``from_json`` raises only ``ProtocolError``. Names and
descriptions here are written by other people: untrusted text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from bunqtui.api.errors import ProtocolError
from bunqtui.api.models import (
    Amount,
    Json,
    LabelMonetaryAccount,
    Payment,
    _int,
    _obj,
    _opt_int,
    _str,
    anchor,
    parse_timestamp,
    request_fields,
)


def _opt_dict(value: Any, what: str) -> Json:
    return {} if value is None else _obj(value, what)


@dataclass(frozen=True, slots=True)
class RequestResponse:
    """A request for money someone sent to this account; answered ACCEPTED or REJECTED."""

    id: int
    created: dt.datetime | None
    amount_inquired: Amount | None
    status: str | None = None
    description: str | None = None
    amount_responded: Amount | None = None
    counterparty_alias: LabelMonetaryAccount | None = None
    monetary_account_id: int | None = None
    time_responded: dt.datetime | None = None
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> RequestResponse:
        obj = _obj(data, "a request response")
        return cls(**request_fields(obj, "a request response"), raw=obj)


@dataclass(frozen=True, slots=True)
class BunqMeTab:
    """A bunq.me link anyone can pay (``share_url``), for ``amount`` with ``description``."""

    id: int
    created: dt.datetime | None
    status: str | None = None
    share_url: str | None = None
    amount: Amount | None = None
    description: str | None = None
    monetary_account_id: int | None = None
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> BunqMeTab:
        obj = _obj(data, "a bunq.me tab")
        entry = _opt_dict(obj.get("bunqme_tab_entry"), "a bunq.me tab entry")
        return cls(
            id=_int(obj.get("id"), "a bunq.me tab id"),
            created=parse_timestamp(obj.get("created")),
            status=_str(obj.get("status"), "a status"),
            share_url=_str(obj.get("bunqme_tab_share_url"), "a bunq.me URL"),
            amount=Amount.opt(entry.get("amount_inquired")),
            description=_str(entry.get("description"), "a description"),
            monetary_account_id=_opt_int(obj.get("monetary_account_id"), "an account id"),
            raw=obj,
        )


@dataclass(frozen=True, slots=True)
class DraftEntry:
    amount: Amount | None
    counterparty_alias: LabelMonetaryAccount | None
    description: str | None

    @classmethod
    def from_json(cls, data: Any) -> DraftEntry:
        obj = _obj(data, "a draft payment entry")
        return cls(
            Amount.opt(obj.get("amount")),
            LabelMonetaryAccount.opt(obj.get("counterparty_alias")),
            _str(obj.get("description"), "a description"),
        )


@dataclass(frozen=True, slots=True)
class DraftPayment:
    """A payment an OAuth app proposed; PENDING until the user decides in the bunq app."""

    id: int
    status: str | None = None
    entries: list[DraftEntry] = field(default_factory=list)
    created: dt.datetime | None = None
    monetary_account_id: int | None = None
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> DraftPayment:
        obj = _obj(data, "a draft payment")
        entries = obj.get("entries") or []
        if not isinstance(entries, list):
            raise ProtocolError("bunq sent draft payment entries that are not a list.")
        return cls(
            id=_int(obj.get("id"), "a draft payment id"),
            status=_str(obj.get("status"), "a status"),
            entries=[DraftEntry.from_json(e) for e in entries],
            created=parse_timestamp(obj.get("created")),
            monetary_account_id=_opt_int(obj.get("monetary_account_id"), "an account id"),
            raw=obj,
        )


@dataclass(frozen=True, slots=True)
class SchedulePayment:
    """A payment bunq makes on a schedule (``recurrence`` e.g. "1 MONTHLY")."""

    id: int
    status: str | None = None
    amount: Amount | None = None
    counterparty_alias: LabelMonetaryAccount | None = None
    description: str | None = None
    time_start: dt.datetime | None = None
    time_end: dt.datetime | None = None
    recurrence_unit: str | None = None
    recurrence_size: int | None = None
    monetary_account_id: int | None = None
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> SchedulePayment:
        obj = _obj(data, "a scheduled payment")
        payment = _opt_dict(obj.get("payment"), "a scheduled payment's payment")
        schedule = _opt_dict(obj.get("schedule"), "a schedule")
        size = schedule.get("recurrence_size")
        return cls(
            id=_int(obj.get("id"), "a scheduled payment id"),
            status=_str(obj.get("status") or schedule.get("status"), "a status"),
            amount=Amount.opt(payment.get("amount")),
            counterparty_alias=LabelMonetaryAccount.opt(payment.get("counterparty_alias")),
            description=_str(payment.get("description"), "a description"),
            time_start=parse_timestamp(schedule.get("time_start")),
            time_end=parse_timestamp(schedule.get("time_end")),
            recurrence_unit=_str(schedule.get("recurrence_unit"), "a recurrence unit"),
            recurrence_size=None if size is None else _int(size, "a recurrence size", 0),
            monetary_account_id=_opt_int(obj.get("monetary_account_id"), "an account id"),
            raw=obj,
        )


T_co = TypeVar("T_co", covariant=True)
T = TypeVar("T")


class _FromJson(Protocol[T_co]):
    """A model class: ``cls.from_json(obj)`` builds one."""

    def from_json(self, data: Any) -> T_co: ...


@dataclass(frozen=True, slots=True)
class PaymentBatch:
    """Several payments booked at once. bunq's object holds only ``payments`` (no id of its
    own): ``id`` is the ``batch_id`` its payments share, None when they do not agree."""

    payments: tuple[Payment, ...]
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @property
    def id(self) -> int | None:
        ids = {p.raw.get("batch_id") for p in self.payments}
        if len(ids) != 1:
            return None
        (found,) = ids
        return found if isinstance(found, int) and not isinstance(found, bool) else None

    @classmethod
    def from_json(cls, data: Any) -> PaymentBatch:
        obj = _obj(data, "a payment batch")
        payments = obj.get("payments")
        if payments is None:
            payments = []
        if isinstance(payments, dict):  # the SDK's anchored form: {"payments": [...]}
            payments = payments.get("payments") or []
        if not isinstance(payments, list):
            raise ProtocolError("bunq sent a payment batch whose payments are not a list.")
        parsed = []
        for item in payments:
            # a listed payment may come anchored ({"Payment": {...}}) or bare
            inner = _obj(item, "a payment of a batch")
            parsed.append(Payment.from_json(inner.get("Payment", inner)))
        return cls(tuple(parsed), raw=obj)


def typed(cls: _FromJson[T], *kinds: str) -> Callable[[Any], T]:
    """A parser for one anchored item (``{"Kind": {...}}``) of one of ``kinds``."""

    def parse(item: Any) -> T:
        found, obj = anchor(item, f"a {kinds[0]}")
        if found not in kinds:
            raise ProtocolError(f"bunq sent a {found} where a {kinds[0]} was expected.")
        return cls.from_json(obj)

    return parse


__all__ = [
    "BunqMeTab",
    "DraftEntry",
    "DraftPayment",
    "PaymentBatch",
    "RequestResponse",
    "SchedulePayment",
    "typed",
]
