"""Request inquiries (Sugar Daddy), events with filters, and cards."""

from __future__ import annotations

from decimal import Decimal

SUGAR = {"type": "EMAIL", "value": "sugardaddy@bunq.com"}
BRAVO = {"type": "EMAIL", "value": "bravo@bunq.com"}


def _ask(client, account_id: int, value: str, alias=SUGAR):
    return client.post(
        f"/user/{client.user_id}/monetary-account/{account_id}/request-inquiry",
        {
            "amount_inquired": {"value": value, "currency": "EUR"},
            "counterparty_alias": alias,
            "description": "top up",
            "allow_bunqme": False,
        },
    )


def test_sugar_daddy_pays_up_to_500(demo) -> None:
    bank = demo.accounts("monetary-account-bank")[0]
    before = Decimal(bank["balance"]["value"])
    reply = _ask(demo, bank["id"], "500")
    assert reply.status == 200
    request_id = reply.only("Id")["id"]
    base = f"/user/{demo.user_id}/monetary-account/{bank['id']}"
    request = demo.get(f"{base}/request-inquiry/{request_id}").only("RequestInquiry")
    assert request["status"] == "ACCEPTED"
    assert request["amount_inquired"] == {"currency": "EUR", "value": "500.00"}
    after = demo.accounts("monetary-account-bank")[0]
    assert Decimal(after["balance"]["value"]) == before + 500
    incoming = demo.get(f"{base}/payment").items[0]["Payment"]
    assert incoming["amount"]["value"] == "500.00"
    assert (incoming["type"], incoming["sub_type"]) == ("BUNQ", "REQUEST")
    listed = demo.get(f"{base}/request-inquiry")
    assert listed.items[0]["RequestInquiry"]["id"] == request_id
    assert set(listed.json()["Pagination"]) == {"future_url", "newer_url", "older_url"}


def test_sugar_daddy_rejects_above_500(demo) -> None:
    bank = demo.accounts("monetary-account-bank")[0]
    reply = _ask(demo, bank["id"], "500.01")
    assert reply.status == 200
    base = f"/user/{demo.user_id}/monetary-account/{bank['id']}"
    request = demo.get(f"{base}/request-inquiry/{reply.only('Id')['id']}").only("RequestInquiry")
    assert request["status"] == "REJECTED"
    assert demo.accounts("monetary-account-bank")[0]["balance"] == bank["balance"]


def test_request_revoke_and_bad_updates(demo) -> None:
    bank = demo.accounts("monetary-account-bank")[0]
    request_id = _ask(demo, bank["id"], "3.00", BRAVO).only("Id")["id"]
    path = f"/user/{demo.user_id}/monetary-account/{bank['id']}/request-inquiry/{request_id}"
    assert demo.get(path).only("RequestInquiry")["status"] == "PENDING"
    assert demo.put(path, {"status": "ACCEPTED"}).status == 400
    reply = demo.put(path, {"status": "REVOKED"})
    assert reply.status == 200
    assert reply.only("RequestInquiry")["status"] == "REVOKED"  # PUT returns the full object
    assert demo.put(path, {"status": "REVOKED"}).status == 400
    assert demo.get(path + "9").status == 404


def test_request_bad_input(demo) -> None:
    bank = demo.accounts("monetary-account-bank")[0]
    assert _ask(demo, bank["id"], "0").status == 400
    assert _ask(demo, bank["id"], "1.001").status == 400
    assert _ask(demo, bank["id"], "1", {"type": "EMAIL", "value": "ghost@nowhere"}).status == 400
    reply = demo.post(
        f"/user/{demo.user_id}/monetary-account/{bank['id']}/request-inquiry",
        {"amount_inquired": {"value": True, "currency": "EUR"}, "counterparty_alias": SUGAR},
    )
    assert reply.status == 400
    assert reply.error == "The field amount_inquired.value is required."
    reply = demo.post(
        f"/user/{demo.user_id}/monetary-account/{bank['id']}/request-inquiry",
        {"amount_inquired": {"value": "5.00", "currency": "USD"}, "counterparty_alias": SUGAR},
    )
    assert reply.status == 400


def test_events_list_and_filters(demo) -> None:
    accounts = demo.accounts()
    reply = demo.get(f"/user/{demo.user_id}/event?count=50")
    assert reply.status == 200
    events = [i["Event"] for i in reply.items]
    assert len(events) == 50
    assert [e["id"] for e in events] == sorted((e["id"] for e in events), reverse=True)
    assert set(reply.json()["Pagination"]) == {"future_url", "newer_url", "older_url"}
    one = accounts[-1]["id"]
    filtered = demo.get(f"/user/{demo.user_id}/event?monetary_account_id={one}&count=2")
    assert filtered.items
    assert all(int(i["Event"]["monetary_account_id"]) == one for i in filtered.items)
    assert f"monetary_account_id={one}" in filtered.json()["Pagination"]["older_url"]
    bank = demo.accounts("monetary-account-bank")[0]
    _ask(demo, bank["id"], "2.00", BRAVO)
    pending = demo.get(f"/user/{demo.user_id}/event?status=AWAITING_REPLY")
    assert pending.items
    assert all(i["Event"]["status"] == "AWAITING_REPLY" for i in pending.items)
    first = events[0]
    assert demo.get(f"/user/{demo.user_id}/event/{first['id']}").only("Event")["id"] == first["id"]
    assert demo.get(f"/user/{demo.user_id}/event?monetary_account_id=abc").status == 400


def test_cards_list_and_get(demo) -> None:
    reply = demo.get(f"/user/{demo.user_id}/card")
    assert reply.status == 200
    assert reply.items
    kind, card = next(iter(reply.items[0].items()))
    assert kind.startswith("Card")
    got = demo.get(f"/user/{demo.user_id}/card/{card['id']}")
    assert next(iter(got.items[0].values()))["id"] == card["id"]
    assert demo.get(f"/user/{demo.user_id}/card/1").status == 404
