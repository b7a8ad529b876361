"""List monetary accounts with the official bunq SDK (PyPI bunq-sdk) from a saved context.

The way bunq's SDK README shows it: restore the saved context, make sure the session is
active (no request while it is), save it, load it into BunqContext, list the accounts. The
only change is pointing the SANDBOX environment at the emulator (the SDK's one seam, as in
tests/emulator/test_sdk_conformance.py).

    python benchmarks/sdk_accounts.py CONTEXT_FILE BASE_URL
"""

from __future__ import annotations

import json
import sys

from bunq.sdk.context.api_context import ApiContext
from bunq.sdk.context.api_environment_type import ApiEnvironmentType
from bunq.sdk.context.bunq_context import BunqContext
from bunq.sdk.model.generated import endpoint

KINDS = (
    "MonetaryAccountBank",
    "MonetaryAccountSavings",
    "MonetaryAccountJoint",
    "MonetaryAccountLight",
    "MonetaryAccountExternal",
    "MonetaryAccountInvestment",
    "MonetaryAccountExternalSavings",
    "MonetaryAccountCard",
    "MonetaryAccountSwitchService",
)


def main(context_file: str, base_url: str) -> int:
    ApiEnvironmentType.SANDBOX._uri_base = base_url.rstrip("/") + "/"
    context = ApiContext.restore(context_file)
    context.ensure_session_active()
    context.save(context_file)
    # the SDK's documented entry point; it also lists the bank accounts (one GET of its own)
    BunqContext.load_api_context(context)
    accounts = endpoint.MonetaryAccountApiObject.list().value
    listed = []
    for account in accounts:
        # the SDK's anchor object: exactly one of its typed attributes is set
        inner = next(v for k in KINDS if (v := getattr(account, k, None)) is not None)
        balance = inner.balance
        listed.append(
            {
                "id": inner.id_,
                "description": inner.description,
                "balance": {"value": balance.value, "currency": balance.currency},
            }
        )
    print(json.dumps(listed, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
