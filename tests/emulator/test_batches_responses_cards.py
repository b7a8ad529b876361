"""Payment batches, answering requests, ordering cards, public attachments and avatars, and the
order of account listings — through the independent test client, which checks every server
signature (also over an attachment's raw bytes)."""

from __future__ import annotations

from decimal import Decimal

from emu_client import new_user

BRAVO = {"type": "EMAIL", "value": "bravo@bunq.com"}
SUGAR = {"type": "EMAIL", "value": "sugardaddy@bunq.com"}


def _balance(client, account_id: int) -> Decimal:
    reply = client.get(f"/user/{client.user_id}/monetary-account/{account_id}")
    (item,) = reply.items
    return Decimal(next(iter(item.values()))["balance"]["value"])


def _bank(client) -> dict:
    return client.accounts("monetary-account-bank")[0]


def _ask(client, account_id: int, value: str, alias: dict) -> int:
    reply = client.post(
        f"/user/{client.user_id}/monetary-account/{account_id}/request-inquiry",
        {
            "amount_inquired": {"value": value, "currency": "EUR"},
            "counterparty_alias": alias,
            "description": "lunch",
            "allow_bunqme": False,
        },
    )
    assert reply.status == 200, reply.body
    return reply.only("Id")["id"]


def _funded_user(emulator, make_client, accounts: int = 1):
    client = make_client(new_user(emulator.root_url, accounts=accounts)["api_key"], key_slot=1)
    bank = _bank(client)
    _ask(client, bank["id"], "500.00", SUGAR)
    return client, bank


# payment batches -----------------------------------------------------------------------------
def _batch(*values: str) -> dict:
    return {
        "payments": [
            {
                "amount": {"value": v, "currency": "EUR"},
                "counterparty_alias": BRAVO,
                "description": f"batch {i}",
            }
            for i, v in enumerate(values)
        ]
    }


def test_payment_batch_is_signed_books_every_payment_and_reads_back(emulator, make_client):
    client, bank = _funded_user(emulator, make_client)
    path = f"/user/{client.user_id}/monetary-account/{bank['id']}/payment-batch"
    missing = client.post(path, _batch("1.00"))
    assert missing.status == 466 and "signature is required" in missing.error
    wrong = client.post(path, _batch("1.00"), signature="AAAA")
    assert wrong.status == 400 and wrong.error == "The request signature is invalid."
    assert _balance(client, bank["id"]) == Decimal("500.00")  # neither booked anything

    batch_id = client.post(path, _batch("1.00", "2.50", "0.01"), sign_body=True).only("Id")["id"]
    assert _balance(client, bank["id"]) == Decimal("496.49")
    payments = client.get(f"{path}/{batch_id}").only("PaymentBatch")["payments"]
    assert [p["amount"]["value"] for p in payments] == ["-1.00", "-2.50", "-0.01"]
    assert {p["batch_id"] for p in payments} == {batch_id}
    listed = client.get(f"/user/{client.user_id}/monetary-account/{bank['id']}/payment")
    assert [p["Payment"]["batch_id"] for p in listed.items[:3]] == [batch_id] * 3
    assert client.get(path).items[0]["PaymentBatch"]["payments"] == payments


def test_payment_batch_is_all_or_nothing(emulator, make_client):
    client, bank = _funded_user(emulator, make_client)
    path = f"/user/{client.user_id}/monetary-account/{bank['id']}/payment-batch"
    too_much = client.post(path, _batch("300.00", "300.00"), sign_body=True)
    assert too_much.status == 400 and "insufficient" in too_much.error
    bad_one = _batch("1.00")
    bad_one["payments"].append({"amount": {"value": "1.00", "currency": "EUR"}})
    assert client.post(path, bad_one, sign_body=True).status == 400
    assert client.post(path, {"payments": []}, sign_body=True).status == 400
    assert _balance(client, bank["id"]) == Decimal("500.00")
    assert client.get(path).items == []


