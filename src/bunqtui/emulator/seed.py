"""Deterministic seed data: Sugar Daddy, bravo@bunq.com, and a demo person whose accounts hold
thousands of payments over two years, every balance_after_mutation chain adding up
(docs/protocol.md#emulator), with cards (seed_cards.py) and requests and a scheduled payment to
act on (seed_money.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from .seed_cards import seed_demo_cards
from .seed_money import seed_demo_money
from .state import (
    Account,
    Card,
    Counterparty,
    Payment,
    RequestInquiry,
    Secret,
    User,
    World,
)

# Seed data ends on a fixed day, so the same seed always gives the same data (tests); `--demo`
# ends it at the moment it starts instead, so "this month" and "updated" look like a live bank.
SEED_END = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

FIRST_NAMES = ["Anna", "Bram", "Chloé", "Daan", "Eva", "Finn", "Lotte", "Milan", "Noor", "Sem"]
LAST_NAMES = ["Visser", "de Jong", "Bakker", "Jansen", "Smit", "Mulder", "de Vries", "Bos"]

# (counterparty name, descriptions, type, sub_type, amount range in cents, sign)
MERCHANTS = [
    (
        "Albert Heijn",
        ["Groceries", "AH to go", "Weekly shopping"],
        "MASTERCARD",
        "PAYMENT",
        (350, 9500),
        -1,
    ),
    ("Jumbo Supermarkten", ["Groceries", "Jumbo"], "MASTERCARD", "PAYMENT", (200, 7000), -1),
    (
        "NS Reizigers",
        ["Train ticket", "OV-chipkaart top-up"],
        "MASTERCARD",
        "PAYMENT",
        (300, 4500),
        -1,
    ),
    ("Coffee Company", ["Coffee", "Flat white ☕"], "MASTERCARD", "PAYMENT", (250, 900), -1),
    ("Vattenfall", ["Energy bill", "Monthly energy"], "EBA_SDD", "SDD", (6000, 16000), -1),
    ("Ziggo", ["Internet & TV"], "EBA_SDD", "SDD", (4500, 6500), -1),
    ("Bol.com", ["Order 1208-33", "Books", "Headphones"], "IDEAL", "PAYMENT", (999, 15999), -1),
    ("Thuisbezorgd.nl", ["Dinner", "Pizza night"], "IDEAL", "PAYMENT", (1500, 4500), -1),
    ("Gemeente Amsterdam", ["Parking", "Waste tax"], "EBA_SCT", "SCT", (300, 30000), -1),
]
EMPLOYER = ("Acme Software B.V.", ["Salary", "Salary + holiday allowance"], "EBA_SCT", "SCT")


def new_user(
    world: World, kind: str, first: str, last: str, *, name: str = "", when: datetime
) -> User:
    uid = world.next_id("user")
    slug = (name or f"{first}.{last}").lower().replace(" ", "").replace("é", "e")
    user = User(
        id=uid,
        kind=kind,
        created=when,
        first_name=first,
        last_name=last,
        name=name,
        email=f"{slug}.{uid}@bunq.org",
        phone=f"+316{world.rng.randrange(10**8):08d}",
        public_uuid=world.uuid(),
        avatar_uuid=world.uuid(),
    )
    world.users[uid] = user
    return user


def new_account(
    world: World,
    owner: User,
    kind: str,
    description: str,
    *,
    when: datetime,
    primary: bool = False,
    color: str = "#54C7FC",
) -> Account:
    return world.add_account(
        Account(
            id=world.next_id("account"),
            kind=kind,
            owner_id=owner.id,
            created=when,
            updated=when,
            iban=world.iban(),
            description=description,
            primary=primary,
            color=color,
            public_uuid=world.uuid(),
            avatar_uuid=world.uuid(),
        )
    )


def new_api_key(world: World, user: User) -> str:
    key = world.api_key()
    world.secrets[key] = Secret(key, "api_key", user.id)
    return key


def sandbox_user(world: World, kind: str = "UserPerson") -> tuple[User, str]:
    """What POST /sandbox-user-person|company creates: an active user with one empty account."""
    now = world.clock.utcnow()
    if kind == "UserCompany":
        user = new_user(world, kind, "", "", name=f"{world.rng.choice(LAST_NAMES)} B.V.", when=now)
    else:
        user = new_user(
            world, kind, world.rng.choice(FIRST_NAMES), world.rng.choice(LAST_NAMES), when=now
        )
    new_account(world, user, "MonetaryAccountBank", "bunq account", when=now, primary=True)
    return user, new_api_key(world, user)


def fill_history(
    world: World, account: Account, count: int, *, start: datetime, end: datetime
) -> None:
    """`count` payments between start and end with a consistent balance chain, ending at the
    account's balance. Counterparties are external merchants (no mirror bookings)."""
    if count <= 0:
        return
    rng = world.rng
    step = (end - start) / count
    balance = Decimal("0.00")
    payments: list[Payment] = []
    for i in range(count):
        when = (
            start + step * i + timedelta(seconds=rng.randrange(max(1, int(step.total_seconds()))))
        )
        if i == 0 or i % 25 == 0 or balance < Decimal("150.00"):
            name, descriptions, ptype, sub = EMPLOYER
            value = Decimal(rng.randrange(250_000, 420_000)) / 100
            iban = "NL91ABNA0417164300"
        else:
            name, descriptions, ptype, sub, (low, high), _ = rng.choice(MERCHANTS)
            value = -Decimal(rng.randrange(low, high)) / 100
            iban = None
            if -value > balance:
                value = -(balance / 2).quantize(Decimal("0.01"))
        balance += value
        payments.append(
            Payment(
                id=world.next_id("payment"),
                account_id=account.id,
                created=when,
                amount=value,
                currency=account.currency,
                counterparty=Counterparty(
                    iban or f"NL{10 + i % 80:02d}INGB0{i % 10}{i:08d}"[:18], name
                ),
                description=rng.choice(descriptions),
                type=ptype,
                sub_type=sub,
                balance_after=balance,
            )
        )
    account.payments.extend(payments)
    account.balance = balance


