"""The base class the official SDK's own tests inherit from (`tests.bunq_test.BunqSdkTestCase`).

bunq keeps this file in its repository, not in the sdist; this is bunqtui's version, written
from what the 1.28 tests use of it. Copied into the unpacked suite as `tests/bunq_test.py`.

Every test class gets a fresh sandbox user (installation, device, signed session); before each
test the user gets a second bank account and asks Sugar Daddy for €500 on both accounts, so
payments, batches and requests have money to move.
"""

from __future__ import annotations

import time
import unittest
from typing import Any

from bunq.sdk.context.api_context import ApiContext
from bunq.sdk.context.bunq_context import BunqContext
from bunq.sdk.exception.bunq_exception import BunqException
from bunq.sdk.model.generated.endpoint import (
    MonetaryAccountBankApiObject,
    RequestInquiryApiObject,
)
from bunq.sdk.model.generated.object_ import AmountObject, PointerObject
from bunq.sdk.util import util
from tests import config

config.point_sdk_at_api()


class BunqSdkTestCase(unittest.TestCase):
    """A logged-in sandbox user with a second account and money on both."""

    _FIRST_INDEX = 0
    _POINTER_EMAIL = "EMAIL"
    _EMAIL_BRAVO = "bravo@bunq.com"
    _EMAIL_SUGAR_DADDY = "sugardaddy@bunq.com"

    # the attachment the attachment and avatar tests upload
    _PATH_ATTACHMENT = str(config.ASSETS) + "/"
    _ATTACHMENT_PATH_IN = config.ATTACHMENT
    _READ_BYTES = "rb"
    _CONTENT_TYPE = "image/png"
    _ATTACHMENT_DESCRIPTION = "bunqtui SDK suite"

    _SECOND_ACCOUNT_DESCRIPTION = "SDK suite second account"
    _TOP_UP = "500.00"  # Sugar Daddy's maximum

    _second_monetary_account: MonetaryAccountBankApiObject | None = None

    @classmethod
    def setUpClass(cls) -> None:
        BunqContext.load_api_context(cls._get_api_context())

    def setUp(self) -> None:
        created = MonetaryAccountBankApiObject.create("EUR", self._SECOND_ACCOUNT_DESCRIPTION)
        self._second_monetary_account = MonetaryAccountBankApiObject.get(created.value).value
        for account_id in (None, self._second_monetary_account.id_):  # None: the primary one
            RequestInquiryApiObject.create(
                AmountObject(self._TOP_UP, "EUR"),
                PointerObject(self._POINTER_EMAIL, self._EMAIL_SUGAR_DADDY),
                "SDK suite top-up",
                False,
                account_id,
            )
        time.sleep(config.SUGAR_DADDY_WAIT)
        BunqContext.user_context().refresh_user_context()

    @classmethod
    def _get_api_context(cls) -> ApiContext:
        """A new sandbox user and its whole handshake, as a developer's first run does."""
        return util.automatic_sandbox_install()

    @staticmethod
    def _get_directory_test_root() -> str:
        return str(config.TEST_ROOT)

    def _get_pointer_bravo(self) -> PointerObject:
        return PointerObject(self._POINTER_EMAIL, self._EMAIL_BRAVO)

    def _get_alias_second_account(self) -> Any:
        """The second account's first alias (its IBAN)."""
        assert self._second_monetary_account is not None
        return self._second_monetary_account.alias[self._FIRST_INDEX]

    @property
    def alias_first(self) -> Any:
        """The user's own first alias (the card tests order a card with it)."""
        context = BunqContext.user_context()
        if context.is_only_user_person_set():
            return context.user_person.alias[self._FIRST_INDEX]
        if context.is_only_user_company_set():
            return context.user_company.alias[self._FIRST_INDEX]
        raise BunqException("The session belongs to neither a person nor a company.")
