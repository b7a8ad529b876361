"""Everything the emulator knows: users, keys, installations, sessions, accounts, payments…

Plain dataclasses in one `World`, guarded by one lock (requests are short). Ids come from one
counter per object type with bunq-like magnitudes (docs/protocol.md#emulator); tokens from a seeded
RNG so a run with
the same seed is reproducible. `statefile.py` writes it all to `--state FILE` as JSON.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

ID_STARTS = {
    "user": 1_800_000,
    "account": 2_000_000,
    "installation": 4_900,
    "token": 11_300,
    "device": 15_100,
    "session": 25_500_000,
    "payment": 26_000_000,
    "request": 4_200,
    "event": 71_800,
    "card": 120_000,
    "oauth_client": 4_380,
    "callback_url": 900,
    "credential": 1_130,
    "request_response": 5_600,
    "payment_batch": 310,
    "bunqme_tab": 7_560,
    "draft_payment": 9_100,
    "draft_entry": 12_300,
    "schedule": 3_300,
    "note": 8_400,
    "statement": 630,
}

PERSON_SESSION_TIMEOUT = 604_800  # one week (docs/protocol.md#sessions)
PSP_SESSION_TIMEOUT = 7_776_000  # 90 days
PSP_FIRST_SESSION_CAP = 3_600  # "The first session will last 1 hour"


class Clock:
    """Wall clock with an offset, so tests can move time forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def utcnow(self) -> datetime:
        return datetime.fromtimestamp(self.now(), UTC)


@dataclass
class User:
    id: int
    kind: str  # "UserPerson" | "UserCompany" | "UserPaymentServiceProvider"
    created: datetime
    first_name: str = ""
    last_name: str = ""
    name: str = ""  # companies and providers
    email: str | None = None
    phone: str | None = None
    public_uuid: str = ""
    avatar_uuid: str = ""
    certificate_dn: str | None = None
    session_timeout: int = PERSON_SESSION_TIMEOUT
    unlimited: bool = False  # Sugar Daddy pays anything

    @property
    def legal_name(self) -> str:
        return self.name or f"{self.first_name} {self.last_name}".strip()

    @property
    def display_name(self) -> str:
        if self.kind == "UserPerson" and self.first_name and self.last_name:
            return f"{self.first_name[0]}. {self.last_name}"
        return self.legal_name

    @property
    def nick_name(self) -> str:
        return self.first_name or self.name


@dataclass
class Account:
    id: int
    kind: str  # "MonetaryAccountBank" | "MonetaryAccountSavings" | "MonetaryAccountJoint"
    owner_id: int
    created: datetime
    updated: datetime
    iban: str
    description: str
    currency: str = "EUR"
    balance: Decimal = Decimal("0.00")
    daily_limit: Decimal = Decimal("1000.00")
    status: str = "ACTIVE"
    sub_status: str = "NONE"
    reason: str | None = None
    reason_description: str | None = None
    primary: bool = False
    color: str = "#54C7FC"
    savings_goal: Decimal | None = None
    co_owner_ids: list[int] = field(default_factory=list)
    public_uuid: str = ""
    avatar_uuid: str = ""
    # Payments on this account, ascending by id (ids grow with time).
    payments: list[Payment] = field(default_factory=list)
    requests: list[RequestInquiry] = field(default_factory=list)
    # Requests others sent to this account, and the batches paid from it (ascending by id).
    responses: list[RequestResponse] = field(default_factory=list)
    batches: list[PaymentBatch] = field(default_factory=list)
    # bunq.me tabs, draft payments and scheduled payments of this account (ascending by id).
    tabs: list[BunqMeTab] = field(default_factory=list)
    drafts: list[DraftPayment] = field(default_factory=list)
    schedules: list[SchedulePayment] = field(default_factory=list)


@dataclass
class Counterparty:
    """The other side of a payment: a bunq account, or an external IBAN."""

    iban: str
    name: str
    user_id: int | None = None
    account_id: int | None = None


@dataclass
class Payment:
    id: int
    account_id: int
    created: datetime
    amount: Decimal  # negative = outgoing
    currency: str
    counterparty: Counterparty
    description: str
    type: str
    sub_type: str
    balance_after: Decimal
    geolocation: dict | None = None
    batch_id: int | None = None
    scheduled_id: int | None = None  # booked by a SchedulePayment


@dataclass
class RequestInquiry:
    id: int
    account_id: int
    created: datetime
    updated: datetime
    amount: Decimal
    currency: str
    counterparty: Counterparty
    description: str
    status: str = "PENDING"
    amount_responded: Decimal | None = None
    time_responded: datetime | None = None


@dataclass
class RequestResponse:
    """The payer's side of a request inquiry between two bunq accounts: `counterparty` is the
    requester; answering it answers the inquiry `inquiry_id` on `counterparty.account_id`."""

    id: int
    account_id: int
    created: datetime
    updated: datetime
    amount: Decimal
    currency: str
    counterparty: Counterparty
    description: str
    inquiry_id: int
    status: str = "PENDING"
    amount_responded: Decimal | None = None
    time_responded: datetime | None = None


