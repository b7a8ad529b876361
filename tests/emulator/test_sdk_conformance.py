"""The official Python SDK (PyPI bunq-sdk), unmodified, against the emulator.

The SDK hard-codes bunq's hosts, so the test points its SANDBOX environment at the emulator
(its only seam). Everything else is the SDK's own code: installation, device, signed session,
response verification, models, pagination.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest
from emu_client import client_key, private_pem, self_signed_certificate

bunq_sdk = pytest.importorskip("bunq.sdk.context.api_context")

from bunq.sdk.context.api_context import ApiContext  # noqa: E402
from bunq.sdk.context.api_environment_type import ApiEnvironmentType  # noqa: E402
from bunq.sdk.context.bunq_context import BunqContext  # noqa: E402
from bunq.sdk.model.generated import endpoint, object_  # noqa: E402
from bunq.sdk.util import util  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture
def sandbox(emulator, monkeypatch):
    """The SDK's SANDBOX environment, pointed at the emulator."""
    monkeypatch.setattr(ApiEnvironmentType.SANDBOX, "_uri_base", emulator.base_url + "/")
    return emulator


def _context(sandbox) -> ApiContext:
    context = util.automatic_sandbox_install()  # sandbox-user-person + the whole handshake
    BunqContext.load_api_context(context)
    return context


def test_context_create_save_restore_and_accounts(sandbox, tmp_path: Path) -> None:
    context = ApiContext.create(ApiEnvironmentType.SANDBOX, sandbox.demo_api_key, "sdk test")
    path = tmp_path / "bunq.conf"
    context.save(str(path))
    restored = ApiContext.restore(str(path))
    BunqContext.load_api_context(restored)
    assert BunqContext.user_context().user_id == sandbox.demo_user_id

    accounts = endpoint.MonetaryAccountApiObject.list().value
    assert len(accounts) >= 4
    banks = endpoint.MonetaryAccountBankApiObject.list().value
    assert all(bank.balance.value for bank in banks)
    raw = json.loads(
        httpx.get(  # every key the emulator sends is one the SDK knows
            f"{sandbox.base_url}/user/{sandbox.demo_user_id}/monetary-account-bank",
            headers={"X-Bunq-Client-Authentication": restored.session_context.token},
        ).text
    )["Response"][0]["MonetaryAccountBank"]
    known = set(vars(banks[-1]))  # the SDK keeps "_x" (or "_id_" for id, type and object)
    unknown = [k for k in raw if f"_{k}" not in known and f"_{k}_" not in known]
    assert unknown == []


def test_sugar_daddy_request_and_signed_payment(sandbox) -> None:
    _context(sandbox)
    account_id = BunqContext.user_context().primary_monetary_account.id_
    endpoint.RequestInquiryApiObject.create(
        object_.AmountObject("100.00", "EUR"),
        object_.PointerObject("EMAIL", "sugardaddy@bunq.com", "Sugar Daddy"),
        "You're the best!",
        False,
    )
    balance = endpoint.MonetaryAccountBankApiObject.get(account_id).value.balance.value
    assert balance == "100.00"

    payment_id = endpoint.PaymentApiObject.create(
        object_.AmountObject("0.10", "EUR"),
        object_.PointerObject("EMAIL", "bravo@bunq.com", "Bravo"),
        "From the SDK",
    ).value
    payment = endpoint.PaymentApiObject.get(payment_id).value
    assert payment.amount.value == "-0.10"
    assert payment.description == "From the SDK"


def test_paging_back_through_payments(sandbox) -> None:
    BunqContext.load_api_context(
        ApiContext.create(ApiEnvironmentType.SANDBOX, sandbox.demo_api_key, "sdk paging")
    )
    account_id = BunqContext.user_context().primary_monetary_account.id_
    latest = endpoint.PaymentApiObject.list(account_id, params={"count": 10})
    older = endpoint.PaymentApiObject.list(
        account_id, params=latest.pagination.url_params_previous_page
    )
    assert latest.pagination.has_previous_page()
    ids = [p.id_ for p in latest.value] + [p.id_ for p in older.value]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 20
    both = endpoint.PaymentApiObject.list(account_id, params={"count": 20}).value
    assert [p.id_ for p in both] == ids
    newer = endpoint.PaymentApiObject.list(
        account_id, params=older.pagination.url_params_next_page
    ).value
    assert [p.id_ for p in newer] == ids[:10]


def test_session_delete_and_reset(sandbox) -> None:
    context = _context(sandbox)
    endpoint.SessionApiObject.delete(0)
    context.reset_session()
    BunqContext.load_api_context(context)
    assert endpoint.UserApiObject.get().value.get_referenced_object() is not None


