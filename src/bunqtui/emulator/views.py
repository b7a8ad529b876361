"""The emulator's objects as bunq JSON, field for field in the order of docs/protocol.md#objects (no
extra keys:
the official SDK warns about every key it does not know)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .state import (
    Account,
    Attachment,
    Avatar,
    BunqMeTab,
    CallbackUrl,
    Card,
    Counterparty,
    Credential,
    DraftPayment,
    Event,
    OauthClient,
    Payment,
    PaymentBatch,
    RequestInquiry,
    RequestResponse,
    SchedulePayment,
    User,
    UserApiKey,
    World,
)
from .wire import timestamp


def amount(value: Decimal, currency: str = "EUR") -> dict[str, str]:
    return {"currency": currency, "value": f"{value:.2f}"}


def avatar(uuid: str, anchor: str | None) -> dict[str, Any]:
    return {
        "uuid": uuid,
        "image": [
            {
                "attachment_public_uuid": uuid,
                "height": 1024,
                "width": 1024,
                "content_type": "image/png",
            }
        ],
        "anchor_uuid": anchor,
        "style": None,
    }


def address(city: str) -> dict[str, Any]:
    return {
        "street": "Nieuwe Spiegelstraat",
        "house_number": "12",
        "po_box": None,
        "postal_code": "1017 DE",
        "city": city,
        "country": "NL",
        "extra": None,
        "mailbox_name": None,
        "province": None,
        "is_user_address_updated": None,
    }


def user_aliases(user: User) -> list[dict[str, str]]:
    aliases = []
    if user.phone:
        aliases.append({"type": "PHONE_NUMBER", "value": user.phone, "name": user.phone})
    if user.email:
        aliases.append({"type": "EMAIL", "value": user.email, "name": user.email})
    return aliases


def label_user(user: User | None, name: str) -> dict[str, Any]:
    if user is None:
        return {
            "uuid": None,
            "display_name": name,
            "country": "NL",
            "avatar": None,
            "public_nick_name": name,
        }
    return {
        "uuid": user.public_uuid,
        "display_name": user.display_name,
        "country": "NL",
        "avatar": avatar(user.avatar_uuid, user.public_uuid),
        "public_nick_name": user.nick_name,
    }


def label_account(world: World, counterparty: Counterparty) -> dict[str, Any]:
    user = world.users.get(counterparty.user_id) if counterparty.user_id else None
    return {
        "iban": counterparty.iban,
        "is_light": False,
        "display_name": user.display_name if user else counterparty.name,
        "avatar": avatar(user.avatar_uuid, user.public_uuid) if user else None,
        "label_user": label_user(user, counterparty.name),
        "country": "NL",
        # "bunq_me" (null here) is left out: the official SDK parses it as a
        # MonetaryAccountReference and crashes on null (see docs/emulator.md).
        "swift_bic": None,
        "swift_account_number": None,
        "transferwise_account_number": None,
        "transferwise_bank_code": None,
        "merchant_category_code": None,
    }


def own_label(world: World, account: Account) -> dict[str, Any]:
    owner = world.users[account.owner_id]
    return label_account(world, Counterparty(account.iban, owner.legal_name, owner.id, account.id))


def user(world: World, u: User) -> dict[str, Any]:
    created, updated = timestamp(u.created), timestamp(u.created)
    if u.kind == "UserPerson":
        body: dict[str, Any] = {
            "id": u.id,
            "created": created,
            "updated": updated,
            "alias": user_aliases(u),
            "avatar": avatar(u.avatar_uuid, u.public_uuid),
            "status": "ACTIVE",
            "sub_status": "NONE",
            "public_uuid": u.public_uuid,
            "display_name": u.display_name,
            "public_nick_name": u.nick_name,
            "language": "en_US",
            "region": "nl_NL",
            "session_timeout": u.session_timeout,
            "daily_limit_without_confirmation_login": amount(Decimal("25.00")),
            "notification_filters": [],
            "address_main": address("Amsterdam"),
            "address_postal": address("Amsterdam"),
            "address_shipping": None,
            "first_name": u.first_name,
            "middle_name": "",
            "last_name": u.last_name,
            "legal_name": u.legal_name,
            "tax_resident": None,
            "date_of_birth": "1990-01-01",
            "place_of_birth": "Amsterdam",
            "country_of_birth": "NL",
            "nationality": "NL",
            "all_nationality": ["NL"],
            "gender": "FEMALE",
            "version_terms_of_service": "1.0",
            "document_type": None,
            "document_number": None,
            "document_country_of_issuance": None,
            "relations": [],
        }
    elif u.kind == "UserCompany":
        body = {
            "id": u.id,
            "created": created,
            "updated": updated,
            "public_uuid": u.public_uuid,
            "name": u.name,
            "display_name": u.display_name,
            "public_nick_name": u.nick_name,
            "alias": user_aliases(u),
            "chamber_of_commerce_number": "12345678",
            "legal_form": "BV",
            "type_of_business_entity": None,
            "sector_of_industry": None,
            "counter_bank_iban": None,
            "avatar": avatar(u.avatar_uuid, u.public_uuid),
            "address_main": address("Amsterdam"),
            "address_postal": address("Amsterdam"),
            "address_shipping": None,
            "version_terms_of_service": "1.0",
            "directors": [],
            "language": "en_US",
            "region": "nl_NL",
            "country": "NL",
            "ubo": [],
            "status": "ACTIVE",
            "sub_status": "NONE",
            "session_timeout": u.session_timeout,
            "daily_limit_without_confirmation_login": amount(Decimal("25.00")),
            "notification_filters": [],
            "customer": None,
            "customer_limit": None,
            "billing_contract": [],
            "deny_reason": None,
            "relations": [],
            "tax_resident": [],
        }
    else:  # UserPaymentServiceProvider
        body = {
            "id": u.id,
            "created": created,
            "updated": updated,
            "certificate_distinguished_name": u.certificate_dn,
            "alias": [],
            "avatar": avatar(u.avatar_uuid, u.public_uuid),
            "status": "ACTIVE",
            "sub_status": "NONE",
            "public_uuid": u.public_uuid,
            "display_name": u.display_name,
            "public_nick_name": u.nick_name,
            "language": "en_US",
            "region": "nl_NL",
            "session_timeout": u.session_timeout,
        }
    return {u.kind: body}


def user_api_key(world: World, grant: UserApiKey) -> dict[str, Any]:
    return {
        "UserApiKey": {
            "id": grant.id,
            "created": timestamp(grant.created),
            "updated": timestamp(grant.created),
            "requested_by_user": user(world, world.users[grant.requested_by_id]),
            "granted_by_user": user(world, world.users[grant.granted_by_id]),
        }
    }


def any_user(world: World, user_id: int) -> dict[str, Any]:
    if user_id in world.user_api_keys:
        return user_api_key(world, world.user_api_keys[user_id])
    return user(world, world.users[user_id])


def account(world: World, a: Account) -> dict[str, Any]:
    owner = world.users[a.owner_id]
    aliases = user_aliases(owner) if a.primary else []
    aliases.append({"type": "IBAN", "value": a.iban, "name": owner.legal_name})
    body: dict[str, Any] = {
        "id": a.id,
        "created": timestamp(a.created),
        "updated": timestamp(a.updated),
        "avatar": avatar(a.avatar_uuid, a.public_uuid),
        "currency": a.currency,
        "description": a.description,
        "daily_limit": amount(a.daily_limit, a.currency),
    }
    if a.kind != "MonetaryAccountSavings":
        body["overdraft_limit"] = amount(Decimal("0.00"), a.currency)
    body.update(
        {
            "balance": amount(a.balance, a.currency),
            "alias": aliases,
            "public_uuid": a.public_uuid,
            "status": a.status,
            "sub_status": a.sub_status,
            "reason": a.reason,
            "reason_description": a.reason_description,
            "user_id": a.owner_id,
            "monetary_account_profile": None,
        }
    )
    if a.kind != "MonetaryAccountSavings":
        body["display_name"] = owner.display_name
    body["setting"] = {
        "color": a.color,
        "icon": None,
        "default_avatar_status": "AVATAR_DEFAULT",
        "restriction_chat": "ALLOW_INCOMING",
        "sdd_expiration_action": None,
    }
    if a.kind == "MonetaryAccountSavings":
        body["all_co_owner"] = []
        body["savings_goal"] = (
            amount(a.savings_goal, a.currency) if a.savings_goal is not None else None
        )
        # a number even without a goal: the official SDK fails on null here
        body["savings_goal_progress"] = (
            float(min(a.balance / a.savings_goal, Decimal(1))) if a.savings_goal else 0.0
        )
        body["number_of_payment_remaining"] = None
    elif a.kind == "MonetaryAccountJoint":
        body["all_co_owner"] = [
            {"alias": label_user(world.users[uid], ""), "status": "ACCEPTED"}
            for uid in [a.owner_id, *a.co_owner_ids]
        ]
    body["all_auto_save_id"] = []
    return {a.kind: body}


def payment(world: World, p: Payment) -> dict[str, Any]:
    return {"Payment": payment_body(world, p)}


def payment_body(world: World, p: Payment) -> dict[str, Any]:
    acc = world.accounts[p.account_id]
    return {
        "id": p.id,
        "created": timestamp(p.created),
        "updated": timestamp(p.created),
        "monetary_account_id": p.account_id,
        "amount": amount(p.amount, p.currency),
        "alias": own_label(world, acc),
        "counterparty_alias": label_account(world, p.counterparty),
        "description": p.description,
        "type": p.type,
        "sub_type": p.sub_type,
        "payment_arrival_expected": None,
        "bunqto_status": None,
        "bunqto_sub_status": None,
        "bunqto_share_url": None,
        "bunqto_expiry": None,
        "bunqto_time_responded": None,
        "attachment": [],
        "merchant_reference": None,
        "batch_id": p.batch_id,
        "scheduled_id": p.scheduled_id,
        "address_shipping": None,
        "address_billing": None,
        "geolocation": p.geolocation,
        "request_reference_split_the_bill": [],
        "balance_after_mutation": amount(p.balance_after, p.currency),
        "payment_auto_allocate_instance": None,
        "payment_suspended_outgoing": None,
        "payment_fee": None,
    }


def payment_batch(world: World, b: PaymentBatch) -> dict[str, Any]:
    """bunq's PaymentBatch holds its payments as a plain list (the SDK's `list[Payment]`)."""
    account = world.accounts[b.account_id]
    wanted = set(b.payment_ids)
    payments = [payment_body(world, p) for p in account.payments if p.id in wanted]
    return {"PaymentBatch": {"payments": payments}}


def request_inquiry(world: World, r: RequestInquiry) -> dict[str, Any]:
    acc = world.accounts[r.account_id]
    responded = r.amount_responded
    return {
        "RequestInquiry": {
            "id": r.id,
            "created": timestamp(r.created),
            "updated": timestamp(r.updated),
            "time_responded": timestamp(r.time_responded) if r.time_responded else None,
            "time_expiry": None,
            "monetary_account_id": r.account_id,
            "amount_inquired": amount(r.amount, r.currency),
            "amount_responded": amount(responded, r.currency) if responded is not None else None,
            "user_alias_created": own_label(world, acc),
            "user_alias_revoked": own_label(world, acc) if r.status == "REVOKED" else None,
            "counterparty_alias": label_account(world, r.counterparty),
            "description": r.description,
            "merchant_reference": None,
            "attachment": [],
            "status": r.status,
            "batch_id": None,
            "scheduled_id": None,
            "minimum_age": None,
            "require_address": None,
            "bunqme_share_url": None,
            "redirect_url": None,
            "address_shipping": None,
            "address_billing": None,
            "geolocation": None,
            "reference_split_the_bill": None,
        }
    }


def request_response(world: World, r: RequestResponse) -> dict[str, Any]:
    acc = world.accounts[r.account_id]
    responded = r.amount_responded
    return {
        "RequestResponse": {
            "id": r.id,
            "created": timestamp(r.created),
            "updated": timestamp(r.updated),
            "time_responded": timestamp(r.time_responded) if r.time_responded else None,
            "time_expiry": None,
            "time_refund_requested": None,
            "time_refunded": None,
            "user_refund_requested": None,
            "monetary_account_id": r.account_id,
            "amount_inquired": amount(r.amount, r.currency),
            "amount_responded": amount(responded, r.currency) if responded is not None else None,
            "status": r.status,
            "description": r.description,
            "alias": own_label(world, acc),
            "counterparty_alias": label_account(world, r.counterparty),
            "attachment": [],
            "minimum_age": None,
            "require_address": "NONE",
            "geolocation": None,
            "type": "INTERNAL",
            "sub_type": "NONE",
            "redirect_url": None,
            "address_billing": None,
            "address_shipping": None,
            "credit_scheme_identifier": None,
            "mandate_identifier": None,
            "registration_action": None,
            "eligible_whitelist_id": None,
            "request_reference_split_the_bill": [],
            "event_id": None,
            "monetary_account_preferred_id": r.account_id,
        }
    }


def attachment_public(a: Attachment) -> dict[str, Any]:
    return {
        "AttachmentPublic": {
            "uuid": a.uuid,
            "created": timestamp(a.created),
            "updated": timestamp(a.created),
            "attachment": {"description": a.description, "content_type": a.content_type},
        }
    }


def avatar_object(a: Avatar) -> dict[str, Any]:
    image = {
        "attachment_public_uuid": a.attachment_uuid,
        "height": a.height,
        "width": a.width,
        "content_type": a.content_type,
    }
    return {"Avatar": {"uuid": a.uuid, "image": [image]}}


def card_names(names: list[str]) -> dict[str, Any]:
    return {"CardUserNameArray": {"possible_card_name_array": names}}


def event(world: World, e: Event) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    if e.object_type == "Payment" and e.account_id in world.accounts:
        for p in world.accounts[e.account_id].payments:
            if p.id == e.object_id:
                obj = payment(world, p)
                break
    elif e.object_type == "RequestInquiry" and e.account_id in world.accounts:
        for r in world.accounts[e.account_id].requests:
            if r.id == e.object_id:
                obj = request_inquiry(world, r)
                break
    elif e.object_type == "RequestResponse" and e.account_id in world.accounts:
        for response in world.accounts[e.account_id].responses:
            if response.id == e.object_id:
                obj = request_response(world, response)
                break
    elif e.object_type in MONEY_OBJECTS and e.account_id in world.accounts:
        records, render = MONEY_OBJECTS[e.object_type]
        for record in getattr(world.accounts[e.account_id], records):
            if record.id == e.object_id:
                obj = render(world, record)
                break
    elif e.object_type == "Card":  # a card frozen, unfrozen or reported lost
        obj = next((card(world, c) for c in world.cards if c.id == e.object_id), {})
    return {
        "Event": {
            "id": e.id,
            "created": timestamp(e.created),
            "updated": timestamp(e.created),
            "action": e.action,
            "user_id": e.user_id,
            "monetary_account_id": e.account_id,
            "object": obj,
            "status": e.status,
            "object_data_at_event": None,
            "is_event_latest_for_object": True,
            "is_event_reassignable": False,
        }
    }


def card(world: World, c: Card, anchor: str = "Card") -> dict[str, Any]:
    """A card; `anchor` "CardDebit" for the answer to ordering one."""
    holder = world.users[c.user_id]
    name = c.name_on_card or holder.legal_name
    return {
        anchor: {
            "id": c.id,
            "created": timestamp(c.created),
            "updated": timestamp(c.created),
            "public_uuid": c.public_uuid,
            "user_id": c.user_id,
            "user_owner_id": c.user_id,
            "user_holder_id": c.user_id,
            "type": c.type,
            "sub_type": "NONE",
            "product_type": c.product_type,
            "product_sub_type": "NONE",
            "first_line": holder.legal_name,
            "second_line": c.second_line,
            "status": c.status,
            "sub_status": "NONE",
            "order_status": c.order_status,
            "expiry_date": c.expiry_date,
            "name_on_card": name,
            "preferred_name_on_card": name,
            "primary_account_numbers": [
                {
                    "id": c.id,
                    "description": c.second_line,
                    "status": "ACTIVE",
                    "monetary_account_id": c.account_id,
                    "uuid": c.public_uuid,
                    "four_digit": c.four_digit,
                    "type": "PHYSICAL",
                }
            ],
            "payment_account_reference": None,
            "card_limit": amount(Decimal("1000.00")),
            "card_limit_atm": amount(Decimal("500.00")),
            "country_permission": [],
            "label_monetary_account_ordered": own_label(world, world.accounts[c.account_id]),
            "label_monetary_account_current": own_label(world, world.accounts[c.account_id]),
            "monetary_account": None,
            "pin_code_assignment": [
                {
                    "type": "PRIMARY",
                    "routing_type": "MANUAL",
                    "monetary_account_id": c.account_id,
                    "status": "ACTIVE",
                }
            ],
            "monetary_account_id_fallback": None,
            "country": "NL",
            "card_shipment_tracking_url": None,
            "is_card_eligible_for_free_replacement": False,
            "card_replacement": None,
            "card_generated_cvc2": [],
            "is_limited_edition": False,
            "card_metal_member_since_date": None,
            "company_employee_card": None,
        }
    }


def callback_url(c: CallbackUrl) -> dict[str, Any]:
    return {
        "id": c.id,
        "created": timestamp(c.created),
        "updated": timestamp(c.updated),
        "url": c.url,
    }


def oauth_client(c: OauthClient) -> dict[str, Any]:
    return {
        "OauthClient": {
            "id": c.id,
            "status": c.status,
            "display_name": c.display_name,
            "client_id": c.client_id,
            "secret": c.secret,
            "callback_url": [callback_url(u) for u in c.callback_urls],
        }
    }


def credential(c: Credential) -> dict[str, Any]:
    active = c.status == "ACTIVE"
    return {
        "CredentialPasswordIp": {
            "id": c.id,
            "created": timestamp(c.created),
            "updated": timestamp(c.updated),
            "status": c.status,
            "expiry_time": None if active else timestamp(c.expiry),
            "token_value": None if active else c.token_value,
            "permitted_device": (
                {"description": c.device_description, "ip": c.device_ip} if active else None
            ),
        }
    }


# bunq.me tabs, draft payments, scheduled payments ------------------------------------------
def account_payments(world: World, account_id: int, ids: list[int]) -> list[Payment]:
    wanted = set(ids)
    return [p for p in world.accounts[account_id].payments if p.id in wanted]


def bunqme_tab(world: World, t: BunqMeTab) -> dict[str, Any]:
    label = own_label(world, world.accounts[t.account_id])
    share_url = f"https://bunq.me/t/{t.uuid}"
    return {
        "BunqMeTab": {
            "id": t.id,
            "created": timestamp(t.created),
            "updated": timestamp(t.updated),
            "time_expiry": timestamp(t.time_expiry),
            "monetary_account_id": t.account_id,
            "status": t.status,
            "type": "BUNQ_ME",
            "alias_monetary_account": label,
            "bunqme_tab_share_url": share_url,
            "bunqme_tab_entry": {
                "uuid": t.uuid,
                "amount_inquired": amount(t.amount, t.currency) if t.amount is not None else None,
                "alias": label,
                "description": t.description,
                "status": t.status,
                "redirect_url": t.redirect_url,
                "merchant_available": [],
                "invite_profile_name": None,
            },
            "bunqme_tab_entries": [],
            # each payment made for the tab, as the SDK's BunqMeTabResultInquiry has it
            "result_inquiries": [
                {"payment": payment_body(world, p), "bunq_me_tab_id": t.id}
                for p in account_payments(world, t.account_id, t.payment_ids)
            ],
        }
    }


def _creator_label(world: World, user_id: int) -> dict[str, Any]:
    """The user who made a draft: an OAuth grant stands for the app's own user."""
    grant = world.user_api_keys.get(user_id)
    creator = world.users.get(grant.requested_by_id if grant else user_id)
    return label_user(creator, "")