@dataclass
class PaymentBatch:
    id: int
    account_id: int
    created: datetime
    payment_ids: list[int] = field(default_factory=list)


@dataclass
class BunqMeTab:
    """A bunq.me link (`…/bunqme-tab`): anyone may pay it; each payment is a result inquiry.
    `amount` None lets the payer choose."""

    id: int
    account_id: int
    created: datetime
    updated: datetime
    uuid: str  # the entry's uuid, also the share URL's last part
    amount: Decimal | None
    currency: str
    description: str
    redirect_url: str | None
    time_expiry: datetime
    status: str = "WAITING_FOR_PAYMENT"
    payment_ids: list[int] = field(default_factory=list)


@dataclass
class DraftEntry:
    id: int
    amount: Decimal
    counterparty: Counterparty
    description: str


@dataclass
class DraftPayment:
    """A payment an OAuth app prepared; the account's owner accepts or rejects it (in bunq's
    app; here through the control API). `created_by` is the user who made it."""

    id: int
    account_id: int
    created: datetime
    updated: datetime
    created_by: int
    entries: list[DraftEntry]
    status: str = "PENDING"
    payment_ids: list[int] = field(default_factory=list)
    batch_id: int | None = None


@dataclass
class SchedulePayment:
    """A payment booked at `time_start` and then every `recurrence_size` units until
    `time_end`; `done` occurrences have been made so far."""

    id: int
    account_id: int
    created: datetime
    updated: datetime
    amount: Decimal
    currency: str
    counterparty: Counterparty
    description: str
    time_start: datetime
    time_end: datetime | None
    recurrence_unit: str  # ONCE | HOURLY | DAILY | WEEKLY | MONTHLY | YEARLY
    recurrence_size: int
    status: str = "ACTIVE"  # ACTIVE | FINISHED | CANCELLED
    done: int = 0
    payment_ids: list[int] = field(default_factory=list)


@dataclass
class Attachment:
    """A public attachment (POST /attachment-public): the exact bytes and their type."""

    uuid: str
    created: datetime
    content_type: str
    description: str
    content: bytes


@dataclass
class Avatar:
    uuid: str
    created: datetime
    attachment_uuid: str
    width: int
    height: int
    content_type: str


@dataclass
class Event:
    id: int
    user_id: int
    account_id: int | None
    created: datetime
    object_type: str
    object_id: int
    status: str = "FINALIZED"
    action: str = "CREATE"


@dataclass
class Card:
    id: int
    user_id: int
    account_id: int
    created: datetime
    second_line: str
    four_digit: str
    expiry_date: str
    public_uuid: str
    status: str = "ACTIVE"
    name_on_card: str = ""  # "" = the holder's legal name
    type: str = "MASTERCARD"
    product_type: str = "MASTERCARD_DEBIT"
    order_status: str = "CARD_UPDATE_SENT"


@dataclass
class NoteText:
    """A note on a payment (`…/payment/{id}/note-text`), written by `user_id`."""

    id: int
    account_id: int
    payment_id: int
    user_id: int
    created: datetime
    updated: datetime
    content: str


@dataclass
class CustomerStatement:
    """A statement export (`…/customer-statement`): the file is made when it is asked for,
    from the payments of that moment, and kept as it was made."""

    id: int
    account_id: int
    created: datetime
    statement_format: str  # "MT940" | "CSV" | "PDF"
    date_start: str  # ISO dates, both included
    date_end: str
    regional_format: str | None
    statement_number: int
    content: bytes
    status: str = "PENDING"  # "DONE" once read once: a client has to poll, as with bunq
    reads: int = 0


@dataclass
class Secret:
    """Something that can be used as an API key: a real API key, an OAuth access token or a
    PSD2 credential's token_value."""

    value: str
    kind: str  # "api_key" | "oauth" | "psd2"
    user_id: int  # the user a session with this secret acts as
    permitted_ips: list[str] | None = None  # None = not bound yet
    revoked: bool = False


@dataclass
class Installation:
    id: int
    token: str
    token_id: int
    created: datetime
    client_public_key: str
    server_key: rsa.RSAPrivateKey
    server_public_key: str
    device_ids: list[int] = field(default_factory=list)
    # X-Bunq-Client-Request-Ids this device has used, oldest first (request_ids.py)
    request_ids: list[str] = field(default_factory=list)


@dataclass
class Device:
    id: int
    installation_id: int
    secret: str
    description: str
    ip: str
    created: datetime


@dataclass
class Session:
    id: int
    token: str
    installation_id: int
    user_id: int
    created: datetime
    expiry: float
    timeout: int


@dataclass
class UserApiKey:
    """What an OAuth grant becomes once a session is opened with its access token."""

    id: int
    created: datetime
    requested_by_id: int
    granted_by_id: int
    account_ids: list[int]