def test_psd2_context_and_oauth_client(sandbox) -> None:
    key = client_key(5)
    cert = self_signed_certificate(f"bunqtui test PISP AISP {time.time_ns()}", key)
    context = ApiContext.create_for_psd2(
        ApiEnvironmentType.SANDBOX, cert, private_pem(key), [cert], "sdk psd2"
    )
    BunqContext.load_api_context(context)
    client_id = endpoint.OauthClientApiObject.create().value
    endpoint.OauthCallbackUrlApiObject.create(client_id, "http://127.0.0.1:8765/callback")
    clients = endpoint.OauthClientApiObject.list().value
    assert [c.id_ for c in clients] == [client_id]
    client = endpoint.OauthClientApiObject.get(client_id).value
    assert [u.url for u in client.callback_url] == ["http://127.0.0.1:8765/callback"]
    assert len(client.client_id) == 64


def test_savings_account_without_a_goal_lists(sandbox) -> None:
    """A savings account made without a goal (control API) still parses in the SDK."""
    made = httpx.post(
        f"{sandbox.root_url}/_emulator/users", json={"kind": "person", "accounts": 2}
    ).json()
    context = ApiContext.create(ApiEnvironmentType.SANDBOX, made["api_key"], "sdk savings")
    BunqContext.load_api_context(context)
    accounts = endpoint.MonetaryAccountApiObject.list().value
    savings = [a.MonetaryAccountSavings for a in accounts if a.MonetaryAccountSavings]
    assert len(savings) == 1
    assert savings[0].savings_goal is None and savings[0].savings_goal_progress == 0.0


def test_sdk_reads_attachments_batches_and_request_responses(sandbox) -> None:
    """The routes bunq's own suite does not read back (tests/emulator/test_sdk_suite.py covers
    uploading, avatars, ordering a card, creating a batch and accepting a request)."""
    context = _context(sandbox)
    headers = {"Content-Type": "image/gif", "X-Bunq-Attachment-Description": "gif"}
    gif = b"GIF89a\x03\x00\x02\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00;"
    uuid = endpoint.AttachmentPublicApiObject.create(gif, headers).value
    meta = endpoint.AttachmentPublicApiObject.get(uuid).value
    assert (meta.attachment.description, meta.attachment.content_type) == ("gif", "image/gif")
    assert endpoint.AttachmentPublicContentApiObject.list(uuid).value == gif

    user = BunqContext.user_context()
    primary = user.primary_monetary_account.id_
    endpoint.RequestInquiryApiObject.create(
        object_.AmountObject("100.00", "EUR"),
        object_.PointerObject("EMAIL", "sugardaddy@bunq.com"),
        "top up",
        False,
    )
    payments = [
        endpoint.PaymentApiObject(
            object_.AmountObject("0.25", "EUR"),
            object_.PointerObject("EMAIL", "bravo@bunq.com"),
            "batch",
        )
    ] * 2
    batch_id = endpoint.PaymentBatchApiObject.create(payments).value
    (listed,) = endpoint.PaymentBatchApiObject.list().value
    assert [p.batch_id for p in listed.payments] == [batch_id, batch_id]

    # a second user of the emulator asks this one for money; this one says no
    other = httpx.post(
        f"{sandbox.root_url}/_emulator/users", json={"kind": "person", "accounts": 1}
    ).json()
    asker = ApiContext.create(ApiEnvironmentType.SANDBOX, other["api_key"], "sdk asker")
    email = user.user_person.alias[-1].value
    BunqContext.load_api_context(asker)
    endpoint.RequestInquiryApiObject.create(
        object_.AmountObject("7.00", "EUR"), object_.PointerObject("EMAIL", email), "pay me", False
    )
    (inquiry,) = endpoint.RequestInquiryApiObject.list().value
    BunqContext.load_api_context(context)
    (pending,) = endpoint.RequestResponseApiObject.list(primary, {"status": "PENDING"}).value
    answered = endpoint.RequestResponseApiObject.update(pending.id_, primary, status="REJECTED")
    assert answered.value.status == "REJECTED"
    got = endpoint.RequestResponseApiObject.get(pending.id_, primary).value
    assert (got.status, got.amount_inquired.value) == ("REJECTED", "7.00")
    assert endpoint.MonetaryAccountBankApiObject.get(primary).value.balance.value == "99.50"
    BunqContext.load_api_context(asker)
    assert endpoint.RequestInquiryApiObject.get(inquiry.id_).value.status == "REJECTED"


# money movement: bunq.me tabs, draft payments, scheduled payments ------------------------------
def _topped_up_primary(sandbox) -> int:
    """A fresh sandbox user with €100 from Sugar Daddy; its primary account's id."""
    _context(sandbox)
    endpoint.RequestInquiryApiObject.create(
        object_.AmountObject("100.00", "EUR"),
        object_.PointerObject("EMAIL", "sugardaddy@bunq.com"),
        "top up",
        False,
    )
    return BunqContext.user_context().primary_monetary_account.id_


def _balance(account_id: int) -> str:
    return endpoint.MonetaryAccountBankApiObject.get(account_id).value.balance.value