def draft_payment(world: World, d: DraftPayment) -> dict[str, Any]:
    account = world.accounts[d.account_id]
    label = own_label(world, account)
    payments = account_payments(world, d.account_id, d.payment_ids)
    booked: dict[str, Any] | None = None
    if d.batch_id is not None:
        booked = {"PaymentBatch": {"payments": [payment_body(world, p) for p in payments]}}
    elif payments:
        booked = payment(world, payments[0])
    responses = []
    if d.status in ("ACCEPTED", "REJECTED"):
        owner = world.users[account.owner_id]
        responses.append({"status": d.status, "user_alias_created": label_user(owner, "")})
    return {
        "DraftPayment": {
            "id": d.id,
            "monetary_account_id": d.account_id,
            "user_alias_created": _creator_label(world, d.created_by),
            "responses": responses,
            "status": d.status,
            "type": None,  # bunq documents no values
            "entries": [
                {
                    "id": e.id,
                    "amount": amount(e.amount, account.currency),
                    "alias": label,
                    "counterparty_alias": label_account(world, e.counterparty),
                    "description": e.description,
                    "merchant_reference": None,
                    "type": "EBA_SCT" if e.counterparty.account_id is None else "BUNQ",
                    "attachment": [],
                }
                for e in d.entries
            ],
            "object": booked,  # only once accepted
            "request_reference_split_the_bill": [],
            "schedule": None,
        }
    }


