"""Notes on a payment: `…/payment/{id}/note-text` list, read, add, edit and delete."""

from __future__ import annotations

from emu_client import new_user


def _payment_base(demo) -> str:
    bank = demo.accounts("monetary-account-bank")[0]
    base = f"/user/{demo.user_id}/monetary-account/{bank['id']}/payment"
    payment_id = demo.get(f"{base}?count=1").only("Payment")["id"]
    return f"{base}/{payment_id}/note-text"


def test_add_list_edit_delete_a_note(demo) -> None:
    base = _payment_base(demo)
    assert demo.get(base).items == []
    first = demo.post(base, {"content": "Split with Bram"}).only("Id")["id"]
    second = demo.post(base, {"content": "\x1b[31m[b]red[/b]"}).only("Id")["id"]
    listed = [i["NoteText"] for i in demo.get(base).items]
    assert [n["id"] for n in listed] == [second, first]  # newest first
    assert listed[0]["content"] == "\x1b[31m[b]red[/b]"  # kept exactly, as bunq does
    assert listed[1]["label_user_creator"]["display_name"] == "A. Visser"
    assert demo.put(f"{base}/{first}", {"content": "Paid back"}).only("Id")["id"] == first
    assert demo.get(f"{base}/{first}").only("NoteText")["content"] == "Paid back"
    assert demo.delete(f"{base}/{second}").items == []
    assert [i["NoteText"]["id"] for i in demo.get(base).items] == [first]
    assert demo.get(f"{base}/{second}").status == 404


def test_notes_are_checked(demo, make_client) -> None:
    base = _payment_base(demo)
    assert demo.post(base, {"content": "  "}).status == 400
    assert demo.post(base, {"content": "x" * 10_001}).status == 400
    assert demo.post(base, {}).status == 400
    unknown_payment = base.rsplit("/", 2)[0] + "/1/note-text"
    assert demo.get(unknown_payment).status == 404
    note = demo.post(base, {"content": "mine"}).only("Id")["id"]
    # another user cannot see the account, the payment or the note
    stranger = make_client(new_user(demo.root_url)["api_key"])
    other = base.replace(f"/user/{demo.user_id}/", f"/user/{stranger.user_id}/")
    assert stranger.get(f"{other}/{note}").status == 404