def test_sdk_bunqme_tab_create_read_pay_and_cancel(sandbox) -> None:
    primary = _topped_up_primary(sandbox)
    entry = endpoint.BunqMeTabEntryApiObject(
        object_.AmountObject("10.00", "EUR"), "Pizza", "https://example.org/thanks"
    )
    tab_id = endpoint.BunqMeTabApiObject.create(entry).value
    tab = endpoint.BunqMeTabApiObject.get(tab_id).value
    assert (tab.id_, tab.status, tab.type_) == (tab_id, "WAITING_FOR_PAYMENT", "BUNQ_ME")
    uuid = tab.bunqme_tab_entry.uuid
    assert tab.bunqme_tab_share_url == f"https://bunq.me/t/{uuid}"
    assert tab.bunqme_tab_entry.amount_inquired.value == "10.00"
    assert tab.bunqme_tab_entry.description == "Pizza"
    assert tab.alias_monetary_account.label_monetary_account.iban

    paid = httpx.post(
        f"{sandbox.root_url}/_emulator/bunqme-tab/{uuid}/pay", json={"name": "A friend"}
    )
    assert paid.status_code == 200, paid.text
    (listed,) = endpoint.BunqMeTabApiObject.list().value
    (result,) = listed.result_inquiries
    assert (result.bunq_me_tab_id, result.payment.amount.value) == (tab_id, "10.00")
    assert result.payment.id_ == paid.json()["payment_id"]
    assert _balance(primary) == "110.00"

    assert endpoint.BunqMeTabApiObject.update(tab_id, status="CANCELLED").value == tab_id
    assert endpoint.BunqMeTabApiObject.get(tab_id).value.status == "CANCELLED"


def test_sdk_draft_payment_pending_until_decided(sandbox) -> None:
    primary = _topped_up_primary(sandbox)
    bravo = object_.PointerObject("EMAIL", "bravo@bunq.com")
    entry = object_.DraftPaymentEntryObject(object_.AmountObject("5.00", "EUR"), bravo, "draft")
    draft_id = endpoint.DraftPaymentApiObject.create([entry], 1).value
    draft = endpoint.DraftPaymentApiObject.get(draft_id).value
    assert (draft.id_, draft.status, draft.monetary_account_id) == (draft_id, "PENDING", primary)
    (got,) = draft.entries
    assert (got.amount.value, got.description) == ("5.00", "draft")
    assert got.counterparty_alias.label_monetary_account.display_name
    assert _balance(primary) == "100.00"

    decided = httpx.post(
        f"{sandbox.root_url}/_emulator/draft-payment/{draft_id}/decide", json={"accept": True}
    )
    assert decided.status_code == 200, decided.text
    draft = endpoint.DraftPaymentApiObject.get(draft_id).value
    assert draft.status == "ACCEPTED"
    assert draft.object_.get_referenced_object().amount.value == "-5.00"
    assert draft.responses[0].status == "ACCEPTED"
    assert _balance(primary) == "95.00"

    # the account's owner answers in their own session: rejecting, and accepting (signed)
    second = endpoint.DraftPaymentApiObject.create([entry], 1).value
    assert endpoint.DraftPaymentApiObject.update(second, status="REJECTED").value == second
    third = endpoint.DraftPaymentApiObject.create([entry], 1).value
    assert endpoint.DraftPaymentApiObject.update(third, status="ACCEPTED").value == third
    drafts = endpoint.DraftPaymentApiObject.list().value
    assert sorted((d.id_, d.status) for d in drafts) == [
        (draft_id, "ACCEPTED"),
        (second, "REJECTED"),
        (third, "ACCEPTED"),
    ]
    assert _balance(primary) == "90.00"


def test_sdk_schedule_payment_booked_by_the_clock_and_cancelled(sandbox) -> None:
    primary = _topped_up_primary(sandbox)
    start = time.gmtime(sandbox.world.clock.now() + 3600)  # the emulator's clock, UTC
    payment = object_.SchedulePaymentEntryObject(
        object_.AmountObject("1.00", "EUR"), object_.PointerObject("EMAIL", "bravo@bunq.com"), "gym"
    )
    schedule = endpoint.ScheduleApiObject(time.strftime("%Y-%m-%d %H:%M:%S", start), "WEEKLY", 1)
    schedule_id = endpoint.SchedulePaymentApiObject.create(payment, schedule).value
    (listed,) = endpoint.SchedulePaymentApiObject.list().value
    assert listed.status == "ACTIVE"
    assert (listed.schedule.recurrence_unit, listed.schedule.recurrence_size) == ("WEEKLY", 1)
    assert (listed.payment.amount.value, listed.payment.description) == ("-1.00", "gym")
    assert _balance(primary) == "100.00"

    httpx.post(f"{sandbox.root_url}/_emulator/clock", json={"advance_seconds": 7200})
    assert _balance(primary) == "99.00"
    (booked, *_) = endpoint.PaymentApiObject.list(primary).value
    assert (booked.scheduled_id, booked.amount.value) == (schedule_id, "-1.00")

    endpoint.SchedulePaymentApiObject.delete(schedule_id)
    assert endpoint.SchedulePaymentApiObject.get(schedule_id).value.status == "CANCELLED"
