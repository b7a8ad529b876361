"""The operations that move money or ask for it, as sans-IO flows (docs/protocol.md#signing).

:class:`MoneyOperations` is a mixin of :class:`~bunqtui.api.operations.BunqOperations`: each
``name = operation(_name)`` here is ``await client.name(...)`` on BunqClient and
``client.name(...)`` on SyncBunqClient, like every other operation. Creating a payment lives in
operations.py (it came first); here are request inquiries (get, revoke), request responses
(list, accept — signed, it pays —, reject), bunq.me tabs, draft payments, payment batches
(create, list) and scheduled payments.

Never twice: every call here that creates or answers is a POST or PUT, which
:meth:`~bunqtui.api.protocol.Exchange.retry_wait` never resends after a 5xx or a broken
connection; the caller gets an error that says the outcome is unknown and looks it up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from bunqtui.api.envelope import Envelope
from bunqtui.api.errors import ProtocolError
from bunqtui.api.host import MAX_COUNT, OperationsHost, check_count
from bunqtui.api.models import Amount, Page, Pointer, RequestInquiry, format_amount
from bunqtui.api.models_money import (
    BunqMeTab,
    DraftPayment,
    PaymentBatch,
    RequestResponse,
    SchedulePayment,
    typed,
)
from bunqtui.api.protocol import Flow, operation

RECURRENCE_UNITS = ("ONCE", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")

_response = typed(RequestResponse, "RequestResponse")
_tab = typed(BunqMeTab, "BunqMeTab")
_draft = typed(DraftPayment, "DraftPayment")
# bunq reads a SchedulePayment back as a "ScheduledPayment"
_scheduled = typed(SchedulePayment, "ScheduledPayment", "SchedulePayment")
_inquiry = typed(RequestInquiry, "RequestInquiry")
_batch = typed(PaymentBatch, "PaymentBatch")


def _amount(amount: Amount | Decimal | int | str, currency: str = "EUR") -> dict[str, str]:
    if isinstance(amount, Amount):
        return amount.to_json()
    return {"value": format_amount(amount), "currency": currency}


def _timestamp(value: dt.datetime) -> str:
    """bunq's ``YYYY-MM-DD hh:mm:ss.ffffff`` in UTC."""
    utc = value.astimezone(dt.UTC) if value.tzinfo else value
    return utc.strftime("%Y-%m-%d %H:%M:%S.%f")


T = TypeVar("T")


def _first(envelope: Envelope, parse: Callable[[Any], T], what: str) -> T:
    if not envelope.items:
        raise ProtocolError(f"bunq's {what} answer is empty.")
    return parse(envelope.items[0])


