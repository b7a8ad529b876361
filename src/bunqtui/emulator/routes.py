"""The emulator's one route table: every API endpoint under /v1, its handler, the token it
takes and whether its body must be signed. Order matters only among templates that could match
the same path (none do today); the first match wins. docs/emulator.md lists the same endpoints.
"""

from __future__ import annotations

from functools import partial

from . import handlers_attachments as attachments
from . import handlers_bootstrap as bootstrap
from . import handlers_card_status as card_status
from . import handlers_cards as cards
from . import handlers_drafts as drafts
from . import handlers_money as money
from . import handlers_notes as notes
from . import handlers_oauth as oauth
from . import handlers_resources as resources
from . import handlers_schedules as schedules
from . import handlers_statements as statements
from . import handlers_tabs as tabs
from .router import EITHER, INSTALLATION, NONE, Route, accepting

ROUTES: tuple[Route, ...] = (
    # the handshake, sandbox users, PSD2 registration (handlers_bootstrap.py)
    Route("POST", "/installation", bootstrap.create_installation, auth=NONE),
    Route("GET", "/installation", bootstrap.list_installation, auth=EITHER),
    Route("GET", "/installation/{id}", bootstrap.get_installation, auth=EITHER),
    Route("GET", "/installation/{id}/server-public-key", bootstrap.server_public_key, auth=EITHER),
    Route("POST", "/device-server", bootstrap.create_device, auth=INSTALLATION),
    Route("GET", "/device-server", bootstrap.list_devices),
    Route("GET", "/device-server/{id}", bootstrap.get_device),
    Route("POST", "/session-server", bootstrap.create_session, auth=INSTALLATION, signed=True),
    Route("DELETE", "/session/{id}", bootstrap.delete_session),
    Route("POST", "/sandbox-user-person", bootstrap.sandbox_person, auth=NONE),
    Route("POST", "/sandbox-user-company", bootstrap.sandbox_company, auth=NONE),
    Route(
        "POST", "/payment-service-provider-credential", bootstrap.register_psd2, auth=INSTALLATION
    ),
    Route("GET", "/payment-service-provider-credential/{id}", bootstrap.get_psd2, auth=EITHER),
    # users, monetary accounts, payments, request inquiries, events, cards (handlers_resources.py)
    Route("GET", "/user", resources.list_users),
    Route("GET", "/user/{id}", resources.get_user),
    Route("GET", "/user-person/{id}", partial(resources.typed_user, kind="UserPerson")),
    Route("GET", "/user-company/{id}", partial(resources.typed_user, kind="UserCompany")),
    Route(
        "GET",
        "/user-payment-service-provider/{id}",
        partial(resources.typed_user, kind="UserPaymentServiceProvider"),
    ),
    Route("GET", "/user/{id}/monetary-account", resources.list_accounts),
    Route("GET", "/user/{id}/monetary-account/{id}", resources.get_account),
    Route(
        "GET",
        "/user/{id}/monetary-account-bank",
        partial(resources.list_accounts, kind="MonetaryAccountBank"),
    ),
    Route(
        "POST",
        "/user/{id}/monetary-account-bank",
        partial(resources.create_account, kind="MonetaryAccountBank"),
    ),
    Route(
        "GET",
        "/user/{id}/monetary-account-bank/{id}",
        partial(resources.get_account, kind="MonetaryAccountBank"),
    ),
    Route(
        "PUT",
        "/user/{id}/monetary-account-bank/{id}",
        partial(resources.update_account, kind="MonetaryAccountBank"),
    ),
    Route(
        "GET",
        "/user/{id}/monetary-account-savings",
        partial(resources.list_accounts, kind="MonetaryAccountSavings"),
    ),
    Route(
        "POST",
        "/user/{id}/monetary-account-savings",
        partial(resources.create_account, kind="MonetaryAccountSavings"),
    ),
    Route(
        "GET",
        "/user/{id}/monetary-account-savings/{id}",
        partial(resources.get_account, kind="MonetaryAccountSavings"),
    ),
    Route(
        "PUT",
        "/user/{id}/monetary-account-savings/{id}",
        partial(resources.update_account, kind="MonetaryAccountSavings"),
    ),
    Route(
        "GET",
        "/user/{id}/monetary-account-joint",
        partial(resources.list_accounts, kind="MonetaryAccountJoint"),
    ),
    Route(
        "POST",
        "/user/{id}/monetary-account-joint",
        partial(resources.create_account, kind="MonetaryAccountJoint"),
    ),
    Route(
        "GET",
        "/user/{id}/monetary-account-joint/{id}",
        partial(resources.get_account, kind="MonetaryAccountJoint"),
    ),
    Route(
        "PUT",
        "/user/{id}/monetary-account-joint/{id}",
        partial(resources.update_account, kind="MonetaryAccountJoint"),
    ),
    Route("GET", "/user/{id}/monetary-account/{id}/payment", resources.list_payments),
    Route("GET", "/user/{id}/monetary-account/{id}/payment/{id}", resources.get_payment),
    Route(
        "POST", "/user/{id}/monetary-account/{id}/payment", resources.create_payment, signed=True
    ),
    Route("POST", "/user/{id}/monetary-account/{id}/request-inquiry", resources.create_request),
    Route("GET", "/user/{id}/monetary-account/{id}/request-inquiry", resources.list_requests),
    Route("GET", "/user/{id}/monetary-account/{id}/request-inquiry/{id}", resources.get_request),
    Route("PUT", "/user/{id}/monetary-account/{id}/request-inquiry/{id}", resources.revoke_request),
    Route("GET", "/user/{id}/event", resources.list_events),
    Route("GET", "/user/{id}/event/{id}", resources.get_event),
    Route("GET", "/user/{id}/card", resources.list_cards),
    Route("GET", "/user/{id}/card/{id}", resources.get_card),
    # payment batches and request responses (handlers_money.py)
    Route(
        "POST", "/user/{id}/monetary-account/{id}/payment-batch", money.create_batch, signed=True
    ),
    Route("GET", "/user/{id}/monetary-account/{id}/payment-batch", money.list_batches),
    Route("GET", "/user/{id}/monetary-account/{id}/payment-batch/{id}", money.get_batch),
    Route("GET", "/user/{id}/monetary-account/{id}/request-response", money.list_responses),
    Route("GET", "/user/{id}/monetary-account/{id}/request-response/{id}", money.get_response),
    Route(
        "PUT",
        "/user/{id}/monetary-account/{id}/request-response/{id}",
        money.answer_response,
        signed=accepting,
    ),
    # ordering cards (handlers_cards.py)
    Route("GET", "/user/{id}/card-name", cards.list_card_names),
    Route("POST", "/user/{id}/card-debit", cards.order_card),
    # a card's status (handlers_card_status.py)
    Route("PUT", "/user/{id}/card/{id}", card_status.update_card),
    # notes on a payment (handlers_notes.py)
    Route("GET", "/user/{id}/monetary-account/{id}/payment/{id}/note-text", notes.list_notes),
    Route("POST", "/user/{id}/monetary-account/{id}/payment/{id}/note-text", notes.add_note),
    Route("GET", "/user/{id}/monetary-account/{id}/payment/{id}/note-text/{id}", notes.get_note),
    Route("PUT", "/user/{id}/monetary-account/{id}/payment/{id}/note-text/{id}", notes.edit_note),
    Route(
        "DELETE", "/user/{id}/monetary-account/{id}/payment/{id}/note-text/{id}", notes.delete_note
    ),
    # customer statements (handlers_statements.py)
    Route(
        "POST", "/user/{id}/monetary-account/{id}/customer-statement", statements.create_statement
    ),
    Route("GET", "/user/{id}/monetary-account/{id}/customer-statement", statements.list_statements),
    Route(
        "GET", "/user/{id}/monetary-account/{id}/customer-statement/{id}", statements.get_statement
    ),
    Route(
        "DELETE",
        "/user/{id}/monetary-account/{id}/customer-statement/{id}",
        statements.delete_statement,
    ),
    Route(
        "GET",
        "/user/{id}/monetary-account/{id}/customer-statement/{id}/content",
        statements.statement_content,
    ),
    # bunq.me tabs (handlers_tabs.py)
    Route("POST", "/user/{id}/monetary-account/{id}/bunqme-tab", tabs.create_tab),
    Route("GET", "/user/{id}/monetary-account/{id}/bunqme-tab", tabs.list_tabs),
    Route("GET", "/user/{id}/monetary-account/{id}/bunqme-tab/{id}", tabs.get_tab),
    Route("PUT", "/user/{id}/monetary-account/{id}/bunqme-tab/{id}", tabs.cancel_tab),
    # draft payments (handlers_drafts.py)
    Route("POST", "/user/{id}/monetary-account/{id}/draft-payment", drafts.create_draft),
    Route("GET", "/user/{id}/monetary-account/{id}/draft-payment", drafts.list_drafts),
    Route("GET", "/user/{id}/monetary-account/{id}/draft-payment/{id}", drafts.get_draft),
    Route(
        "PUT",
        "/user/{id}/monetary-account/{id}/draft-payment/{id}",
        drafts.answer_draft,
        signed=accepting,
    ),
    # scheduled payments (handlers_schedules.py)
    Route(
        "POST",
        "/user/{id}/monetary-account/{id}/schedule-payment",
        schedules.create_schedule,
        signed=True,
    ),
    Route("GET", "/user/{id}/monetary-account/{id}/schedule-payment", schedules.list_schedules),
    Route("GET", "/user/{id}/monetary-account/{id}/schedule-payment/{id}", schedules.get_schedule),
    Route(
        "DELETE",
        "/user/{id}/monetary-account/{id}/schedule-payment/{id}",
        schedules.cancel_schedule,
    ),
    # public attachments and avatars (handlers_attachments.py)
    Route("POST", "/attachment-public", attachments.create_attachment),
    Route("GET", "/attachment-public/{id}", attachments.get_attachment),
    Route("GET", "/attachment-public/{id}/content", attachments.attachment_content),
    Route("POST", "/avatar", attachments.create_avatar),
    Route("GET", "/avatar/{id}", attachments.get_avatar),
    # OAuth clients and their callback URLs (handlers_oauth.py)
    Route("POST", "/user/{id}/oauth-client", oauth.create_client),
    Route("GET", "/user/{id}/oauth-client", oauth.list_clients),
    Route("GET", "/user/{id}/oauth-client/{id}", oauth.get_client),
    Route("PUT", "/user/{id}/oauth-client/{id}", oauth.update_client),
    Route("POST", "/user/{id}/oauth-client/{id}/callback-url", oauth.create_callback),
    Route("GET", "/user/{id}/oauth-client/{id}/callback-url", oauth.list_callbacks),
    Route("GET", "/user/{id}/oauth-client/{id}/callback-url/{id}", oauth.get_callback),
    Route("PUT", "/user/{id}/oauth-client/{id}/callback-url/{id}", oauth.update_callback),
    Route("DELETE", "/user/{id}/oauth-client/{id}/callback-url/{id}", oauth.delete_callback),
)
