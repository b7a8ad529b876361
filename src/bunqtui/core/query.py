"""The payments filter: words match counterparty, description or IBAN; numbers match amounts.

Syntax (all terms must match):

- ``coffee``, ``"albert heijn"``: text, case-insensitive
- ``12.50``: an amount of exactly 12.50 in or out (or that text)
- ``>100``, ``<-50``, ``>=10``, ``<=0``: the signed amount compared (money out is negative)
- ``10..20``: the size of the amount (in or out) between 10 and 20, inclusive
"""

from __future__ import annotations

import operator
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from bunqtui.api.models import Payment

_COMPARE = re.compile(r"^(>=|<=|>|<|=)\s*([-+]?\d+(?:[.,]\d+)?)$")
_RANGE = re.compile(r"^([-+]?\d+(?:[.,]\d+)?)\.\.([-+]?\d+(?:[.,]\d+)?)$")
_NUMBER = re.compile(r"^[-+]?\d+(?:[.,]\d+)?$")
_OPS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    ">": operator.gt,
    "<": operator.lt,
    ">=": operator.ge,
    "<=": operator.le,
    "=": operator.eq,
}

Test = Callable[[Payment, str], bool]


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"not an amount: {text!r}") from None


def _haystack(payment: Payment) -> str:
    parts = [payment.description or ""]
    label = payment.counterparty_alias  # not our own alias: it would match every payment
    if label is not None:
        parts += [label.display_name or "", label.iban or ""]
    parts.append(payment.type or "")
    return " ".join(parts).casefold()


def _term(word: str) -> Test:
    compare = _COMPARE.match(word)
    if compare:
        op, limit = _OPS[compare.group(1)], _decimal(compare.group(2))
        return lambda p, _: op(p.amount.value, limit)
    between = _RANGE.match(word)
    if between:
        low, high = sorted((_decimal(between.group(1)), _decimal(between.group(2))))
        return lambda p, _: low <= abs(p.amount.value) <= high
    if _NUMBER.match(word):
        exact = abs(_decimal(word))
        needle = word.casefold()
        return lambda p, text: abs(p.amount.value) == exact or needle in text
    if word[:1] in "<>=":
        raise ValueError(f"{word!r}: write a comparison like >100 or <=-20.50")
    needle = word.casefold()
    return lambda p, text: needle in text


@dataclass(frozen=True)
class PaymentFilter:
    text: str = ""
    tests: tuple[Test, ...] = field(default=(), compare=False, repr=False)

    @classmethod
    def parse(cls, text: str) -> PaymentFilter:
        """ValueError (with what to write instead) for a malformed term."""
        try:
            words = shlex.split(text)
        except ValueError:
            raise ValueError("a quote is not closed") from None
        return cls(text.strip(), tuple(_term(w) for w in words if w))

    def __bool__(self) -> bool:
        return bool(self.tests)

    def matches(self, payment: Payment) -> bool:
        if not self.tests:
            return True
        text = _haystack(payment)
        return all(test(payment, text) for test in self.tests)