@dataclass
class OauthClient:
    id: int
    user_id: int
    client_id: str
    secret: str
    created: datetime
    status: str = "ACTIVE"
    display_name: str | None = None
    callback_urls: list[CallbackUrl] = field(default_factory=list)


@dataclass
class CallbackUrl:
    id: int
    url: str
    created: datetime
    updated: datetime


@dataclass
class AuthCode:
    code: str
    client_id: str
    redirect_uri: str
    state: str | None
    granted_by_id: int
    expires: float
    used: bool = False


@dataclass
class Credential:
    id: int
    created: datetime
    updated: datetime
    token_value: str
    user_id: int
    common_name: str
    expiry: datetime
    status: str = "PENDING_FIRST_USE"
    device_description: str | None = None
    device_ip: str | None = None


class World:
    """The emulator's whole state."""

    def __init__(self, seed: int = 1, clock: Clock | None = None) -> None:
        self.lock = threading.RLock()
        self.rng = random.Random(seed)
        self.clock = clock or Clock()
        self.counters = dict(ID_STARTS)
        self.users: dict[int, User] = {}
        self.accounts: dict[int, Account] = {}
        self.accounts_by_iban: dict[str, Account] = {}
        self.secrets: dict[str, Secret] = {}
        self.installations: dict[str, Installation] = {}  # by token
        self.installations_by_id: dict[int, Installation] = {}
        self.devices: dict[int, Device] = {}
        self.sessions: dict[str, Session] = {}  # by token
        self.user_api_keys: dict[int, UserApiKey] = {}
        self.user_api_key_by_token: dict[str, int] = {}
        self.oauth_clients: dict[int, OauthClient] = {}  # by id
        self.auth_codes: dict[str, AuthCode] = {}
        self.credentials: dict[int, Credential] = {}
        self.events: list[Event] = []
        self.cards: list[Card] = []
        self.attachments: dict[str, Attachment] = {}  # by uuid
        self.avatars: dict[str, Avatar] = {}  # by uuid
        self.notes: dict[int, NoteText] = {}  # by id
        self.statements: dict[int, CustomerStatement] = {}  # by id
        self.used_common_names: set[str] = set()
        self.demo_api_key = ""
        self.demo_user_id = 0
        self.sugar_daddy_id = 0

    # ids and tokens -------------------------------------------------------------------------
    def next_id(self, kind: str) -> int:
        self.counters[kind] += 1 + self.rng.randrange(3)  # gaps, as on a shared server
        return self.counters[kind]

    def token(self) -> str:
        return f"{self.rng.getrandbits(256):064x}"

    def uuid(self) -> str:
        value = f"{self.rng.getrandbits(128):032x}"
        return f"{value[:8]}-{value[8:12]}-4{value[13:16]}-a{value[17:20]}-{value[20:]}"

    def api_key(self, sandbox: bool = True) -> str:
        return "sandbox_" + f"{self.rng.getrandbits(224):056x}" if sandbox else self.token()

    def iban(self) -> str:
        """NL + check digits + BUNQ + 10 digits, valid ISO 13616 mod-97."""
        while True:
            account = f"{self.rng.randrange(10**10):010d}"
            bban = "BUNQ" + account
            digits = "".join(str(int(c, 36)) for c in bban + "NL00")
            iban = f"NL{98 - int(digits) % 97:02d}{bban}"
            if iban not in self.accounts_by_iban:
                return iban

    # queries --------------------------------------------------------------------------------
    def user_accounts(self, user_id: int) -> list[Account]:
        """Accounts a user owns or co-owns, by id."""
        return sorted(
            (
                a
                for a in self.accounts.values()
                if a.owner_id == user_id or user_id in a.co_owner_ids
            ),
            key=lambda a: a.id,
        )

    def primary_account(self, user_id: int) -> Account | None:
        accounts = self.user_accounts(user_id)
        for account in accounts:
            if account.primary and account.owner_id == user_id:
                return account
        return accounts[0] if accounts else None

    def user_by_alias(self, kind: str, value: str) -> User | None:
        value = value.strip().lower()
        for user in self.users.values():
            if kind == "EMAIL" and (user.email or "").lower() == value:
                return user
            if kind == "PHONE_NUMBER" and (user.phone or "") == value:
                return user
        return None

    def add_account(self, account: Account) -> Account:
        self.accounts[account.id] = account
        self.accounts_by_iban[account.iban] = account
        return account

    def add_event(
        self,
        user_id: int,
        account_id: int | None,
        obj_type: str,
        obj_id: int,
        when: datetime,
        status: str = "FINALIZED",
    ) -> None:
        self.events.append(
            Event(self.next_id("event"), user_id, account_id, when, obj_type, obj_id, status)
        )

    def snapshot(self) -> dict[str, Any]:
        """Counts for /_emulator/info and debugging."""
        return {
            "users": len(self.users),
            "accounts": len(self.accounts),
            "payments": sum(len(a.payments) for a in self.accounts.values()),
        }
