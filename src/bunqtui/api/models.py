"""Typed views of bunq's JSON objects (docs/protocol.md#objects).

Every model keeps the object's JSON as ``raw`` (for a raw view), ignores unknown keys, tolerates
missing optional ones, and its ``from_json`` raises only :class:`ProtocolError`. Money is
``Decimal``; timestamps are aware UTC datetimes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Generic, TypeVar
from urllib.parse import parse_qs, urlsplit

from bunqtui.api.errors import ProtocolError

Json = dict[str, Any]

# --- scalar helpers -------------------------------------------------------------------------


def _obj(value: Any, what: str) -> Json:
    if not isinstance(value, Mapping):
        raise ProtocolError(f"bunq sent {what} that is not a JSON object.")
    return dict(value)


# bunq ids are positive signed 64-bit integers: anything else would only fail later (SQLite's
# OverflowError, a timedelta overflow), far from where the bad answer came in
MAX_ID = 2**63 - 1
MAX_SESSION_TIMEOUT = 366 * 24 * 3600  # bunq's longest is 90 days; a year is already absurd


def _int(value: Any, what: str, low: int = 1, high: int = MAX_ID) -> int:
    # bools are ints in Python; bunq never sends them as ids
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.isascii() and 0 < len(value.strip()) <= 20:
        try:
            number = int(value.strip())  # swagger types some ids as strings
        except ValueError:
            raise ProtocolError(f"bunq sent {what} that is not an integer id.") from None
    else:
        raise ProtocolError(f"bunq sent {what} that is not an integer id.")
    if not low <= number <= high:
        raise ProtocolError(f"bunq sent {what} out of range ({str(number)[:30]}).")
    return number


def _opt_int(value: Any, what: str, low: int = 1, high: int = MAX_ID) -> int | None:
    return None if value is None else _int(value, what, low, high)


def _str(value: Any, what: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    raise ProtocolError(f"bunq sent {what} that is not a string.")


# bunq's own shape, which fromisoformat reads exactly as the strptime formats below would, and
# ~10× faster (a search builds up to 500 payments); anything else goes through strptime
_BUNQ_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{6})?")


def parse_timestamp(value: Any, what: str = "a timestamp") -> dt.datetime | None:
    """bunq's ``YYYY-MM-DD hh:mm:ss.ffffff`` in UTC → aware datetime."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ProtocolError(f"bunq sent {what} that is not a string.")
    if _BUNQ_TIME.fullmatch(value):
        try:
            return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
        except ValueError:  # e.g. month 13, which strptime refuses too
            raise ProtocolError(f"bunq sent {what} in an unknown format: {value[:40]!r}.") from None
    for fmt in ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(value, fmt).replace(tzinfo=dt.UTC)
        except ValueError:
            continue
    raise ProtocolError(f"bunq sent {what} in an unknown format: {value[:40]!r}.")


_AMOUNT = re.compile(r"^[-+]?\d{1,15}(\.\d{1,12})?$")


def format_amount(value: Decimal | int | str) -> str:
    """Two decimals, as bunq wants it in requests; rejects floats, non-numbers and fractions of
    a cent."""
    if isinstance(value, float):
        raise TypeError("money must be Decimal, int or str, never float")
    try:
        amount = Decimal(str(value).strip())
        if not amount.is_finite() or abs(amount) >= Decimal("1e15"):
            raise InvalidOperation
        cents = amount.quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValueError(f"not an amount: {str(value)[:30]!r}") from None
    if cents != amount:
        # never round money silently
        raise ValueError(f"an amount has at most two decimals: {str(value)[:30]!r}")
    return f"{cents:f}"


def anchor(value: Any, what: str) -> tuple[str, Json]:
    """``{"TypeName": {...}}`` → (type name, object)."""
    obj = _obj(value, what)
    if len(obj) != 1:
        raise ProtocolError(f"bunq sent {what} that is not a single typed object.")
    ((kind, inner),) = obj.items()
    return kind, _obj(inner, what)


