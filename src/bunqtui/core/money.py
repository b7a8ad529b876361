"""Moving money: validated before sent, shown before sent, never sent twice (design.md,
"Moving money").

- **Validation** is pure and runs before any request: :func:`parse_amount` (Decimal, > 0, at
  most two decimals, within bounds), :func:`parse_iban` (country length and mod-97),
  :func:`parse_email`, :func:`parse_phone` (E.164), :func:`parse_payee`. A mistake is a
  :class:`MoneyInputError` (exit 2) and nothing is sent.
- A **plan** (:class:`PaymentPlan`, :class:`RequestPlan`, …) carries a :class:`Confirmation`:
  exactly the lines a person sees before saying yes (from, to, amount, description, and for
  a draft that it waits for approval in the bunq app). The UI shows them as untrusted text.
- **Sending** (:class:`MoneyDesk`) makes the one request that moves money. The API never
  resends it after a 5xx, a broken connection or a timeout; when the answer is lost, the desk
  says the outcome is unknown and looks it up — the account's newest payments (or drafts,
  requests), matched on amount, counterparty, description and time — and reports
  :class:`Outcome` ``went_through`` True/False, or None if even the look-up failed.
- The look-up trusts bunq, not the cache: the plan reads bunq's newest payment id (the
  *floor*, one request that also refreshes the cache), and only what bunq made after it can be
  ours; the look-up follows newer pages up to now (at most ``MAX_LOOKUP_PAGES``), and when it
  could not read them all, "not found" is reported as unknown, never as "did not go through".
- Afterwards the cache is brought up to date with the same pages (one request as a rule), and
  the account's balance from the newest payment's ``balance_after_mutation``; a payment
  between two own accounts refreshes the account list. Once bunq answered with an id the money
  moved: a refresh that fails then is a note on "Paid", never an error.

The desk runs on a :class:`~bunqtui.core.oneshot.OneShotSession` (the synchronous driver): one
request at a time, as a person confirms them. The TUI can run it in a thread worker.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from bunqtui.api.errors import (
    BunqError,
    ConnectionLostError,
    MaintenanceError,
    ProtocolError,
    ServerError,
    SignatureError,
)
from bunqtui.api.models import Amount, MonetaryAccount, Page, Payment, Pointer, RequestInquiry
from bunqtui.api.models_money import (
    BunqMeTab,
    DraftPayment,
    RequestResponse,
    SchedulePayment,
)
from bunqtui.api.operations import SUGAR_DADDY_CAP
from bunqtui.core import sync as _sync
from bunqtui.core.errors import ConfigError, CoreError
from bunqtui.core.oneshot import OneShotSession
from bunqtui.core.opened import Identity
from bunqtui.store.cache import CacheError

if TYPE_CHECKING:
    from bunqtui.api.sync_client import SyncBunqClient

MIN_AMOUNT = Decimal("0.01")
# bunq caps amounts well below this; anything larger is a typo (bunq's own limit is the
# account's daily limit, checked against the account in the plan)
MAX_AMOUNT = Decimal("1000000.00")
MAX_DESCRIPTION = 140  # bunq's limit for a payment to an outside IBAN
SUGAR_DADDY_EMAIL = "sugardaddy@bunq.com"
# how far bunq's clock may be from ours when a lost answer is looked up
LOOKUP_SKEW = dt.timedelta(minutes=5)
# how every looked-up outcome starts
LOST = "bunq's answer was lost, so the outcome was unknown; looked it up: "
# pages of 200 read after the floor when looking up; beyond that the outcome stays unknown
MAX_LOOKUP_PAGES = 10
# what a refresh after a booked payment may fail with: the money moved all the same
REFRESH_ERRORS = (BunqError, CoreError, CacheError)
# characters a description may not hold: what is shown must be what is sent (C0 and C1
# controls, DEL, bidi embeddings, overrides, isolates and marks, line separators, surrogates)
_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]"
)


def _made_by_us(
    amount: Amount | None,
    description: str | None,
    created: dt.datetime | None,
    want: Decimal,
    text: str,
    sent_at: dt.datetime,
) -> bool:
    """An object bunq lists after a lost answer is ours: same amount and text, made no
    earlier than ``LOOKUP_SKEW`` before we sent it."""
    return (
        amount is not None
        and amount.value == want
        and description == text
        and (created is None or created >= sent_at - LOOKUP_SKEW)
    )


# IBAN lengths per country (SWIFT IBAN registry)
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
    "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip

_AMOUNT_TEXT = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,2})?")
_EMAIL = re.compile(
    r"[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+"
)
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}")


class MoneyInputError(ConfigError):
    """Input that cannot be sent as it is (exit 2); nothing was sent."""


# --- pure validation --------------------------------------------------------------------------


def parse_amount(text: str) -> Decimal:
    """A positive amount with at most two decimals, as Decimal (never float, never rounded)."""
    clean = text.strip()
    if "," in clean and "." not in clean:
        raise MoneyInputError(
            f"amount {text!r} uses a comma", "write the decimals with a point: 12.50"
        )
    if not _AMOUNT_TEXT.fullmatch(clean):
        if re.fullmatch(r"[0-9]+\.[0-9]{3,}", clean):
            raise MoneyInputError(
                f"amount {text!r} has more than two decimals", "bunq moves whole cents"
            )
        raise MoneyInputError(
            f"amount {text!r} is not an amount", "a positive number like 12.50, without currency"
        )
    try:
        value = Decimal(clean)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise MoneyInputError(f"amount {text!r} is not an amount") from None
    if value < MIN_AMOUNT:
        raise MoneyInputError(f"amount {text!r} is not more than zero", "the least is 0.01")
    if value > MAX_AMOUNT:
        raise MoneyInputError(f"amount {text!r} is above bunq's limits", f"at most {MAX_AMOUNT}")
    return value.quantize(Decimal("0.01"))


def iban_checksum_ok(iban: str) -> bool:
    """ISO 13616: the IBAN, rotated and read in base 36, is 1 modulo 97."""
    rotated = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in rotated)) % 97 == 1


def parse_iban(text: str) -> str:
    """The IBAN in its electronic form (upper case, no spaces), or MoneyInputError."""
    iban = re.sub(r"[\s-]", "", text).upper()
    if not iban.isascii() or not _IBAN_SHAPE.fullmatch(iban):
        raise MoneyInputError(f"{text!r} is not an IBAN", "e.g. NL91ABNA0417164300")
    expected = IBAN_LENGTHS.get(iban[:2])
    if expected is None:
        raise MoneyInputError(f"{text!r} is not an IBAN: no country {iban[:2]} uses IBANs")
    if len(iban) != expected:
        raise MoneyInputError(
            f"IBAN {text!r} has {len(iban)} characters; {iban[:2]} IBANs have {expected}"
        )
    if not iban_checksum_ok(iban):
        raise MoneyInputError(
            f"IBAN {text!r} has a wrong check digit (mod-97)", "check it for a typo"
        )
    return iban


def parse_email(text: str) -> str:
    email = text.strip()
    if not _EMAIL.fullmatch(email):
        raise MoneyInputError(f"{text!r} is not an e-mail address")
    return email


def parse_phone(text: str) -> str:
    """An E.164 number (``+31612345678``); spaces, dots and dashes are dropped."""
    phone = re.sub(r"[\s.()-]", "", text)
    if not _E164.fullmatch(phone):
        raise MoneyInputError(
            f"{text!r} is not a phone number", "write it with the country code: +31612345678"
        )
    return phone


@dataclass(frozen=True)
class Payee:
    """Whom money goes to (or is asked from): an IBAN (with a name), an e-mail or a phone."""

    type: str  # IBAN | EMAIL | PHONE_NUMBER
    value: str
    name: str | None = None

    def pointer(self) -> Pointer:
        return Pointer(self.type, self.value, self.name)

    def shown(self) -> str:
        label = {"IBAN": "", "EMAIL": "e-mail ", "PHONE_NUMBER": "phone "}[self.type]
        return f"{self.name} ({label}{self.value})" if self.name else f"{label}{self.value}"


def parse_payee(text: str, name: str | None = None) -> Payee:
    """``--to``: an IBAN, an e-mail or a phone number (by its look); an IBAN needs a name."""
    clean = text.strip()
    name = name.strip() if name is not None else None
    if name == "":
        raise MoneyInputError("--name is empty")
    if "@" in clean:
        return Payee("EMAIL", parse_email(clean), name)
    if clean.startswith("+") or clean.replace(" ", "").isdigit():
        return Payee("PHONE_NUMBER", parse_phone(clean), name)
    iban = parse_iban(clean)
    return Payee("IBAN", iban, name)


def refuse_controls(text: str, what: str) -> str:
    """``text`` unchanged, or MoneyInputError naming the first control character in it: a
    line break, escape or bidi override would be shown differently from what is sent."""
    found = _CONTROL.search(text)
    if found is not None:
        code = ord(found.group())
        raise MoneyInputError(
            f"the {what} holds a control character (U+{code:04X}) at position {found.start() + 1}",
            "use plain text on one line",
        )
    return text


def parse_description(text: str) -> str:
    if len(text) > MAX_DESCRIPTION:
        raise MoneyInputError(f"the description has {len(text)} characters; at most 140")
    return refuse_controls(text, "description")


# --- what is shown before anything is sent ------------------------------------------------------


@dataclass(frozen=True)
class Confirmation:
    """Exactly what the person confirms: a title and labelled lines (all untrusted text:
    the UI shows it literally), plus warnings."""

    title: str
    lines: tuple[tuple[str, str], ...]
    warnings: tuple[str, ...] = ()
    question: str = "Send it?"

    def text(self) -> list[str]:
        width = max((len(k) for k, _ in self.lines), default=0)
        shown = [self.title, *(f"  {k.rjust(width)}: {v}" for k, v in self.lines)]
        return shown + [f"  warning: {w}" for w in self.warnings]


def account_label(account: MonetaryAccount) -> str:
    name = account.description or account.display_name or f"account {account.id}"
    return f"{name} ({account.iban})" if account.iban else name


@dataclass(frozen=True)
class PaymentPlan:
    identity: Identity
    account: MonetaryAccount
    payee: Payee
    amount: Decimal
    description: str
    draft: bool  # an OAuth grant may pay only between the user's own accounts directly
    own_target: bool  # the payee is one of this identity's accounts
    confirmation: Confirmation
    floor: int | None = None  # bunq's newest payment id at plan time (0: none; None: a draft)

    @property
    def currency(self) -> str:
        return self.account.currency or "EUR"


@dataclass(frozen=True)
class RequestPlan:
    identity: Identity
    account: MonetaryAccount
    payee: Payee
    amount: Decimal
    description: str
    confirmation: Confirmation


@dataclass(frozen=True)
class AnswerPlan:
    identity: Identity
    account: MonetaryAccount
    response: RequestResponse
    accept: bool
    confirmation: Confirmation


@dataclass
class Outcome:
    """What happened: ``went_through`` True, False, or None (unknown even after looking);
    ``record`` is the created object for ``--json`` (always with ``id`` and ``status``)."""

    went_through: bool | None
    message: str
    record: dict[str, Any] = field(default_factory=dict)
    looked_up: bool = False  # the answer was lost and the outcome was looked up
    note: str = ""  # it is done, but the cache or balances could not be refreshed (in message)


def answer_lost(exc: BunqError) -> bool:
    """The request left but no answer bunqtui can trust came back: bunq may have acted on it.

    A 5xx; a connection broken after sending; an answer whose signature does not verify, whose
    request id is another's, that does not parse or is too large (its data was discarded, not
    proven absent). Not lost: a signed refusal (4xx), a 429 (bunq did nothing) or a request
    that never left (a plain NetworkError).
    """
    if isinstance(exc, ServerError | ConnectionLostError | SignatureError | ProtocolError):
        return True
    # bunq's own maintenance page (491) refuses before acting; a gateway's 503 may not
    return isinstance(exc, MaintenanceError) and exc.status is not None and exc.status >= 500


def unrefreshed(exc: Exception) -> str:
    """The note on a booked payment whose refresh afterwards failed."""
    text = exc.message if isinstance(exc, CoreError | CacheError) else str(exc)
    return f" (The view could not be refreshed: {text}; refresh it to see the payment.)"


@dataclass(frozen=True)
class Newer:
    """The payments bunq made after a floor, newest first; ``complete`` when they reach bunq's
    newest (the look-up read every one of them); ``unsaved`` when the cache or the balances
    could not be brought up to date (what went wrong)."""

    payments: list[Payment]
    complete: bool
    unsaved: Exception | None = None

    def note(self) -> str:
        return unrefreshed(self.unsaved) if self.unsaved is not None else ""


def amount_record(value: Decimal, currency: str) -> dict[str, str]:
    return {"value": f"{value:.2f}", "currency": currency}


def payment_record(payment: Payment, status: str = "BOOKED") -> dict[str, Any]:
    counterparty = payment.counterparty_alias
    return {
        "id": payment.id,
        "type": "payment",
        "status": status,
        "amount": amount_record(payment.amount.value, payment.amount.currency),
        "description": payment.description,
        "counterparty": {
            "iban": counterparty.iban if counterparty else None,
            "name": counterparty.display_name if counterparty else None,
        },
        "created": payment.created.isoformat() if payment.created else None,
    }


def request_record(request: RequestInquiry | RequestResponse, kind: str) -> dict[str, Any]:
    amount = request.amount_inquired
    counterparty = request.counterparty_alias
    return {
        "id": request.id,
        "type": kind,
        "status": request.status,
        "amount": amount_record(amount.value, amount.currency) if amount else None,
        "description": request.description,
        "counterparty": {
            "iban": counterparty.iban if counterparty else None,
            "name": counterparty.display_name if counterparty else None,
        },
        "created": request.created.isoformat() if request.created else None,
    }


def tab_record(tab: BunqMeTab) -> dict[str, Any]:
    return {
        "id": tab.id,
        "type": "bunqme-tab",
        "status": tab.status,
        "amount": amount_record(tab.amount.value, tab.amount.currency) if tab.amount else None,
        "description": tab.description,
        "share_url": tab.share_url,
        "created": tab.created.isoformat() if tab.created else None,
    }


def draft_record(draft: DraftPayment) -> dict[str, Any]:
    return {
        "id": draft.id,
        "type": "draft-payment",
        "status": draft.status,
        "entries": [
            {
                "amount": amount_record(e.amount.value, e.amount.currency) if e.amount else None,
                "description": e.description,
                "counterparty": {
                    "iban": e.counterparty_alias.iban if e.counterparty_alias else None,
                    "name": e.counterparty_alias.display_name if e.counterparty_alias else None,
                },
            }
            for e in draft.entries
        ],
        "created": draft.created.isoformat() if draft.created else None,
    }


def scheduled_record(item: SchedulePayment) -> dict[str, Any]:
    counterparty = item.counterparty_alias
    return {
        "id": item.id,
        "type": "schedule-payment",
        "status": item.status,
        "amount": amount_record(item.amount.value, item.amount.currency) if item.amount else None,
        "description": item.description,
        "counterparty": {
            "iban": counterparty.iban if counterparty else None,
            "name": counterparty.display_name if counterparty else None,
        },
        "recurrence": f"{item.recurrence_size or ''} {item.recurrence_unit or ''}".strip(),
        "time_start": item.time_start.isoformat() if item.time_start else None,
        "time_end": item.time_end.isoformat() if item.time_end else None,
    }


# --- the desk: plans, sending, looking up ------------------------------------------------------


class MoneyDesk:
    """Plans and sends money movements for one opened profile (see the module docstring)."""

    def __init__(
        self,
        session: OneShotSession,
        *,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.session = session
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))

    def _client(self, identity: Identity) -> SyncBunqClient:
        return self.session._client(identity)  # the session's own client for that identity

    def client(self, identity: Identity) -> SyncBunqClient:
        """The session's client for ``identity`` (for flows kept in modules of their own)."""
        return self._client(identity)

    def now(self) -> dt.datetime:
        """The time a request is sent at, as a lost answer's look-up compares it."""
        return self._clock()

    # --- plans ------------------------------------------------------------------------------

    def _accounts(self, identity: Identity) -> list[MonetaryAccount]:
        """The identity's accounts, fresh (1 request; also caches them)."""
        return self.session.accounts(identity)

    def account(
        self, identity: Identity, account_id: int
    ) -> tuple[MonetaryAccount, list[MonetaryAccount]]:
        accounts = self._accounts(identity)
        for account in accounts:
            if account.id == account_id:
                if account.status not in (None, "ACTIVE"):
                    raise MoneyInputError(
                        f"account {account_id} is {account.status.lower()}; it cannot pay"
                    )
                return account, accounts
        known = ", ".join(str(a.id) for a in accounts) or "none"
        raise MoneyInputError(
            f"{identity.label} has no account {account_id}", f"accounts: {known} (bunqtui accounts)"
        )

    def plan_payment(
        self,
        identity: Identity,
        account_id: int,
        payee: Payee,
        amount: Decimal,
        description: str,
    ) -> PaymentPlan:
        """Check everything that can be checked and what to show (2 requests: the accounts,
        and bunq's newest payments for the floor; a draft only the first)."""
        account, accounts = self.account(identity, account_id)
        currency = account.currency or "EUR"
        own = next((a for a in accounts if payee.type == "IBAN" and a.iban == payee.value), None)
        if own is not None and own.id == account.id:
            raise MoneyInputError("the payee is the account that pays; pick another account")
        if payee.type == "IBAN" and own is None and payee.name is None:
            raise MoneyInputError("a payment to an IBAN needs the payee's name", "pass --name NAME")
        if own is not None:
            payee = replace(payee, name=own.description or own.display_name or payee.name)
        limit = account.daily_limit
        if limit is not None and limit.currency == currency and amount > limit.value:
            raise MoneyInputError(
                f"{amount:.2f} {currency} is above this account's daily limit of {limit}"
            )
        warnings = []
        balance = account.balance
        if balance is not None and balance.currency == currency and amount > balance.value:
            warnings.append(
                f"the balance is {balance} (as last seen); bunq will refuse the payment "
                "unless the account may go below zero"
            )
        draft = identity.kind == "connected" and own is None
        lines = [
            ("from", account_label(account)),
            ("to", payee.shown()),
            ("amount", f"{amount:.2f} {currency}"),
            ("description", description),
        ]
        if draft:
            lines.append(
                (
                    "approval",
                    f"a draft payment: {identity.label} must approve it in the bunq app",
                )
            )
        title = "Draft payment" if draft else "Payment"
        # read now, so that after the yes only the payment itself is sent
        floor = None if draft else self.payment_floor(identity, account.id)
        return PaymentPlan(
            identity,
            account,
            payee,
            amount,
            description,
            draft,
            own is not None,
            Confirmation(
                title,
                tuple(lines),
                tuple(warnings),
                "Create this draft?" if draft else "Send this payment?",
            ),
            floor,
        )

    def plan_request(
        self,
        identity: Identity,
        account_id: int,
        payee: Payee,
        amount: Decimal,
        description: str,
    ) -> RequestPlan:
        account, _ = self.account(identity, account_id)
        currency = account.currency or "EUR"
        sugar_daddy = payee.type == "EMAIL" and payee.value.lower() == SUGAR_DADDY_EMAIL
        if sugar_daddy and amount > SUGAR_DADDY_CAP:
            raise MoneyInputError(f"Sugar Daddy gives at most {SUGAR_DADDY_CAP} a request")
        lines = (
            ("to", account_label(account)),
            ("from", payee.shown()),
            ("amount", f"{amount:.2f} {currency}"),
            ("description", description),
        )
        return RequestPlan(
            identity,
            account,
            payee,
            amount,
            description,
            Confirmation("Request for money", lines, (), "Send this request?"),
        )

    def plan_answer(
        self, identity: Identity, account_id: int, response_id: int, *, accept: bool
    ) -> AnswerPlan:
        """Fetch the request (2 requests: accounts and the request) and what to show."""
        account, _ = self.account(identity, account_id)
        response = self._client(identity).get_request_response(None, account_id, response_id)
        if response.status != "PENDING":
            raise MoneyInputError(
                f"request {response_id} is already {(response.status or 'answered').lower()}"
            )
        amount = response.amount_inquired
        counterparty = response.counterparty_alias
        who = counterparty.display_name if counterparty else None
        iban = counterparty.iban if counterparty else None
        shown_who = f"{who} ({iban})" if who and iban else who or iban or "unknown"
        warnings = []
        balance = account.balance
        if accept and amount and balance and amount.value > balance.value:
            warnings.append(f"the balance is {balance} (as last seen)")
        lines: tuple[tuple[str, str], ...]
        if accept:
            lines = (
                ("from", account_label(account)),
                ("to", shown_who),
                ("amount", str(amount) if amount else "?"),
                ("description", response.description or ""),
            )
            confirmation = Confirmation(
                "Accept a request: this pays it", lines, tuple(warnings), "Pay this request?"
            )
        else:
            lines = (
                ("request by", shown_who),
                ("amount", str(amount) if amount else "?"),
                ("description", response.description or ""),
            )
            confirmation = Confirmation(
                "Reject a request: nothing is paid", lines, (), "Reject this request?"
            )
        return AnswerPlan(identity, account, response, accept, confirmation)

    # --- sending ----------------------------------------------------------------------------

    def pay(self, plan: PaymentPlan) -> Outcome:
        """Send the payment (or draft) once; look it up when the answer is lost."""
        if plan.draft:
            return self._draft(plan)
        client = self._client(plan.identity)
        floor = plan.floor
        sent_at = self._clock()
        try:
            payment_id = client.create_payment(
                None,
                plan.account.id,
                Amount(plan.amount, plan.currency),
                plan.payee.pointer(),
                plan.description,
            )
        except BunqError as exc:
            if not answer_lost(exc):
                raise
            return self._look_up_payment(plan, sent_at, floor)
        # bunq answered with an id: it is paid, whatever happens to the refresh
        record: dict[str, Any] = {"id": payment_id, "type": "payment", "status": "BOOKED"}
        try:
            newer = self._refresh(plan, floor)
        except REFRESH_ERRORS as exc:
            note = unrefreshed(exc)
            return Outcome(True, f"Paid: payment {payment_id}.{note}", record, note=note)
        found = next((p for p in newer.payments if p.id == payment_id), None)
        return Outcome(
            True,
            f"Paid: payment {payment_id}.{newer.note()}",
            payment_record(found) if found else record,
            note=newer.note(),
        )

    def payment_floor(self, identity: Identity, account_id: int) -> int:
        """bunq's newest payment id on the account now (0: it has none), from bunq itself, not
        the cache, which another client may have left behind (1 request, the newest page; it
        is cached too). After a lost answer only payments above it can be ours."""
        page = self._client(identity).list_payments(None, account_id, count=_sync.PAGE)
        self._store(identity, account_id, page)  # for the views; the floor is bunq's
        return max((p.id for p in page.items), default=0)

    def _store(
        self, identity: Identity, account_id: int, page: Page[Payment], newer_id: int | None = None
    ) -> Exception | None:
        """Cache a page; a cache that cannot be written (locked, damaged) is only noted: the
        money question is answered by bunq, the cache only serves the views."""
        try:
            key = self.session._cache_key(identity)
            _sync.store_page(self.session.cache, key, account_id, page, newer_id=newer_id)
        except (CoreError, CacheError) as exc:
            return exc
        return None

    def _refresh(self, plan: PaymentPlan, floor: int | None) -> Newer:
        return self.refresh_after(plan.identity, plan.account.id, floor, own=plan.own_target)

    def refresh_after(
        self, identity: Identity, account_id: int, floor: int | None, *, own: bool
    ) -> Newer:
        """The payments bunq made after ``floor`` (following newer pages up to now, at most
        ``MAX_LOOKUP_PAGES``; 1 request as a rule), into the cache; the paying account's
        balance from the newest of them; the account list if money stayed at home (``own``:
        one request more, for both balances)."""
        client = self._client(identity)
        found: list[Payment] = []
        complete = False
        unsaved: Exception | None = None
        if not floor:  # the account had no payments: every one is new
            page = client.list_payments(None, account_id, count=_sync.PAGE)
            unsaved = self._store(identity, account_id, page)
            found, complete = list(page.items), not page.has_older
        else:
            cursor = floor
            for _ in range(MAX_LOOKUP_PAGES):
                page = client.list_payments(None, account_id, count=_sync.PAGE, newer_id=cursor)
                _sync.check_newer(page, cursor)
                unsaved = self._store(identity, account_id, page, cursor) or unsaved
                found.extend(page.items)
                if not page.items or not page.newer_url:
                    complete = True
                    break
                cursor = max(p.id for p in page.items)
        found.sort(key=lambda p: p.id, reverse=True)
        try:
            if own:
                self._accounts(identity)  # both balances moved: one request for both
            elif complete and found and found[0].balance_after is not None:
                # only the newest payment's balance is the account's balance now
                self._set_balance(identity, account_id, found[0].balance_after)
        except REFRESH_ERRORS as exc:  # the payments are read: what they say stands
            unsaved = exc
        return Newer(found, complete, unsaved)

    def _set_balance(self, identity: Identity, account_id: int, balance: Amount) -> None:
        key = self.session._cache_key(identity)
        accounts = self.session.cache.accounts(key)
        if accounts is None:
            return
        # the cache keeps bunq's JSON: the balance goes into it as bunq would have sent it
        moved = [
            replace(a, balance=balance, raw={**a.raw, "balance": balance.to_json()})
            if a.id == account_id
            else a
            for a in accounts
        ]
        self.session.cache.put_accounts(key, moved)

    def _matches(
        self, plan: PaymentPlan, payment: Payment, sent_at: dt.datetime, floor: int
    ) -> bool:
        if payment.id <= floor:  # bunq made it before we sent ours
            return False
        if not _made_by_us(
            payment.amount,
            payment.description,
            payment.created,
            -plan.amount,
            plan.description,
            sent_at,
        ):
            return False
        counterparty = payment.counterparty_alias
        if plan.payee.type == "IBAN":
            return counterparty is not None and counterparty.iban == plan.payee.value
        return True  # bunq shows an e-mail or phone payee by their IBAN: amount+text+time

    def _look_up_payment(
        self, plan: PaymentPlan, sent_at: dt.datetime, floor: int | None
    ) -> Outcome:
        try:
            newer = self._refresh(plan, floor)
        except REFRESH_ERRORS as exc:
            return Outcome(
                None,
                "The outcome is unknown: bunq's answer was lost and looking it up failed "
                f"({exc}). Check `bunqtui payments --account {plan.account.id}` before "
                "paying again.",
                {"id": None, "type": "payment", "status": "UNKNOWN"},
                looked_up=True,
            )
        found = [p for p in newer.payments if self._matches(plan, p, sent_at, floor or 0)]
        if found:
            payment = found[-1]  # the oldest match after the floor: the first one sent
            return Outcome(
                True,
                f"{LOST}it went through (payment id {payment.id}).{newer.note()}",
                payment_record(payment),
                looked_up=True,
                note=newer.note(),
            )
        if not newer.complete:
            return Outcome(
                None,
                f"{LOST}it was not among the {len(newer.payments)} payments read, but more "
                "were made since; the outcome is unknown. Check `bunqtui payments --account "
                f"{plan.account.id}` before paying again.",
                {"id": None, "type": "payment", "status": "UNKNOWN"},
                looked_up=True,
            )
        return Outcome(
            False,
            f"{LOST}it did not go through. Nothing was paid.",
            {"id": None, "type": "payment", "status": "NOT_BOOKED"},
            looked_up=True,
        )

    def _draft(self, plan: PaymentPlan) -> Outcome:
        client = self._client(plan.identity)
        sent_at = self._clock()
        waits = f"It waits for approval by {plan.identity.label} in the bunq app."
        try:
            draft_id = client.create_draft_payment(
                None,
                plan.account.id,
                Amount(plan.amount, plan.currency),
                plan.payee.pointer(),
                plan.description,
            )
        except BunqError as exc:
            if not answer_lost(exc):
                raise
            return self._look_up_draft(plan, sent_at, waits)
        try:
            record = draft_record(client.get_draft_payment(None, plan.account.id, draft_id))
        except BunqError:
            record = {"id": draft_id, "type": "draft-payment", "status": "PENDING"}
        return Outcome(True, f"Draft payment {draft_id} created. {waits}", record)

    def _look_up_draft(self, plan: PaymentPlan, sent_at: dt.datetime, waits: str) -> Outcome:
        try:
            page = self._client(plan.identity).list_draft_payments(None, plan.account.id, count=50)
        except BunqError as exc:
            return Outcome(
                None,
                f"The outcome is unknown and looking it up failed ({exc}). "
                f"Check `bunqtui drafts` before trying again.",
                {"id": None, "type": "draft-payment", "status": "UNKNOWN"},
                looked_up=True,
            )
        for draft in page.items:
            entry = draft.entries[0] if draft.entries else None
            if entry is not None and _made_by_us(
                entry.amount,
                entry.description,
                draft.created,
                plan.amount,
                plan.description,
                sent_at,
            ):
                return Outcome(
                    True,
                    f"{LOST}it went through (draft payment id {draft.id}). {waits}",
                    draft_record(draft),
                    looked_up=True,
                )
        return Outcome(
            False,
            f"{LOST}it did not go through. No draft was made.",
            {"id": None, "type": "draft-payment", "status": "NOT_CREATED"},
            looked_up=True,
        )

    def request(self, plan: RequestPlan) -> Outcome:
        """Send a request for money once; look it up when the answer is lost."""
        client = self._client(plan.identity)
        sent_at = self._clock()
        currency = plan.account.currency or "EUR"
        try:
            request_id = client.create_request_inquiry(
                None,
                plan.account.id,
                Amount(plan.amount, currency),
                plan.payee.pointer(),
                plan.description,
            )
        except BunqError as exc:
            if not answer_lost(exc):
                raise
            return self._look_up_request(plan, sent_at)
        try:
            record = request_record(
                client.get_request_inquiry(None, plan.account.id, request_id), "request-inquiry"
            )
        except BunqError:
            record = {"id": request_id, "type": "request-inquiry", "status": "PENDING"}
        return Outcome(True, f"Request {request_id} sent.", record)

    def _look_up_request(self, plan: RequestPlan, sent_at: dt.datetime) -> Outcome:
        try:
            page = self._client(plan.identity).list_request_inquiries(
                None, plan.account.id, count=50
            )
        except BunqError as exc:
            return Outcome(
                None,
                f"The outcome is unknown and looking it up failed ({exc}). "
                f"Check `bunqtui requests --account {plan.account.id}` before trying again.",
                {"id": None, "type": "request-inquiry", "status": "UNKNOWN"},
                looked_up=True,
            )
        for item in page.items:
            if _made_by_us(
                item.amount_inquired,
                item.description,
                item.created,
                plan.amount,
                plan.description,
                sent_at,
            ):
                return Outcome(
                    True,
                    f"{LOST}it went through (request id {item.id}).",
                    request_record(item, "request-inquiry"),
                    looked_up=True,
                )
        return Outcome(
            False,
            f"{LOST}it did not go through. No request was sent.",
            {"id": None, "type": "request-inquiry", "status": "NOT_CREATED"},
            looked_up=True,
        )

    def answer(self, plan: AnswerPlan) -> Outcome:
        """Accept (pays; signed) or reject a request, once; look it up if the answer is lost."""
        client = self._client(plan.identity)
        account_id, response_id = plan.account.id, plan.response.id
        try:
            answered = client.answer_request_response(
                None,
                account_id,
                response_id,
                accept=plan.accept,
                amount=plan.response.amount_inquired,
            )
        except BunqError as exc:
            if not answer_lost(exc):
                raise
            try:
                answered = client.get_request_response(None, account_id, response_id)
            except BunqError as again:
                return Outcome(
                    None,
                    f"The outcome is unknown and looking it up failed ({again}). Check "
                    f"`bunqtui requests --account {account_id}` before trying again.",
                    {"id": response_id, "type": "request-response", "status": "UNKNOWN"},
                    looked_up=True,
                )
            wanted = "ACCEPTED" if plan.accept else "REJECTED"
            went = answered.status == wanted
            verdict = "it went through" if went else "it did not go through"
            return Outcome(
                went,
                f"bunq's answer was lost; looked it up: {verdict} (request {response_id} is "
                f"{(answered.status or 'unknown').lower()}).",
                request_record(answered, "request-response"),
                looked_up=True,
            )
        note = ""
        if plan.accept:
            try:
                self._accounts(plan.identity)  # the balance moved (1 request)
            except REFRESH_ERRORS as exc:  # it is paid all the same
                note = unrefreshed(exc)
        verb = "Paid" if plan.accept else "Rejected"
        return Outcome(
            True,
            f"{verb}: request {response_id}.{note}",
            request_record(answered, "request-response"),
            note=note,
        )

    # --- listings and the rest ---------------------------------------------------------------

    def requests(
        self, identity: Identity, account_id: int
    ) -> tuple[list[RequestResponse], list[RequestInquiry]]:
        """Incoming (to answer) and sent requests, newest first (2 requests)."""
        client = self._client(identity)
        incoming = client.list_request_responses(None, account_id, count=50).items
        sent = client.list_request_inquiries(None, account_id, count=50).items
        return list(incoming), list(sent)

    def create_tab(
        self, identity: Identity, account_id: int, amount: Decimal, description: str
    ) -> BunqMeTab:
        """A bunq.me link anyone can pay (2 requests: create, then read its share URL).
        Moves no money by itself, so it needs no confirmation; a lost answer is reported as
        unknown (a stray link costs nothing and can be cancelled)."""
        account, _ = self.account(identity, account_id)
        client = self._client(identity)
        tab_id = client.create_bunqme_tab(
            None, account_id, Amount(amount, account.currency or "EUR"), description
        )
        return client.get_bunqme_tab(None, account_id, tab_id)

    def drafts(self, identity: Identity, account_id: int) -> list[DraftPayment]:
        return list(self._client(identity).list_draft_payments(None, account_id, count=50).items)

    def scheduled(self, identity: Identity, account_id: int) -> list[SchedulePayment]:
        client = self._client(identity)
        return list(client.list_schedule_payments(None, account_id, count=50).items)

    def cancel_scheduled(self, identity: Identity, account_id: int, schedule_id: int) -> None:
        self._client(identity).cancel_schedule_payment(None, account_id, schedule_id)


__all__ = [
    "SUGAR_DADDY_CAP",
    "AnswerPlan",
    "BunqMeTab",
    "Confirmation",
    "MoneyDesk",
    "MoneyInputError",
    "Outcome",
    "Payee",
    "PaymentPlan",
    "RequestInquiry",
    "RequestPlan",
    "RequestResponse",
    "SchedulePayment",
    "draft_record",
    "iban_checksum_ok",
    "parse_amount",
    "parse_description",
    "parse_email",
    "parse_iban",
    "parse_payee",
    "parse_phone",
    "request_record",
    "scheduled_record",
    "tab_record",
]
