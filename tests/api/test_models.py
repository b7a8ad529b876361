"""Model parsing: real bunq shapes decode; anything else raises only ProtocolError."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bunqtui.api.errors import ProtocolError
from bunqtui.api.models import (
    Amount,
    CredentialPasswordIp,
    LabelMonetaryAccount,
    MonetaryAccount,
    OauthCallbackUrl,
    OauthClient,
    Payment,
    Pointer,
    RequestInquiry,
    User,
    UserApiKey,
    UserCompany,
    UserPaymentServiceProvider,
    UserPerson,
    format_amount,
    parse_timestamp,
    user_from_anchor,
)

PAYMENT = {
    "id": 26174613,
    "created": "2025-07-21 09:16:50.008916",
    "updated": "2025-07-21 09:16:50.008916",
    "monetary_account_id": 2026814,
    "amount": {"currency": "EUR", "value": "-0.10"},
    "alias": {"iban": "NL51BUNQ2093937468", "is_light": False, "display_name": "A. Visser"},
    "counterparty_alias": {
        "iban": "NL32BUNQ2025313705",
        "display_name": None,
        "label_user": {"display_name": "Sugar Daddy"},
    },
    "description": "test",
    "type": "BUNQ",
    "sub_type": "PAYMENT",
    "balance_after_mutation": {"currency": "EUR", "value": "999.90"},
    "some_future_field": {"x": 1},
}


def test_payment_decodes_with_decimal_and_utc() -> None:
    payment = Payment.from_json(PAYMENT)
    assert payment.amount == Amount(Decimal("-0.10"), "EUR")
    assert payment.created == dt.datetime(2025, 7, 21, 9, 16, 50, 8916, tzinfo=dt.UTC)
    assert payment.balance_after == Amount(Decimal("999.90"), "EUR")
    assert payment.counterparty_alias is not None
    assert payment.counterparty_alias.display_name == "Sugar Daddy"  # from label_user
    assert payment.monetary_account_id == 2026814
    assert payment.raw is not PAYMENT and payment.raw == PAYMENT


def test_missing_optional_fields_are_tolerated() -> None:
    payment = Payment.from_json({"id": 1, "amount": {"value": "1", "currency": "EUR"}})
    assert payment.created is None and payment.alias is None and payment.description is None


def test_users_by_anchor() -> None:
    person = user_from_anchor(
        {
            "UserPerson": {
                "id": 1,
                "display_name": "S. W",
                "session_timeout": 604800,
                "alias": [{"type": "EMAIL", "value": "a@b", "name": "a@b"}],
            }
        }
    )
    assert isinstance(person, UserPerson) and person.kind == "UserPerson"
    assert person.alias == [Pointer("EMAIL", "a@b", "a@b")]
    company = user_from_anchor({"UserCompany": {"id": 2, "name": "Acme BV"}})
    assert isinstance(company, UserCompany) and company.name == "Acme BV"
    psp = user_from_anchor(
        {"UserPaymentServiceProvider": {"id": 3, "certificate_distinguished_name": "CN=x"}}
    )
    assert isinstance(psp, UserPaymentServiceProvider)
    unknown = user_from_anchor({"UserLight": {"id": 4}})
    assert type(unknown) is User and unknown.id == 4


def test_user_api_key_takes_timeout_from_requester_then_granter() -> None:
    key = user_from_anchor(
        {
            "UserApiKey": {
                "id": 10,
                "requested_by_user": {
                    "UserPaymentServiceProvider": {"id": 11, "session_timeout": 7776000}
                },
                "granted_by_user": {
                    "UserPerson": {"id": 12, "session_timeout": 604800, "display_name": "G. User"}
                },
            }
        }
    )
    assert isinstance(key, UserApiKey)
    assert key.session_timeout == 7776000
    assert key.granted_by is not None and key.granted_by.id == 12
    assert key.display_name == "G. User"
    only_granted = UserApiKey.from_json(
        {"id": 1, "granted_by_user": {"UserPerson": {"id": 2, "session_timeout": 60}}}
    )
    assert only_granted.session_timeout == 60


def test_monetary_account_of_any_type() -> None:
    account = MonetaryAccount.from_anchor(
        {
            "MonetaryAccountSavings": {
                "id": "2026815",  # ids typed as strings still decode
                "currency": "EUR",
                "description": "Savings",
                "balance": {"currency": "EUR", "value": "12.50"},
                "alias": [{"type": "IBAN", "value": "NL85BUNQ9900100611", "name": "D. C"}],
                "status": "ACTIVE",
            }
        }
    )
    assert account.kind == "MonetaryAccountSavings" and account.id == 2026815
    assert account.iban == "NL85BUNQ9900100611"
    assert account.balance == Amount(Decimal("12.50"), "EUR")


def test_request_inquiry_oauth_and_credential() -> None:
    ri = RequestInquiry.from_json(
        {"id": 5, "amount_inquired": {"currency": "EUR", "value": "100.00"}, "status": "ACCEPTED"}
    )
    assert ri.status == "ACCEPTED" and ri.amount_inquired == Amount(Decimal(100), "EUR")
    client = OauthClient.from_json(
        {
            "id": 4381,
            "status": "ACTIVE",
            "client_id": "c" * 64,
            "secret": "s" * 64,
            "callback_url": [{"id": 902, "url": "http://127.0.0.1:8765/callback"}],
        }
    )
    assert client.callback_urls == [OauthCallbackUrl(902, "http://127.0.0.1:8765/callback")]
    assert "s" * 64 not in repr(client)
    cred = CredentialPasswordIp.from_json(
        {
            "id": 1131,
            "status": "PENDING_FIRST_USE",
            "token_value": "t" * 64,
            "expiry_time": "2025-03-05 17:10:00.000000",
        }
    )
    assert cred.token_value == "t" * 64 and "t" * 64 not in repr(cred)


def test_format_amount() -> None:
    assert format_amount(Decimal("12.5")) == "12.50"
    assert format_amount(100) == "100.00"
    assert format_amount("0.1") == "0.10"
    with pytest.raises(TypeError):
        format_amount(1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        format_amount("abc")
    with pytest.raises(ValueError):
        format_amount("NaN")
    assert format_amount("1.500") == "1.50"
    with pytest.raises(ValueError, match="two decimals"):
        format_amount("1.005")


@pytest.mark.parametrize(
    "bad",
    [
        {"id": True, "amount": {"value": "1", "currency": "EUR"}},
        {"id": 1, "amount": {"value": "1e99999999999", "currency": "EUR"}},
        {"id": 1, "amount": {"value": "Infinity", "currency": "EUR"}},
        {"id": 1, "amount": {"value": 1.5, "currency": "EUR"}},
        {"id": 1, "amount": None},
        {"id": 1, "amount": {"value": "1"}, "created": "yesterday"},
        [],
    ],
)
def test_bad_payments_raise_protocol_error(bad: Any) -> None:
    with pytest.raises(ProtocolError):
        Payment.from_json(bad)


def test_timestamps() -> None:
    assert parse_timestamp("2025-03-05 16:12:11") == dt.datetime(
        2025, 3, 5, 16, 12, 11, tzinfo=dt.UTC
    )
    with pytest.raises(ProtocolError):
        parse_timestamp(12)


def _strptime_reference(value: str) -> dt.datetime | None:
    """What parse_timestamp did before its fromisoformat fast path: the behaviour to keep."""
    for fmt in ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(value, fmt).replace(tzinfo=dt.UTC)
        except ValueError:
            continue
    return None


DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=4)
# bunq's shape with any digits (month 13, day 31 in April, hour 24, year 0, ...), with or
# without the six-digit fraction, and near misses (T, fewer digits, offsets, spaces)
BUNQ_SHAPED = st.builds(
    lambda y, mo, d, h, mi, s, f, sep, tail: f"{y}-{mo}-{d}{sep}{h}:{mi}:{s}{f}{tail}",
    DIGITS,
    DIGITS,
    DIGITS,
    DIGITS,
    DIGITS,
    DIGITS,
    st.sampled_from(["", ".000000", ".123456", ".5", ".1234567"]) | DIGITS.map(lambda x: "." + x),
    st.sampled_from([" ", "T", "  "]),
    st.sampled_from(["", "Z", "+02:00", " "]),
)


@settings(max_examples=400)
@given(
    BUNQ_SHAPED
    | st.datetimes(min_value=dt.datetime(1, 1, 1)).map(lambda d: d.strftime("%Y-%m-%d %H:%M:%S.%f"))
    | st.datetimes().map(lambda d: d.strftime("%Y-%m-%d %H:%M:%S"))
    | st.text(max_size=30)
)
def test_timestamps_parse_exactly_as_strptime_did(value: str) -> None:
    expected = _strptime_reference(value)
    if expected is None:
        with pytest.raises(ProtocolError):
            parse_timestamp(value)
    else:
        assert parse_timestamp(value) == expected
        assert parse_timestamp(value).tzinfo is dt.UTC


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=20,
)
KEYS = [
    "id",
    "created",
    "updated",
    "amount",
    "value",
    "currency",
    "alias",
    "balance",
    "counterparty_alias",
    "session_timeout",
    "requested_by_user",
    "granted_by_user",
    "callback_url",
    "token_value",
    "expiry_time",
    "balance_after_mutation",
    "label_user",
    "UserPerson",
    "UserApiKey",
    "MonetaryAccountBank",
    "type",
    "status",
    "url",
    "iban",
]
BUNQISH = st.recursive(
    st.none()
    | st.integers()
    | st.text(max_size=30)
    | st.sampled_from(["2025-07-21 09:16:50.008916", "-0.10", "EUR", "12", "1e5", "NaN"]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(KEYS), children, max_size=6)
    ),
    max_leaves=25,
)
PARSERS = [
    Payment.from_json,
    RequestInquiry.from_json,
    MonetaryAccount.from_json,
    MonetaryAccount.from_anchor,
    user_from_anchor,
    UserApiKey.from_json,
    OauthClient.from_json,
    CredentialPasswordIp.from_json,
    Amount.from_json,
    LabelMonetaryAccount.from_json,
    Pointer.from_json,
    OauthCallbackUrl.from_json,
]


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PARSERS), JSON | BUNQISH)
def test_model_parsers_raise_only_protocol_error(parser: Any, data: Any) -> None:
    with contextlib.suppress(ProtocolError):
        parser(data)


def test_page_cursors_from_pagination_urls() -> None:
    from bunqtui.api.models import Page

    page = Page(
        [1, 2],
        older_url="/v1/user/1/monetary-account/1/payment?count=25&older_id=224",
        newer_url=None,
        future_url="/v1/user/1/monetary-account/1/payment?count=25&newer_id=249",
    )
    assert page.older_id == 224 and page.newer_id == 249 and page.has_older
    assert list(page) == [1, 2] and len(page) == 2
    last = Page([], older_url=None, newer_url="/v1/x?newer_id=oops")
    assert last.older_id is None and last.newer_id is None and not last.has_older


BAD_IDS = [2**70, 2**63, 0, -1, "-5", "2" * 40, "9" * 5000, "\u00b2", "\u0663", True, 1.5, None]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_an_id_outside_1_to_2_63_minus_1_is_a_protocol_error_at_parse_time(bad: Any) -> None:
    # not an OverflowError in SQLite (or a ValueError from int()) later
    for parse, obj in (
        (Payment.from_json, {**PAYMENT, "id": bad}),
        (Payment.from_json, {**PAYMENT, "monetary_account_id": bad}),
        (MonetaryAccount.from_anchor, {"MonetaryAccountBank": {"id": bad}}),
        (User.from_json, {"id": bad}),
        (OauthClient.from_json, {"id": bad}),
    ):
        if bad is None and obj.get("monetary_account_id", 1) is None:
            continue  # an optional id may be absent
        with pytest.raises(ProtocolError):
            parse(obj)


def test_the_largest_and_smallest_ids_still_parse() -> None:
    assert Payment.from_json({**PAYMENT, "id": 2**63 - 1}).id == 2**63 - 1
    assert Payment.from_json({**PAYMENT, "id": "1"}).id == 1
    assert MonetaryAccount.from_anchor({"MonetaryAccountBank": {"id": " 42 "}}).id == 42


def test_an_absurd_session_timeout_is_a_protocol_error() -> None:
    # it becomes a timedelta: 2**70 seconds would overflow there, far from the answer
    with pytest.raises(ProtocolError):
        User.from_json({"id": 1, "session_timeout": 2**70})
    assert User.from_json({"id": 1, "session_timeout": 604800}).session_timeout == 604800


def test_an_envelope_id_out_of_range_is_a_protocol_error() -> None:
    from bunqtui.api.envelope import parse_success

    for bad in (2**70, 0, -3):
        envelope = parse_success(b'{"Response":[{"Id":{"id":%d}}]}' % bad)
        with pytest.raises(ProtocolError):
            envelope.id()


def test_a_pagination_cursor_out_of_range_is_a_protocol_error_when_the_page_is_made() -> None:
    from bunqtui.api.models import Page

    with pytest.raises(ProtocolError):
        Page([], older_url=f"/v1/user/1/payment?older_id={2**70}")
    with pytest.raises(ProtocolError):
        Page([], future_url="/v1/user/1/payment?newer_id=0")
    assert Page([], older_url=f"/v1/x?older_id={2**63 - 1}").older_id == 2**63 - 1