# --- value objects --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Amount:
    value: Decimal
    currency: str

    @classmethod
    def from_json(cls, data: Any) -> Amount:
        obj = _obj(data, "an amount")
        raw_value = obj.get("value")
        if not isinstance(raw_value, str | int) or isinstance(raw_value, bool):
            raise ProtocolError("bunq sent an amount without a value.")
        text = str(raw_value).strip()
        # plain decimal notation only: no exponents, NaN or absurd magnitudes
        if not _AMOUNT.match(text):
            raise ProtocolError(f"bunq sent an unreadable amount {text[:20]!r}.")
        value = Decimal(text)
        currency = _str(obj.get("currency"), "a currency") or ""
        return cls(value, currency)

    @classmethod
    def opt(cls, data: Any) -> Amount | None:
        return None if data is None else cls.from_json(data)

    def to_json(self) -> Json:
        return {"value": format_amount(self.value), "currency": self.currency}

    def __str__(self) -> str:
        return f"{self.value:.2f} {self.currency}".strip()


@dataclass(frozen=True, slots=True)
class Pointer:
    """An alias: IBAN, EMAIL or PHONE_NUMBER (``name`` is required for IBAN counterparties)."""

    type: str
    value: str
    name: str | None = None

    @classmethod
    def from_json(cls, data: Any) -> Pointer:
        obj = _obj(data, "an alias")
        return cls(
            _str(obj.get("type"), "an alias type") or "",
            _str(obj.get("value"), "an alias value") or "",
            _str(obj.get("name"), "an alias name"),
        )

    def to_json(self) -> Json:
        data: Json = {"type": self.type, "value": self.value}
        if self.name is not None:
            data["name"] = self.name
        return data


def _pointers(value: Any) -> list[Pointer]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ProtocolError("bunq sent an alias list that is not a list.")
    return [Pointer.from_json(item) for item in value]


@dataclass(frozen=True, slots=True)
class LabelMonetaryAccount:
    iban: str | None
    display_name: str | None
    is_light: bool | None = None
    country: str | None = None
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> LabelMonetaryAccount:
        obj = _obj(data, "an account label")
        display = _str(obj.get("display_name"), "a display name")
        if display is None and isinstance(obj.get("label_user"), Mapping):
            display = _str(obj["label_user"].get("display_name"), "a display name")
        light = obj.get("is_light")
        return cls(
            _str(obj.get("iban"), "an IBAN"),
            display,
            light if isinstance(light, bool) else None,
            _str(obj.get("country"), "a country"),
            obj,
        )

    @classmethod
    def opt(cls, data: Any) -> LabelMonetaryAccount | None:
        return None if data is None else cls.from_json(data)


# --- users ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class User:
    KIND: ClassVar[str] = "User"

    id: int
    created: dt.datetime | None = None
    updated: dt.datetime | None = None
    display_name: str | None = None
    public_nick_name: str | None = None
    status: str | None = None
    sub_status: str | None = None
    session_timeout: int | None = None
    alias: list[Pointer] = field(default_factory=list)
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @property
    def kind(self) -> str:
        return self.KIND

    @classmethod
    def _common(cls, obj: Json) -> dict[str, Any]:
        return {
            "id": _int(obj.get("id"), "a user id"),
            "created": parse_timestamp(obj.get("created")),
            "updated": parse_timestamp(obj.get("updated")),
            "display_name": _str(obj.get("display_name"), "a display name"),
            "public_nick_name": _str(obj.get("public_nick_name"), "a nick name"),
            "status": _str(obj.get("status"), "a status"),
            "sub_status": _str(obj.get("sub_status"), "a sub-status"),
            "session_timeout": _opt_int(
                obj.get("session_timeout"), "a session timeout", 0, MAX_SESSION_TIMEOUT
            ),
            "alias": _pointers(obj.get("alias")),
            "raw": obj,
        }

    @classmethod
    def from_json(cls, data: Any) -> User:
        obj = _obj(data, "a user")
        return cls(**cls._common(obj))