# request responses ---------------------------------------------------------------------------
def test_a_request_to_another_user_is_answered_by_accepting_it(emulator, make_client, demo):
    payer, payer_bank = _funded_user(emulator, make_client)
    demo_bank = _bank(demo)
    before = _balance(demo, demo_bank["id"])
    email = payer.get(f"/user/{payer.user_id}").only("UserPerson")["alias"][-1]
    inquiry_id = _ask(demo, demo_bank["id"], "12.34", {"type": "EMAIL", "value": email["value"]})

    base = f"/user/{payer.user_id}/monetary-account/{payer_bank['id']}/request-response"
    (item,) = payer.get(base).items
    response = item["RequestResponse"]
    assert response["status"] == "PENDING"
    assert response["amount_inquired"] == {"currency": "EUR", "value": "12.34"}
    assert response["counterparty_alias"]["iban"] == demo_bank["alias"][-1]["value"]
    assert payer.get(f"{base}?status=ACCEPTED").items == []
    events = payer.get(f"/user/{payer.user_id}/event?status=AWAITING_REPLY").items
    assert [e["Event"]["object"]["RequestResponse"]["id"] for e in events] == [response["id"]]

    path = f"{base}/{response['id']}"
    unsigned = payer.put(path, {"status": "ACCEPTED"})
    assert unsigned.status == 466  # accepting pays: signed like a payment
    accepted = payer.put(path, {"status": "ACCEPTED"}, sign_body=True)
    assert accepted.only("RequestResponse")["status"] == "ACCEPTED"
    assert accepted.only("RequestResponse")["amount_responded"]["value"] == "12.34"
    assert _balance(payer, payer_bank["id"]) == Decimal("487.66")
    assert _balance(demo, demo_bank["id"]) == before + Decimal("12.34")
    inquiry_path = f"/user/{demo.user_id}/monetary-account/{demo_bank['id']}/request-inquiry"
    inquiry = demo.get(f"{inquiry_path}/{inquiry_id}").only("RequestInquiry")
    assert inquiry["status"] == "ACCEPTED" and inquiry["amount_responded"]["value"] == "12.34"
    paid = payer.get(f"/user/{payer.user_id}/monetary-account/{payer_bank['id']}/payment")
    assert paid.items[0]["Payment"]["sub_type"] == "REQUEST"
    again = payer.put(path, {"status": "REJECTED"})
    assert again.status == 400 and "already accepted" in again.error


def test_rejecting_or_revoking_a_request_moves_no_money(emulator, make_client, demo):
    payer, payer_bank = _funded_user(emulator, make_client)
    demo_bank = _bank(demo)
    iban = {"type": "IBAN", "value": payer_bank["alias"][-1]["value"], "name": "Payer"}
    rejected_id = _ask(demo, demo_bank["id"], "5.00", iban)
    revoked_id = _ask(demo, demo_bank["id"], "6.00", iban)
    base = f"/user/{payer.user_id}/monetary-account/{payer_bank['id']}/request-response"
    newest, oldest = (i["RequestResponse"] for i in payer.get(base).items)
    assert payer.put(f"{base}/{oldest['id']}", {"status": "REJECTED"}).status == 200
    inquiry_path = f"/user/{demo.user_id}/monetary-account/{demo_bank['id']}/request-inquiry"
    assert demo.put(f"{inquiry_path}/{revoked_id}", {"status": "REVOKED"}).status == 200
    assert payer.get(f"{base}/{newest['id']}").only("RequestResponse")["status"] == "REVOKED"
    assert payer.put(f"{base}/{newest['id']}", {"status": "ACCEPTED"}, sign_body=True).status == 400
    rejected = demo.get(f"{inquiry_path}/{rejected_id}").only("RequestInquiry")
    assert rejected["status"] == "REJECTED" and rejected["amount_responded"] is None
    assert _balance(payer, payer_bank["id"]) == Decimal("500.00")
    assert payer.put(f"{base}/{oldest['id']}", {"status": "PAID"}).status == 400


# cards -------------------------------------------------------------------------------------
def test_ordering_a_debit_card(demo):
    names = demo.get(f"/user/{demo.user_id}/card-name").only("CardUserNameArray")
    assert names["possible_card_name_array"] == ["Anna Visser", "A. Visser", "A Visser", "Visser"]
    bank = _bank(demo)
    order = {
        "second_line": "GROCERIES AND MORE 1",
        "name_on_card": "A. Visser",
        "type": "MASTERCARD",
        "product_type": "MASTERCARD_DEBIT",
        "alias": {"type": "EMAIL", "value": "anna.visser@bunq.org"},
        "pin_code_assignment": [
            {
                "type": "PRIMARY",
                "routing_type": "MANUAL",
                "pin_code": "4045",
                "monetary_account_id": bank["id"],
            }
        ],
    }
    path = f"/user/{demo.user_id}/card-debit"
    for wrong in (
        {"name_on_card": "Someone Else"},
        {"second_line": "X" * 21},
        {"type": "VISA"},
        {"alias": {"type": "EMAIL", "value": "bravo@bunq.com"}},
        {"pin_code_assignment": [{**order["pin_code_assignment"][0], "pin_code": "12"}]},
    ):
        assert demo.post(path, {**order, **wrong}).status == 400, wrong
    reply = demo.post(path, order)
    assert b"4045" not in reply.body  # a PIN is never echoed
    card = reply.only("CardDebit")
    assert (card["name_on_card"], card["second_line"]) == ("A. Visser", "GROCERIES AND MORE 1")
    assert card["order_status"] == "NEW_CARD_REQUEST_RECEIVED"
    assert card["pin_code_assignment"][0]["monetary_account_id"] == bank["id"]
    listed = demo.get(f"/user/{demo.user_id}/card").items
    assert card["id"] in [c["Card"]["id"] for c in listed]
    got = demo.get(f"/user/{demo.user_id}/card/{card['id']}").only("Card")
    assert got == card