class MoneyOperations(OperationsHost):
    """Flows for money movement; BunqOperations supplies the plumbing (``OperationsHost``)."""

    def _account_path(self, user_id: int | None, account_id: int, what: str) -> str:
        return f"/user/{self._user(user_id)}/monetary-account/{account_id}/{what}"

    def _listing(
        self,
        user_id: int | None,
        account_id: int,
        what: str,
        parse: Callable[[Any], Any],
        count: int,
        older_id: int | None,
        **params: Any,
    ) -> Flow[Page[Any]]:
        """One page, newest first (1 request)."""
        query = {"count": check_count(count), "older_id": older_id, **params}
        path = self._account_path(user_id, account_id, what)
        return (yield from self._page(path, parse, params=query))

    # --- request inquiries (the requests this account sent) ---------------------------------

    def _get_request_inquiry(
        self, user_id: int | None, account_id: int, request_id: int
    ) -> Flow[RequestInquiry]:
        path = self._account_path(user_id, account_id, f"request-inquiry/{request_id}")
        envelope = yield from self._request("GET", path)
        return _first(envelope, _inquiry, "request")

    get_request_inquiry = operation(_get_request_inquiry)

    def _revoke_request_inquiry(
        self, user_id: int | None, account_id: int, request_id: int
    ) -> Flow[RequestInquiry]:
        """PUT …/request-inquiry/{id} ``REVOKED`` (1 request; moves no money)."""
        path = self._account_path(user_id, account_id, f"request-inquiry/{request_id}")
        envelope = yield from self._request("PUT", path, json={"status": "REVOKED"})
        return _first(envelope, _inquiry, "request")

    revoke_request_inquiry = operation(_revoke_request_inquiry)

    # --- request responses (requests others sent to this account) ---------------------------

    def _list_request_responses(
        self,
        user_id: int | None,
        account_id: int,
        *,
        count: int = MAX_COUNT,
        older_id: int | None = None,
        status: str | None = None,
    ) -> Flow[Page[RequestResponse]]:
        return (
            yield from self._listing(
                user_id, account_id, "request-response", _response, count, older_id, status=status
            )
        )

    list_request_responses = operation(_list_request_responses)

    def _get_request_response(
        self, user_id: int | None, account_id: int, response_id: int
    ) -> Flow[RequestResponse]:
        path = self._account_path(user_id, account_id, f"request-response/{response_id}")
        envelope = yield from self._request("GET", path)
        return _first(envelope, _response, "request response")

    get_request_response = operation(_get_request_response)

    def _answer_request_response(
        self,
        user_id: int | None,
        account_id: int,
        response_id: int,
        *,
        accept: bool,
        amount: Amount | None = None,
    ) -> Flow[RequestResponse]:
        """PUT …/request-response/{id}: ACCEPTED (signed: it pays ``amount``) or REJECTED
        (1 request; never resent)."""
        body: dict[str, Any] = {"status": "ACCEPTED" if accept else "REJECTED"}
        if accept and amount is not None:
            body["amount_responded"] = _amount(amount)
        path = self._account_path(user_id, account_id, f"request-response/{response_id}")
        envelope = yield from self._request("PUT", path, json=body, signed=accept)
        return _first(envelope, _response, "request response")

    answer_request_response = operation(_answer_request_response)

    # --- bunq.me tabs ------------------------------------------------------------------------

    def _create_bunqme_tab(
        self,
        user_id: int | None,
        account_id: int,
        amount: Amount | Decimal | int | str,
        description: str,
    ) -> Flow[int]:
        """POST …/bunqme-tab (1 request): a link anyone can pay; its id."""
        entry = {"amount_inquired": _amount(amount), "description": description}
        body = {"bunqme_tab_entry": entry}
        envelope = yield from self._request(
            "POST", self._account_path(user_id, account_id, "bunqme-tab"), json=body
        )
        return envelope.id()

    create_bunqme_tab = operation(_create_bunqme_tab)

    def _list_bunqme_tabs(
        self,
        user_id: int | None,
        account_id: int,
        *,
        count: int = MAX_COUNT,
        older_id: int | None = None,
    ) -> Flow[Page[BunqMeTab]]:
        return (yield from self._listing(user_id, account_id, "bunqme-tab", _tab, count, older_id))

    list_bunqme_tabs = operation(_list_bunqme_tabs)

    def _get_bunqme_tab(self, user_id: int | None, account_id: int, tab_id: int) -> Flow[BunqMeTab]:
        path = self._account_path(user_id, account_id, f"bunqme-tab/{tab_id}")
        return _first((yield from self._request("GET", path)), _tab, "bunq.me tab")

    get_bunqme_tab = operation(_get_bunqme_tab)

    def _cancel_bunqme_tab(self, user_id: int | None, account_id: int, tab_id: int) -> Flow[int]:
        """PUT …/bunqme-tab/{id} ``CANCELLED`` (1 request)."""
        path = self._account_path(user_id, account_id, f"bunqme-tab/{tab_id}")
        envelope = yield from self._request("PUT", path, json={"status": "CANCELLED"})
        return envelope.id() if envelope.items else tab_id

    cancel_bunqme_tab = operation(_cancel_bunqme_tab)

    # --- draft payments (an OAuth app's payment, approved in the bunq app) --------------------

    def _create_draft_payment(
        self,
        user_id: int | None,
        account_id: int,
        amount: Amount | Decimal | int | str,
        counterparty: Pointer,
        description: str,
    ) -> Flow[int]:
        """POST …/draft-payment with one entry (1 request, never resent); PENDING until the
        user accepts it in the bunq app."""
        body = {
            "entries": [
                {
                    "amount": _amount(amount),
                    "counterparty_alias": counterparty.to_json(),
                    "description": description,
                }
            ],
            "number_of_required_accepts": 1,
        }
        envelope = yield from self._request(
            "POST", self._account_path(user_id, account_id, "draft-payment"), json=body
        )
        return envelope.id()

    create_draft_payment = operation(_create_draft_payment)

    def _list_draft_payments(
        self,
        user_id: int | None,
        account_id: int,
        *,
        count: int = MAX_COUNT,
        older_id: int | None = None,
    ) -> Flow[Page[DraftPayment]]:
        return (
            yield from self._listing(user_id, account_id, "draft-payment", _draft, count, older_id)
        )

    list_draft_payments = operation(_list_draft_payments)

    def _get_draft_payment(
        self, user_id: int | None, account_id: int, draft_id: int
    ) -> Flow[DraftPayment]:
        path = self._account_path(user_id, account_id, f"draft-payment/{draft_id}")
        return _first((yield from self._request("GET", path)), _draft, "draft payment")

    get_draft_payment = operation(_get_draft_payment)

    # --- payment batches ------------------------------------------------------------------------

    def _create_payment_batch(
        self,
        user_id: int | None,
        account_id: int,
        payments: Sequence[tuple[Amount, Pointer, str]],
    ) -> Flow[int]:
        """Signed POST …/payment-batch (1 request, never resent): every (amount, counterparty,
        description) booked at once, or none; the batch's id. Each payment carries it as
        ``batch_id``, which is how a lost answer is looked up (core/money_batch.py)."""
        body = {
            "payments": [
                {
                    "amount": _amount(amount),
                    "counterparty_alias": counterparty.to_json(),
                    "description": description,
                }
                for amount, counterparty, description in payments
            ]
        }
        envelope = yield from self._request(
            "POST",
            self._account_path(user_id, account_id, "payment-batch"),
            json=body,
            signed=True,
        )
        return envelope.id()

    create_payment_batch = operation(_create_payment_batch)

    def _list_payment_batches(
        self,
        user_id: int | None,
        account_id: int,
        *,
        count: int = MAX_COUNT,
        older_id: int | None = None,
        newer_id: int | None = None,
    ) -> Flow[Page[PaymentBatch]]:
        """One page of the account's batches, newest first (1 request); ``newer_id``: only
        batches made after that one (how a lost batch is looked up)."""
        return (
            yield from self._listing(
                user_id, account_id, "payment-batch", _batch, count, older_id, newer_id=newer_id
            )
        )

    list_payment_batches = operation(_list_payment_batches)

    # --- scheduled payments --------------------------------------------------------------------

    def _create_schedule_payment(
        self,
        user_id: int | None,
        account_id: int,
        amount: Amount | Decimal | int | str,
        counterparty: Pointer,
        description: str,
        *,
        start: dt.datetime,
        unit: str = "MONTHLY",
        size: int = 1,
        end: dt.datetime | None = None,
    ) -> Flow[int]:
        """Signed POST …/schedule-payment (1 request, never resent)."""
        if unit not in RECURRENCE_UNITS:
            raise ValueError(f"recurrence unit must be one of {', '.join(RECURRENCE_UNITS)}")
        schedule: dict[str, Any] = {
            "time_start": _timestamp(start),
            "recurrence_unit": unit,
            "recurrence_size": size,
        }
        if end is not None:
            schedule["time_end"] = _timestamp(end)
        body = {
            "payment": {
                "amount": _amount(amount),
                "counterparty_alias": counterparty.to_json(),
                "description": description,
            },
            "schedule": schedule,
        }
        envelope = yield from self._request(
            "POST",
            self._account_path(user_id, account_id, "schedule-payment"),
            json=body,
            signed=True,
        )
        return envelope.id()

    create_schedule_payment = operation(_create_schedule_payment)

    def _list_schedule_payments(
        self,
        user_id: int | None,
        account_id: int,
        *,
        count: int = MAX_COUNT,
        older_id: int | None = None,
    ) -> Flow[Page[SchedulePayment]]:
        return (
            yield from self._listing(
                user_id, account_id, "schedule-payment", _scheduled, count, older_id
            )
        )

    list_schedule_payments = operation(_list_schedule_payments)

    def _cancel_schedule_payment(
        self, user_id: int | None, account_id: int, schedule_id: int
    ) -> Flow[None]:
        """DELETE …/schedule-payment/{id} (1 request)."""
        path = self._account_path(user_id, account_id, f"schedule-payment/{schedule_id}")
        yield from self._request("DELETE", path)

    cancel_schedule_payment = operation(_cancel_schedule_payment)


__all__ = ["RECURRENCE_UNITS", "MoneyOperations"]