@dataclass(frozen=True, slots=True)
class UserPerson(User):
    KIND: ClassVar[str] = "UserPerson"

    first_name: str | None = None
    last_name: str | None = None
    legal_name: str | None = None

    @classmethod
    def from_json(cls, data: Any) -> UserPerson:
        obj = _obj(data, "a person")
        return cls(
            **cls._common(obj),
            first_name=_str(obj.get("first_name"), "a first name"),
            last_name=_str(obj.get("last_name"), "a last name"),
            legal_name=_str(obj.get("legal_name"), "a legal name"),
        )


@dataclass(frozen=True, slots=True)
class UserCompany(User):
    KIND: ClassVar[str] = "UserCompany"

    name: str | None = None
    chamber_of_commerce_number: str | None = None

    @classmethod
    def from_json(cls, data: Any) -> UserCompany:
        obj = _obj(data, "a company")
        return cls(
            **cls._common(obj),
            name=_str(obj.get("name"), "a company name"),
            chamber_of_commerce_number=_str(
                obj.get("chamber_of_commerce_number"), "a chamber of commerce number"
            ),
        )


@dataclass(frozen=True, slots=True)
class UserPaymentServiceProvider(User):
    KIND: ClassVar[str] = "UserPaymentServiceProvider"

    certificate_distinguished_name: str | None = None

    @classmethod
    def from_json(cls, data: Any) -> UserPaymentServiceProvider:
        obj = _obj(data, "a payment service provider")
        return cls(
            **cls._common(obj),
            certificate_distinguished_name=_str(
                obj.get("certificate_distinguished_name"), "a distinguished name"
            ),
        )


@dataclass(frozen=True, slots=True)
class UserApiKey(User):
    """An OAuth grant: use its ``id`` as {userID}; the accounts are the granting user's."""

    KIND: ClassVar[str] = "UserApiKey"

    requested_by: User | None = None
    granted_by: User | None = None

    @classmethod
    def from_json(cls, data: Any) -> UserApiKey:
        obj = _obj(data, "an API-key user")
        requested = obj.get("requested_by_user")
        granted = obj.get("granted_by_user")
        common = cls._common(obj)
        req_user = None if requested is None else user_from_anchor(requested)
        grant_user = None if granted is None else user_from_anchor(granted)
        if common["session_timeout"] is None:
            # docs/protocol.md#sessions: the requesting user's timeout governs, the granting user's
            # is the fallback
            for other in (req_user, grant_user):
                if other is not None and other.session_timeout is not None:
                    common["session_timeout"] = other.session_timeout
                    break
        if common["display_name"] is None and grant_user is not None:
            common["display_name"] = grant_user.display_name
        return cls(**common, requested_by=req_user, granted_by=grant_user)


USER_TYPES: dict[str, type[User]] = {
    cls.KIND: cls for cls in (UserPerson, UserCompany, UserApiKey, UserPaymentServiceProvider)
}


def user_from_anchor(data: Any) -> User:
    """``{"UserPerson": {...}}`` (or company, API key, PSP) → the matching model."""
    kind, obj = anchor(data, "a user")
    model = USER_TYPES.get(kind)
    if model is None:
        # an unknown user type still has the common fields; keep it readable
        return User(**{**User._common(obj), "raw": {kind: obj}})
    return model.from_json(obj)


