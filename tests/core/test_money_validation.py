"""bunqtui.core.money's pure validation: amounts, IBANs, e-mail and phone payees."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bunqtui.core.money import (
    IBAN_LENGTHS,
    Confirmation,
    MoneyInputError,
    iban_checksum_ok,
    parse_amount,
    parse_iban,
    parse_payee,
)

ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def with_check_digits(country: str, bban: str) -> str:
    """The IBAN for ``country`` and ``bban`` with correct check digits (ISO 13616)."""
    number = int("".join(str(int(c, 36)) for c in bban + country + "00"))
    return f"{country}{98 - number % 97:02d}{bban}"


@st.composite
def ibans(draw: st.DrawFn) -> str:
    country = draw(st.sampled_from(sorted(IBAN_LENGTHS)))
    length = IBAN_LENGTHS[country] - 4
    bban = draw(st.text(alphabet=ALNUM, min_size=length, max_size=length))
    return with_check_digits(country, bban)


@given(ibans())
def test_a_valid_iban_passes_in_any_spacing_and_case(iban: str) -> None:
    spaced = " ".join(iban[i : i + 4] for i in range(0, len(iban), 4)).lower()
    assert parse_iban(spaced) == iban
    assert parse_payee(iban, "Name").type == "IBAN"


@given(ibans(), st.data())
def test_any_single_digit_change_fails(iban: str, data: st.DataObject) -> None:
    digits = [i for i, c in enumerate(iban) if c.isdigit()]
    at = data.draw(st.sampled_from(digits))
    other = data.draw(st.sampled_from([d for d in "0123456789" if d != iban[at]]))
    changed = iban[:at] + other + iban[at + 1 :]
    with pytest.raises(MoneyInputError):
        parse_iban(changed)


@given(ibans(), st.data())
def test_swapping_two_neighbouring_digits_fails(iban: str, data: st.DataObject) -> None:
    at = data.draw(st.integers(min_value=2, max_value=len(iban) - 2))
    pair = iban[at : at + 2]
    if not pair.isdigit() or pair[0] == pair[1]:
        return  # mod-97 catches every swap of two different digits (letters count as two)
    swapped = iban[:at] + iban[at + 1] + iban[at] + iban[at + 2 :]
    assert not iban_checksum_ok(swapped)


@given(ibans())
def test_a_wrong_length_for_the_country_fails(iban: str) -> None:
    with pytest.raises(MoneyInputError, match="IBANs have"):
        parse_iban(iban[:-1])


@given(st.integers(min_value=1, max_value=100_000_000), st.sampled_from(["", ".0", ".00"]))
def test_whole_cents_parse_exactly(cents: int, tail: str) -> None:
    whole, frac = divmod(cents, 100)
    text = f"{whole}.{frac:02d}" if frac or not tail else f"{whole}{tail}"
    assert parse_amount(text) == Decimal(cents) / 100


@given(st.decimals(min_value=Decimal("0.001"), max_value=Decimal("99999"), places=3))
def test_fractions_of_a_cent_are_refused_never_rounded(value: Decimal) -> None:
    if value == value.quantize(Decimal("0.01")):
        return
    with pytest.raises(MoneyInputError, match="more than two decimals"):
        parse_amount(f"{value:f}")


@given(st.text(max_size=30))
def test_any_text_is_an_amount_or_a_clear_refusal(text: str) -> None:
    try:
        value = parse_amount(text)
    except MoneyInputError as exc:
        assert exc.exit_code == 2
    else:
        assert Decimal("0.01") <= value <= Decimal("1000000.00")
        assert value == value.quantize(Decimal("0.01"))


@given(st.text(max_size=40))
def test_any_payee_text_is_a_payee_or_a_clear_refusal(text: str) -> None:
    try:
        payee = parse_payee(text, "N")
    except MoneyInputError:
        return
    assert payee.type in ("IBAN", "EMAIL", "PHONE_NUMBER")


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("+31 6 1234 5678", "PHONE_NUMBER", "+31612345678"),
        ("sugardaddy@bunq.com", "EMAIL", "sugardaddy@bunq.com"),
        ("nl91 abna 0417 1643 00", "IBAN", "NL91ABNA0417164300"),
    ],
)
def test_payee_kinds(text: str, kind: str, value: str) -> None:
    payee = parse_payee(text, "Name")
    assert (payee.type, payee.value) == (kind, value)


@pytest.mark.parametrize(
    "text", ["0", "0.00", "-1", "1e2", "inf", "NaN", "1,5", "", " ", "1.234", "0x10", "١٢"]
)
def test_bad_amounts(text: str) -> None:
    with pytest.raises(MoneyInputError):
        parse_amount(text)


@pytest.mark.parametrize("text", ["+0123456789", "0612345678x", "+31", "a@b", "@bunq.com"])
def test_bad_phone_or_email(text: str) -> None:
    with pytest.raises(MoneyInputError):
        parse_payee(text)


def test_confirmation_text_lists_every_line_and_warning() -> None:
    shown = Confirmation(
        "Payment", (("from", "Main (NL..)"), ("amount", "1.00 EUR")), ("low balance",)
    ).text()
    assert shown == ["Payment", "    from: Main (NL..)", "  amount: 1.00 EUR",
                     "  warning: low balance"]  # fmt: skip