# attachments and avatars ---------------------------------------------------------------------
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x05\x00\x00\x00\x07\x08\x02\x00\x00\x00"
    b"\xff\x00\xfe\x80"  # not UTF-8: the bytes must come back as they went
)


def _upload(client, content: bytes, content_type: str = "image/png", description: str = "pic"):
    headers = {"Content-Type": content_type}
    if description:
        headers["X-Bunq-Attachment-Description"] = description
    return client.call("POST", "/attachment-public", raw=content, headers=headers)


def test_public_attachment_comes_back_byte_for_byte_and_makes_an_avatar(demo):
    uuid = _upload(demo, PNG).only("Uuid")["uuid"]
    content = demo.get(f"/attachment-public/{uuid}/content")  # signature checked over raw bytes
    assert content.status == 200 and content.body == PNG
    assert content.headers["content-type"] == "image/png"
    meta = demo.get(f"/attachment-public/{uuid}").only("AttachmentPublic")
    assert meta["attachment"] == {"description": "pic", "content_type": "image/png"}

    avatar_uuid = demo.post("/avatar", {"attachment_public_uuid": uuid}).only("Uuid")["uuid"]
    (image,) = demo.get(f"/avatar/{avatar_uuid}").only("Avatar")["image"]
    assert image == {
        "attachment_public_uuid": uuid,
        "height": 7,
        "width": 5,
        "content_type": "image/png",
    }


def test_attachment_uploads_that_are_refused(demo):
    assert _upload(demo, PNG, description="").status == 400
    assert _upload(demo, PNG, content_type="text/html").status == 400
    assert _upload(demo, b"").status == 400
    not_png = _upload(demo, b"GIF89a but labelled png").only("Uuid")["uuid"]
    assert demo.post("/avatar", {"attachment_public_uuid": not_png}).status == 400
    assert demo.post("/avatar", {"attachment_public_uuid": "nope"}).status == 404
    assert demo.get("/attachment-public/nope/content").status == 404


# order of listings ---------------------------------------------------------------------------
def test_accounts_are_listed_oldest_first_payments_newest_first(emulator, make_client):
    client = make_client(new_user(emulator.root_url, accounts=5, payments=5)["api_key"])
    ids = [a["id"] for a in client.accounts()]
    assert ids == sorted(ids) and len(ids) == 5
    made = client.post(
        f"/user/{client.user_id}/monetary-account-bank",
        {"currency": "EUR", "description": "newest"},
    ).only("Id")["id"]
    banks = client.accounts("monetary-account-bank")
    assert banks[0]["id"] == ids[0] and banks[-1]["id"] == made  # the primary stays first

    first = client.get(f"/user/{client.user_id}/monetary-account?count=2")
    assert [next(iter(i.values()))["id"] for i in first.items] == ids[:2]
    pages = first.json()["Pagination"]
    assert pages["older_url"] is None and pages["newer_url"].endswith(f"newer_id={ids[1]}")
    second = client.get(pages["newer_url"].removeprefix("/v1"))
    assert [next(iter(i.values()))["id"] for i in second.items] == ids[2:4]
    back = client.get(second.json()["Pagination"]["older_url"].removeprefix("/v1"))
    assert [next(iter(i.values()))["id"] for i in back.items] == ids[:2]

    payments = client.get(f"/user/{client.user_id}/monetary-account/{ids[0]}/payment").items
    payment_ids = [p["Payment"]["id"] for p in payments]
    assert payment_ids == sorted(payment_ids, reverse=True)