# --- monetary accounts ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MonetaryAccount:
    kind: str
    id: int
    created: dt.datetime | None = None
    updated: dt.datetime | None = None
    description: str | None = None
    currency: str | None = None
    balance: Amount | None = None
    iban: str | None = None
    status: str | None = None
    sub_status: str | None = None
    user_id: int | None = None
    display_name: str | None = None
    daily_limit: Amount | None = None
    overdraft_limit: Amount | None = None
    alias: list[Pointer] = field(default_factory=list)
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any, kind: str = "MonetaryAccountBank") -> MonetaryAccount:
        obj = _obj(data, "a monetary account")
        aliases = _pointers(obj.get("alias"))
        iban = next((a.value for a in aliases if a.type == "IBAN"), None)
        return cls(
            kind=kind,
            id=_int(obj.get("id"), "a monetary account id"),
            created=parse_timestamp(obj.get("created")),
            updated=parse_timestamp(obj.get("updated")),
            description=_str(obj.get("description"), "a description"),
            currency=_str(obj.get("currency"), "a currency"),
            balance=Amount.opt(obj.get("balance")),
            iban=iban,
            status=_str(obj.get("status"), "a status"),
            sub_status=_str(obj.get("sub_status"), "a sub-status"),
            user_id=_opt_int(obj.get("user_id"), "a user id"),
            display_name=_str(obj.get("display_name"), "a display name"),
            daily_limit=Amount.opt(obj.get("daily_limit")),
            overdraft_limit=Amount.opt(obj.get("overdraft_limit")),
            alias=aliases,
            raw=obj,
        )

    @classmethod
    def from_anchor(cls, data: Any) -> MonetaryAccount:
        kind, obj = anchor(data, "a monetary account")
        return cls.from_json(obj, kind)


# --- payments and requests ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Payment:
    id: int
    created: dt.datetime | None
    amount: Amount
    description: str | None = None
    type: str | None = None
    sub_type: str | None = None
    alias: LabelMonetaryAccount | None = None
    counterparty_alias: LabelMonetaryAccount | None = None
    balance_after: Amount | None = None
    monetary_account_id: int | None = None
    updated: dt.datetime | None = None
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> Payment:
        obj = _obj(data, "a payment")
        return cls(
            id=_int(obj.get("id"), "a payment id"),
            created=parse_timestamp(obj.get("created")),
            amount=Amount.from_json(obj.get("amount")),
            description=_str(obj.get("description"), "a description"),
            type=_str(obj.get("type"), "a payment type"),
            sub_type=_str(obj.get("sub_type"), "a payment sub-type"),
            alias=LabelMonetaryAccount.opt(obj.get("alias")),
            counterparty_alias=LabelMonetaryAccount.opt(obj.get("counterparty_alias")),
            balance_after=Amount.opt(obj.get("balance_after_mutation")),
            monetary_account_id=_opt_int(obj.get("monetary_account_id"), "an account id"),
            updated=parse_timestamp(obj.get("updated")),
            raw=obj,
        )


@dataclass(frozen=True, slots=True)
class RequestInquiry:
    id: int
    created: dt.datetime | None
    amount_inquired: Amount | None
    status: str | None = None
    description: str | None = None
    amount_responded: Amount | None = None
    counterparty_alias: LabelMonetaryAccount | None = None
    monetary_account_id: int | None = None
    time_responded: dt.datetime | None = None
    updated: dt.datetime | None = None
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> RequestInquiry:
        obj = _obj(data, "a request")
        return cls(
            **request_fields(obj, "a request"),
            updated=parse_timestamp(obj.get("updated")),
            raw=obj,
        )


def request_fields(obj: Json, what: str) -> dict[str, Any]:
    """What a request for money holds on either side: the inquiry its sender sees
    (``RequestInquiry``) and the response its payer answers (``models_money.RequestResponse``)."""
    return {
        "id": _int(obj.get("id"), f"{what} id"),
        "created": parse_timestamp(obj.get("created")),
        "amount_inquired": Amount.opt(obj.get("amount_inquired")),
        "status": _str(obj.get("status"), "a status"),
        "description": _str(obj.get("description"), "a description"),
        "amount_responded": Amount.opt(obj.get("amount_responded")),
        "counterparty_alias": LabelMonetaryAccount.opt(obj.get("counterparty_alias")),
        "monetary_account_id": _opt_int(obj.get("monetary_account_id"), "an account id"),
        "time_responded": parse_timestamp(obj.get("time_responded")),
    }