def schedule_payment(world: World, s: SchedulePayment) -> dict[str, Any]:
    account = world.accounts[s.account_id]
    return {
        "ScheduledPayment": {
            # id, created and updated: not in bunq's documented read, but a client needs the
            # id to cancel (docs/emulator.md#deviations-and-assumptions)
            "id": s.id,
            "created": timestamp(s.created),
            "updated": timestamp(s.updated),
            "payment": {
                "amount": amount(-s.amount, s.currency),  # outgoing, as on the Payment
                "alias": own_label(world, account),
                "counterparty_alias": label_account(world, s.counterparty),
                "description": s.description,
                "attachment": [],
                "merchant_reference": None,
            },
            "schedule": {
                "time_start": timestamp(s.time_start),
                "time_end": timestamp(s.time_end) if s.time_end else None,
                "recurrence_unit": s.recurrence_unit,
                "recurrence_size": s.recurrence_size,
                "status": s.status,
                "object": None,
            },
            "status": s.status,
            "purpose": None,
        }
    }


# Event objects kept on an account, by the anchor name bunq gives them.
MONEY_OBJECTS: dict[str, tuple[str, Any]] = {
    "BunqMeTab": ("tabs", bunqme_tab),
    "DraftPayment": ("drafts", draft_payment),
    "ScheduledPayment": ("schedules", schedule_payment),
}
