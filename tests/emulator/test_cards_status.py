"""Freezing, unfreezing and reporting cards lost or stolen (`PUT /user/{id}/card/{id}`), with
the transitions bunq allows, and the demo user's seeded cards."""

from __future__ import annotations


def _cards(demo) -> dict[str, dict]:
    listed = demo.get(f"/user/{demo.user_id}/card?count=200").items
    return {c["Card"]["second_line"]: c["Card"] for c in listed}


def _put(demo, card_id: int, body: dict):
    return demo.put(f"/user/{demo.user_id}/card/{card_id}", body)


def test_the_demo_user_has_an_active_a_virtual_and_a_frozen_card(demo) -> None:
    cards = _cards(demo)
    assert {k: (c["status"], c["product_type"]) for k, c in cards.items()} == {
        "Anna's card": ("ACTIVE", "MASTERCARD_DEBIT"),
        "Online shopping": ("ACTIVE", "MASTERCARD_VIRTUAL"),
        "Spare card": ("DEACTIVATED", "MAESTRO_DEBIT"),
    }
    accounts = {a["description"]: a["id"] for a in demo.accounts("monetary-account-bank")}
    linked = cards["Online shopping"]["primary_account_numbers"][0]["monetary_account_id"]
    assert linked == accounts["Bills"]


def test_freeze_and_unfreeze_answer_the_whole_card_and_leave_an_event(demo) -> None:
    card = _cards(demo)["Anna's card"]
    frozen = _put(demo, card["id"], {"status": "DEACTIVATED"})
    assert frozen.status == 200
    assert frozen.only("Card")["status"] == "DEACTIVATED"
    assert demo.get(f"/user/{demo.user_id}/card/{card['id']}").only("Card")["status"] == (
        "DEACTIVATED"
    )
    newest = demo.get(f"/user/{demo.user_id}/event?count=1").only("Event")
    assert (newest["action"], newest["object"]["Card"]["id"]) == ("UPDATE", card["id"])
    assert _put(demo, card["id"], {"status": "ACTIVE"}).only("Card")["status"] == "ACTIVE"


def test_lost_and_stolen_are_final(demo) -> None:
    cards = _cards(demo)
    lost, stolen = cards["Anna's card"], cards["Spare card"]
    assert _put(demo, lost["id"], {"status": "LOST"}).only("Card")["status"] == "LOST"
    assert _put(demo, stolen["id"], {"status": "STOLEN"}).only("Card")["status"] == "STOLEN"
    for card, status in ((lost, "ACTIVE"), (lost, "DEACTIVATED"), (stolen, "ACTIVE")):
        refused = _put(demo, card["id"], {"status": status})
        assert refused.status == 400
        assert "can no longer be changed" in refused.error
    assert _cards(demo)["Anna's card"]["status"] == "LOST"


def test_unknown_status_a_new_order_and_other_users_cards_are_refused(demo, make_client) -> None:
    card = _cards(demo)["Online shopping"]
    assert _put(demo, card["id"], {"status": "MELTED"}).status == 400
    assert _put(demo, 1, {"status": "DEACTIVATED"}).status == 404
    names = demo.get(f"/user/{demo.user_id}/card-name").only("CardUserNameArray")
    order = {
        "second_line": "NEW",
        "name_on_card": names["possible_card_name_array"][0],
        "type": "MASTERCARD",
        "product_type": "MASTERCARD_DEBIT",
        "alias": {"type": "EMAIL", "value": "anna.visser@bunq.org"},
    }
    new = demo.post(f"/user/{demo.user_id}/card-debit", order).only("CardDebit")
    # a card still being ordered can be neither frozen nor reported lost
    assert _put(demo, new["id"], {"status": "DEACTIVATED"}).error == (
        "This card has not been activated yet."
    )
    assert _put(demo, new["id"], {"status": "LOST"}).status == 400
