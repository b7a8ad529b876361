"""Users, monetary accounts, payments and pagination (docs/protocol.md#objects, #pagination),
positive and negative."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from emu_client import new_user

BRAVO = {"type": "EMAIL", "value": "bravo@bunq.com"}


def _payments_path(client, account_id: int) -> str:
    return f"/user/{client.user_id}/monetary-account/{account_id}/payment"


def test_users_list_get_and_typed_reads(demo) -> None:
    reply = demo.get("/user")
    assert reply.status == 200
    assert list(reply.items[0]) == ["UserPerson"]
    assert reply.items[0]["UserPerson"]["id"] == demo.user_id
    assert set(reply.json()["Pagination"]) == {"future_url", "newer_url", "older_url"}
    assert demo.get(f"/user/{demo.user_id}").only("UserPerson")["id"] == demo.user_id
    assert demo.get(f"/user-person/{demo.user_id}").only("UserPerson")["id"] == demo.user_id
    assert demo.get(f"/user-company/{demo.user_id}").status == 404


def test_demo_person_has_bank_savings_joint_accounts(demo) -> None:
    reply = demo.get(f"/user/{demo.user_id}/monetary-account")
    kinds = {next(iter(item)) for item in reply.items}
    assert {"MonetaryAccountBank", "MonetaryAccountSavings", "MonetaryAccountJoint"} <= kinds
    assert len(reply.items) >= 4
    assert reply.json()["Pagination"]["future_url"] is None
    ids = [next(iter(i.values()))["id"] for i in reply.items]
    assert ids == sorted(ids)  # bunq lists a user's accounts oldest first (the SDK relies on it)
    for slug, kind in (
        ("monetary-account-bank", "MonetaryAccountBank"),
        ("monetary-account-savings", "MonetaryAccountSavings"),
        ("monetary-account-joint", "MonetaryAccountJoint"),
    ):
        typed = demo.get(f"/user/{demo.user_id}/{slug}")
        assert typed.status == 200 and typed.items
        assert all(list(item) == [kind] for item in typed.items)
        one = typed.items[0][kind]
        assert demo.get(f"/user/{demo.user_id}/{slug}/{one['id']}").only(kind)["id"] == one["id"]
        got = demo.get(f"/user/{demo.user_id}/monetary-account/{one['id']}").only(kind)
        assert any(alias["type"] == "IBAN" for alias in got["alias"])


def test_balance_chain_adds_up_for_every_seeded_account(demo) -> None:
    total = 0
    for account in demo.accounts():
        payments: list[dict] = []
        url = _payments_path(demo, account["id"]) + "?count=200"
        while url:
            reply = demo.get(url.removeprefix("/v1"))
            assert reply.status == 200
            payments.extend(item["Payment"] for item in reply.items)
            url = reply.json()["Pagination"]["older_url"]
        total += len(payments)
        payments.reverse()  # oldest first
        running = Decimal("0.00")
        for payment in payments:
            running += Decimal(payment["amount"]["value"])
            assert Decimal(payment["balance_after_mutation"]["value"]) == running, payment["id"]
        assert running == Decimal(account["balance"]["value"]), account["id"]
    assert total >= 2000


def test_seed_spans_two_years_with_varied_payments(demo) -> None:
    bank = demo.accounts("monetary-account-bank")[0]
    newest = demo.get(_payments_path(demo, bank["id"]) + "?count=200")
    payments = [i["Payment"] for i in newest.items]
    names = {p["counterparty_alias"]["display_name"] for p in payments}
    descriptions = {p["description"] for p in payments}
    types = {p["type"] for p in payments}
    assert len(names) >= 10 and len(descriptions) >= 10 and len(types) >= 2
    oldest_url = newest.json()["Pagination"]["older_url"]
    first = None
    while oldest_url:
        page = demo.get(oldest_url.removeprefix("/v1"))
        first = page.items[-1]["Payment"]
        oldest_url = page.json()["Pagination"]["older_url"]
    assert first is not None
    span = (
        int(payments[0]["created"][:4]) * 12
        + int(payments[0]["created"][5:7])
        - (int(first["created"][:4]) * 12 + int(first["created"][5:7]))
    )
    assert span >= 24


def test_pagination_follows_section_9(demo) -> None:
    account = demo.accounts("monetary-account-bank")[0]
    path = _payments_path(demo, account["id"])
    latest = demo.get(path)
    items = [i["Payment"]["id"] for i in latest.items]
    assert len(items) == 10  # default count
    assert items == sorted(items, reverse=True)
    pag = latest.json()["Pagination"]
    assert list(pag) == ["future_url", "newer_url", "older_url"]
    assert pag["newer_url"] is None
    assert pag["future_url"] == f"/v1{path}?newer_id={items[0]}"
    assert pag["older_url"] == f"/v1{path}?older_id={items[-1]}"

    older = demo.get(f"{path}?count=25&older_id={items[-1]}")
    older_ids = [i["Payment"]["id"] for i in older.items]
    assert len(older_ids) == 25 and max(older_ids) < items[-1]
    pag = older.json()["Pagination"]
    assert pag["future_url"] is None
    assert pag["newer_url"] == f"/v1{path}?count=25&newer_id={older_ids[0]}"
    assert pag["older_url"] == f"/v1{path}?count=25&older_id={older_ids[-1]}"

    # newer_id=X → the count lowest ids > X, newest first
    newer = demo.get(f"{path}?count=5&newer_id={older_ids[-1]}")
    assert [i["Payment"]["id"] for i in newer.items] == older_ids[-6:-1]
    # the SDK's scenario: next(previous(latest)) + previous(latest) == latest(2*count)
    both = demo.get(f"{path}?count=20")
    assert [i["Payment"]["id"] for i in both.items] == items + older_ids[:10]

    assert len(demo.get(f"{path}?count=200").items) == 200
    for bad in ("count=201", "count=0", "count=abc", "older_id=x"):
        reply = demo.get(f"{path}?{bad}")
        assert reply.status == 400, bad
        assert reply.json()["Error"][0]["error_description"]
    # an empty page past the newest item
    empty = demo.get(f"{path}?newer_id={items[0]}")
    assert empty.items == []
    assert empty.json()["Pagination"] == {
        "future_url": f"/v1{path}?newer_id={items[0]}",
        "newer_url": None,
        "older_url": None,
    }


def test_payment_create_mirrors_incoming_and_books_balance(emulator, demo, make_client) -> None:
    other = new_user(emulator.root_url, accounts=1)
    receiver = make_client(other["api_key"], key_slot=1)
    target = receiver.accounts()[0]
    bank = demo.accounts("monetary-account-bank")[0]
    before = Decimal(bank["balance"]["value"])
    iban = next(a for a in target["alias"] if a["type"] == "IBAN")
    reply = demo.pay(
        bank["id"],
        "12.5",
        {"type": "IBAN", "value": iban["value"], "name": iban["name"]},
        description="lunch / ☕",
    )
    assert reply.status == 200
    payment_id = reply.only("Id")["id"]
    payment = demo.get(f"{_payments_path(demo, bank['id'])}/{payment_id}").only("Payment")
    assert payment["amount"] == {"currency": "EUR", "value": "-12.50"}
    assert payment["description"] == "lunch / ☕"
    after = demo.accounts("monetary-account-bank")[0]
    assert Decimal(after["balance"]["value"]) == before - Decimal("12.50")
    assert Decimal(payment["balance_after_mutation"]["value"]) == before - Decimal("12.50")
    incoming = receiver.get(_payments_path(receiver, target["id"])).items[0]["Payment"]
    assert incoming["amount"]["value"] == "12.50"
    bank_iban = next(a["value"] for a in bank["alias"] if a["type"] == "IBAN")
    assert incoming["counterparty_alias"]["iban"] == bank_iban
    assert incoming["description"] == "lunch / ☕"
    # list newest first now starts with the new payment
    first = demo.get(_payments_path(demo, bank["id"])).items[0]["Payment"]
    assert first["id"] == payment_id


@pytest.mark.parametrize(
    ("amount", "alias", "needle"),
    [
        ({"value": "0", "currency": "EUR"}, BRAVO, "greater than zero"),
        ({"value": "-1.00", "currency": "EUR"}, BRAVO, "greater than zero"),
        ({"value": "1.005", "currency": "EUR"}, BRAVO, "two decimals"),
        ({"value": "abc", "currency": "EUR"}, BRAVO, "not a valid amount"),
        ("1.00", BRAVO, "value and currency"),
        ({"value": "1.00", "currency": "EUR"}, {"type": "EMAIL", "value": "nobody@x.nl"}, ""),
        ({"value": "1.00", "currency": "EUR"}, {"type": "IBAN", "value": "NL00BUNQ0"}, ""),
        ({"value": "1.00", "currency": "EUR"}, None, "counterparty_alias"),
        ({"value": "99999999.00", "currency": "EUR"}, BRAVO, "insufficient"),
    ],
)
def test_payment_bad_input_is_bunqs_error(demo, amount, alias, needle) -> None:
    bank = demo.accounts("monetary-account-bank")[0]
    body = {"amount": amount, "counterparty_alias": alias, "description": "x"}
    reply = demo.post(_payments_path(demo, bank["id"]), body, sign_body=True)
    assert reply.status == 400
    assert needle in reply.error
    assert demo.accounts("monetary-account-bank")[0]["balance"] == bank["balance"]


def test_other_users_ids_are_not_found_without_data(emulator, demo, make_client) -> None:
    other = new_user(emulator.root_url, accounts=1, payments=3)
    stranger = make_client(other["api_key"], key_slot=1)
    their_account = stranger.accounts()[0]["id"]
    their_payment = stranger.get(_payments_path(stranger, their_account)).items[0]["Payment"]
    mine = demo.accounts()[0]["id"]
    for path in (
        f"/user/{other['user_id']}",
        f"/user/{other['user_id']}/monetary-account",
        f"/user/{demo.user_id}/monetary-account/{their_account}",
        f"/user/{demo.user_id}/monetary-account/{their_account}/payment",
        f"/user/{demo.user_id}/monetary-account-bank/{their_account}",
        f"/user/{demo.user_id}/monetary-account/{mine}/payment/{their_payment['id']}",
        f"/user/{other['user_id']}/monetary-account/{their_account}/payment",
        f"/user/{demo.user_id}/monetary-account/abc",
    ):
        reply = demo.get(path)
        assert reply.status == 404, path
        assert set(reply.json()) == {"Error"}
        assert their_payment["description"].encode() not in reply.body
        assert b"iban" not in reply.body.lower()
    reply = demo.pay(their_account, "1.00", BRAVO)
    assert reply.status == 404


def test_typed_account_create_update_close(demo) -> None:
    base = f"/user/{demo.user_id}/monetary-account-savings"
    reply = demo.post(base, {"currency": "EUR", "description": "Holiday"})
    assert reply.status == 200
    new_id = reply.only("Id")["id"]
    got = demo.get(f"{base}/{new_id}").only("MonetaryAccountSavings")
    assert got["description"] == "Holiday" and got["balance"]["value"] == "0.00"
    assert got["status"] == "ACTIVE"
    reply = demo.put(f"{base}/{new_id}", {"description": "Holiday 2027"})
    assert reply.status == 200 and reply.only("Id")["id"] == new_id
    assert demo.get(f"{base}/{new_id}").only("MonetaryAccountSavings")["description"] == (
        "Holiday 2027"
    )
    reply = demo.put(
        f"{base}/{new_id}",
        {
            "status": "CANCELLED",
            "sub_status": "REDEMPTION_VOLUNTARY",
            "reason": "OTHER",
            "reason_description": "done",
        },
    )
    assert reply.status == 200
    assert demo.get(f"{base}/{new_id}").only("MonetaryAccountSavings")["status"] == "CANCELLED"
    # closing needs a zero balance
    bank = demo.accounts("monetary-account-bank")[0]
    reply = demo.put(
        f"/user/{demo.user_id}/monetary-account-bank/{bank['id']}",
        {
            "status": "CANCELLED",
            "sub_status": "REDEMPTION_VOLUNTARY",
            "reason": "OTHER",
            "reason_description": "x",
        },
    )
    assert reply.status == 400
    # bad creates
    assert demo.post(base, {"currency": "USD", "description": "x"}).status == 400
    assert demo.post(base, {"currency": "EUR"}).status == 400
    assert demo.post(base, {"currency": "EUR", "description": 5}).status == 400


def _iban_ok(iban: str) -> bool:
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def test_scalar_formats_of_accounts_and_payments(demo) -> None:
    stamp = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$")
    money = re.compile(r"^-?\d+\.\d\d$")
    for account in demo.accounts():
        iban = next(a["value"] for a in account["alias"] if a["type"] == "IBAN")
        assert re.fullmatch(r"NL\d\dBUNQ\d{10}", iban) and _iban_ok(iban), iban
        assert money.match(account["balance"]["value"])
        assert stamp.match(account["created"]) and stamp.match(account["updated"])
        page = demo.get(f"{_payments_path(demo, account['id'])}?count=50")
        for item in page.items:
            payment = item["Payment"]
            assert stamp.match(payment["created"])
            assert money.match(payment["amount"]["value"])
            assert money.match(payment["balance_after_mutation"]["value"])
            assert payment["monetary_account_id"] == account["id"]
            assert isinstance(payment["id"], int) and payment["id"] > 0
