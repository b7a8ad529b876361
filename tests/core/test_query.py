"""The payment filter language shared by the TUI's / and search."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bunqtui.api.models import Amount, LabelMonetaryAccount, Payment
from bunqtui.core.query import PaymentFilter


def payment(value: str, description: str = "", name: str = "", iban: str = "") -> Payment:
    return Payment(
        id=1,
        created=None,
        amount=Amount(Decimal(value), "EUR"),
        description=description,
        alias=LabelMonetaryAccount("NL00BUNQ0000000001", "Me Myself"),
        counterparty_alias=LabelMonetaryAccount(iban or None, name or None),
    )


COFFEE = payment("-3.50", "Flat white", "Bagels & Beans", "NL12BUNQ2025000001")
SALARY = payment("2500.00", "Salary November", "Acme B.V.")


@pytest.mark.parametrize(
    ("query", "coffee", "salary"),
    [
        ("", True, True),
        ("flat", True, False),
        ('"bagels & beans"', True, False),
        ("nl12bunq", True, False),
        ("3.50", True, False),
        ("3,50", True, False),
        (">100", False, True),
        ("<0", True, False),
        ("<=-3.5", True, False),
        ("1..5", True, False),
        ("2000..3000", False, True),
        ("salary >1000", False, True),
        ("salary <0", False, False),
        ("myself", False, False),  # our own alias matches nothing
    ],
)
def test_terms(query: str, coffee: bool, salary: bool) -> None:
    check = PaymentFilter.parse(query)
    assert (check.matches(COFFEE), check.matches(SALARY)) == (coffee, salary)


@pytest.mark.parametrize(("query", "hint"), [('"open', "quote"), (">abc", "comparison")])
def test_malformed_terms_say_what_to_write(query: str, hint: str) -> None:
    with pytest.raises(ValueError, match=hint):
        PaymentFilter.parse(query)


@given(st.text(max_size=40))
def test_any_text_parses_or_raises_value_error(text: str) -> None:
    try:
        check = PaymentFilter.parse(text)
    except ValueError:
        return
    check.matches(COFFEE)