def seed_world(world: World, *, demo_payments: int = 2400, end: datetime = SEED_END) -> None:
    """Sugar Daddy, bravo@bunq.com and the demo person (API key in world.demo_api_key)."""
    start = end - timedelta(days=800)
    sugar = new_user(world, "UserPerson", "Sugar", "Daddy", when=start)
    sugar.email = "sugardaddy@bunq.com"
    sugar.unlimited = True
    world.sugar_daddy_id = sugar.id
    sugar_account = world.add_account(
        Account(
            id=world.next_id("account"),
            kind="MonetaryAccountBank",
            owner_id=sugar.id,
            created=start,
            updated=start,
            iban="NL32BUNQ2025313705",
            description="Sugar Daddy",
            balance=Decimal("1000000000.00"),
            primary=True,
            public_uuid=world.uuid(),
            avatar_uuid=world.uuid(),
        )
    )
    del sugar_account
    bravo = new_user(world, "UserPerson", "Bravo", "Tester", when=start)
    bravo.email = "bravo@bunq.com"
    bravo_account = new_account(
        world, bravo, "MonetaryAccountBank", "bunq account", when=start, primary=True
    )
    new_api_key(world, bravo)

    demo = new_user(world, "UserPerson", "Anna", "Visser", when=start)
    demo.email = "anna.visser@bunq.org"
    world.demo_user_id = demo.id
    world.demo_api_key = new_api_key(world, demo)
    partner = new_user(world, "UserPerson", "Bram", "Visser", when=start)
    main = new_account(
        world,
        demo,
        "MonetaryAccountBank",
        "Main account",
        when=start,
        primary=True,
        color="#54C7FC",
    )
    bills = new_account(world, demo, "MonetaryAccountBank", "Bills", when=start, color="#FE2851")
    savings = new_account(
        world, demo, "MonetaryAccountSavings", "Holiday savings", when=start, color="#2DCE89"
    )
    savings.savings_goal = Decimal("3000.00")
    joint = new_account(
        world, demo, "MonetaryAccountJoint", "Household (joint)", when=start, color="#FFA200"
    )
    joint.co_owner_ids.append(partner.id)

    fill_history(world, main, demo_payments, start=start, end=end)
    fill_history(world, bills, 240, start=start, end=end)
    fill_history(world, savings, 60, start=start, end=end)
    fill_history(world, joint, 300, start=start, end=end)

    # An open request from the partner, and a card on the main account.
    partner_account = world.primary_account(partner.id)
    assert partner_account is not None  # the joint account, which the partner co-owns
    world.accounts[joint.id].requests.append(
        RequestInquiry(
            world.next_id("request"),
            joint.id,
            end,
            end,
            Decimal("42.50"),
            "EUR",
            Counterparty(partner_account.iban, partner.legal_name, partner.id),
            "Groceries last week",
        )
    )
    world.cards.append(
        Card(
            world.next_id("card"),
            demo.id,
            main.id,
            start,
            "Anna's card",
            "4242",
            "2029-11-30",
            world.uuid(),
        )
    )
    seed_demo_cards(world, demo, main.id, bills.id, start)
    # requests from Bravo to accept or reject, and a scheduled payment to cancel
    seed_demo_money(world, demo, main, bravo, bravo_account, end)
    for account in (main, bills, savings, joint):
        for p in account.payments[-20:]:
            world.add_event(demo.id, account.id, "Payment", p.id, p.created)


def control_user(world: World, kind: str, accounts: int, payments: int) -> tuple[User, str]:
    """A user made through /_emulator/users: `accounts` accounts, `payments` on the first."""
    user, key = sandbox_user(world, kind)
    first = world.primary_account(user.id)
    assert first is not None
    now = world.clock.utcnow()
    kinds = ["MonetaryAccountSavings", "MonetaryAccountBank", "MonetaryAccountJoint"]
    for n in range(1, accounts):
        new_account(world, user, kinds[(n - 1) % 3], f"Account {n + 1}", when=now)
    fill_history(
        world,
        first,
        payments,
        start=now - timedelta(days=max(30, payments // 3)),
        end=now - timedelta(minutes=1),
    )
    return user, key
