"""The official Python SDK (PyPI bunq-sdk), unmodified, on the routes added for cards, notes,
statements and events: its own models must read every answer, and its own calls must work."""

from __future__ import annotations

import datetime as dt

import pytest

bunq_sdk = pytest.importorskip("bunq.sdk.context.api_context")

from bunq.sdk.context.api_context import ApiContext  # noqa: E402
from bunq.sdk.context.api_environment_type import ApiEnvironmentType  # noqa: E402
from bunq.sdk.context.bunq_context import BunqContext  # noqa: E402
from bunq.sdk.model.generated import endpoint  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture
def demo_sdk(emulator, monkeypatch):
    """The SDK's SANDBOX environment pointed at the emulator, logged in as the demo user."""
    monkeypatch.setattr(ApiEnvironmentType.SANDBOX, "_uri_base", emulator.base_url + "/")
    context = ApiContext.create(ApiEnvironmentType.SANDBOX, emulator.demo_api_key, "sdk test")
    BunqContext.load_api_context(context)
    return emulator


def test_sdk_lists_and_freezes_cards(demo_sdk) -> None:
    cards = endpoint.CardApiObject.list().value
    assert {c.second_line for c in cards} >= {"Anna's card", "Online shopping", "Spare card"}
    card = next(c for c in cards if c.second_line == "Anna's card")
    frozen = endpoint.CardApiObject.update(card.id_, status="DEACTIVATED").value
    assert frozen.status == "DEACTIVATED"
    assert endpoint.CardApiObject.get(card.id_).value.status == "DEACTIVATED"
    events = endpoint.EventApiObject.list(params={"count": "1"}).value
    assert events[0].object_.Card.id_ == card.id_  # the SDK reads the card inside the event


def test_sdk_notes_on_a_payment(demo_sdk) -> None:
    payment = endpoint.PaymentApiObject.list(params={"count": "1"}).value[0]
    note_id = endpoint.NoteTextPaymentApiObject.create(payment.id_, content="From the SDK").value
    notes = endpoint.NoteTextPaymentApiObject.list(payment.id_).value
    assert [(n.id_, n.content) for n in notes] == [(note_id, "From the SDK")]
    endpoint.NoteTextPaymentApiObject.update(payment.id_, note_id, content="Edited")
    assert endpoint.NoteTextPaymentApiObject.get(payment.id_, note_id).value.content == "Edited"
    endpoint.NoteTextPaymentApiObject.delete(payment.id_, note_id)
    assert endpoint.NoteTextPaymentApiObject.list(payment.id_).value == []


def test_sdk_exports_a_statement(demo_sdk) -> None:
    today = dt.datetime.now(dt.UTC).date()
    statement_id = endpoint.ExportStatementApiObject.create(
        "CSV", str(today - dt.timedelta(days=400)), str(today), regional_format="UK_US"
    ).value
    first = endpoint.ExportStatementApiObject.get(statement_id).value
    assert (first.status, first.statement_format) == ("PENDING", "CSV")
    assert endpoint.ExportStatementApiObject.get(statement_id).value.status == "DONE"
    content = endpoint.ExportStatementContentApiObject.list(statement_id).value
    assert content.startswith(b"Date,Interest Date,Amount")
    listed = endpoint.ExportStatementApiObject.list().value
    assert [s.id_ for s in listed] == [statement_id]