# --- OAuth and PSD2 -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OauthCallbackUrl:
    id: int
    url: str
    created: dt.datetime | None = None
    updated: dt.datetime | None = None
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> OauthCallbackUrl:
        obj = _obj(data, "a callback URL")
        return cls(
            id=_int(obj.get("id"), "a callback URL id"),
            url=_str(obj.get("url"), "a callback URL") or "",
            created=parse_timestamp(obj.get("created")),
            updated=parse_timestamp(obj.get("updated")),
            raw=obj,
        )


@dataclass(frozen=True, slots=True)
class OauthClient:
    """``id`` addresses the client in URLs; ``client_id``/``secret`` go to the token exchange."""

    id: int
    status: str | None = None
    display_name: str | None = None
    client_id: str | None = None
    secret: str | None = field(default=None, repr=False)
    callback_urls: list[OauthCallbackUrl] = field(default_factory=list)
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> OauthClient:
        obj = _obj(data, "an OAuth client")
        callbacks = obj.get("callback_url")
        if callbacks is not None and not isinstance(callbacks, list):
            raise ProtocolError("bunq sent callback URLs that are not a list.")
        return cls(
            id=_int(obj.get("id"), "an OAuth client id"),
            status=_str(obj.get("status"), "a status"),
            display_name=_str(obj.get("display_name"), "a display name"),
            client_id=_str(obj.get("client_id"), "a client id"),
            secret=_str(obj.get("secret"), "a client secret"),
            callback_urls=[OauthCallbackUrl.from_json(c) for c in callbacks or []],
            raw=obj,
        )


@dataclass(frozen=True, slots=True)
class CredentialPasswordIp:
    """A PSD2 credential: ``token_value`` is used like an API key (set only until first use)."""

    id: int
    status: str | None = None
    token_value: str | None = field(default=None, repr=False)
    expiry_time: dt.datetime | None = None
    created: dt.datetime | None = None
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> CredentialPasswordIp:
        obj = _obj(data, "a credential")
        return cls(
            id=_int(obj.get("id"), "a credential id"),
            status=_str(obj.get("status"), "a status"),
            token_value=_str(obj.get("token_value"), "a token"),
            expiry_time=parse_timestamp(obj.get("expiry_time")),
            created=parse_timestamp(obj.get("created")),
            raw=obj,
        )


# --- pagination -----------------------------------------------------------------------------

T = TypeVar("T")


def _cursor(url: str | None, name: str) -> int | None:
    if not url:
        return None
    values = parse_qs(urlsplit(url).query).get(name)
    if not values:
        return None
    text = values[0].strip()
    if not (text.isascii() and text.lstrip("-").isdigit()):
        return None  # not a cursor at all: as if absent
    if len(text) > 20 or not 1 <= int(text) <= MAX_ID:
        raise ProtocolError(f"bunq sent a pagination {name} out of range.")
    return int(text)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing, newest first, with bunq's relative pagination URLs."""

    items: list[T]
    older_url: str | None = None
    newer_url: str | None = None
    future_url: str | None = None

    def __post_init__(self) -> None:
        # a cursor out of range is refused when the page is parsed, not when it is stored
        _cursor(self.older_url, "older_id")
        _cursor(self.newer_url, "newer_id")
        _cursor(self.future_url, "newer_id")

    @property
    def older_id(self) -> int | None:
        return _cursor(self.older_url, "older_id")

    @property
    def newer_id(self) -> int | None:
        """Cursor for what arrives later: ``newer_url``'s, else ``future_url``'s."""
        return _cursor(self.newer_url, "newer_id") or _cursor(self.future_url, "newer_id")

    @property
    def has_older(self) -> bool:
        return self.older_url is not None

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)
