"""How money, times, accounts and payments read on screen (pure functions, no widgets)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

from rich.style import Style
from rich.text import Text
from rich.theme import Theme
from textual.color import Color, ColorParseError

from bunqtui.core import MonetaryAccount, Payment
from bunqtui.core.session import Identity
from bunqtui.tui.safe import untrusted

SPARK_LEVELS = "▁▂▃▄▅▆▇█"
# Style names, not colours: the app's console maps them to the current theme's $text-success
# and $text-error (see money_theme), so money in and out follow a theme switch
MONEY_IN = "bunqtui.money-in"
MONEY_OUT = "bunqtui.money-out"

ACCOUNT_KINDS = {  # at most 8 characters: the accounts table's type column
    "MonetaryAccountBank": "Bank",
    "MonetaryAccountSavings": "Savings",
    "MonetaryAccountJoint": "Joint",
    "MonetaryAccountExternal": "External",
    "MonetaryAccountExternalSavings": "Ext.sav.",
    "MonetaryAccountInvestment": "Invest.",
    "MonetaryAccountCard": "Card",
    "MonetaryAccountLight": "Light",
}


def money(value: Decimal | None, currency: str | None = "") -> str:
    """``1234.5, "EUR"`` → ``1,234.50 EUR``; thousands separated so balances line up."""
    if value is None:
        return "—"
    return f"{value:,.2f} {currency or ''}".rstrip()


def signed_money(value: Decimal, currency: str | None = "") -> Text:
    """An amount styled by sign, money in with a ``+`` (the currency is bunq's): the sign
    reads without colour, the colour comes from the theme (:data:`MONEY_IN`, :data:`MONEY_OUT`)."""
    text = untrusted(("+" if value > 0 else "") + money(value, currency))
    if value:  # a span, not the Text's base style: Text.render (tables) draws only spans
        text.stylize(MONEY_IN if value > 0 else MONEY_OUT)
    return text


def money_theme(variables: Mapping[str, str]) -> Theme:
    """The Rich theme for :data:`MONEY_IN` / :data:`MONEY_OUT` from a Textual theme's CSS
    variables (``App.get_css_variables()``): its text-on-background success and error."""

    def colour(*names: str) -> Style:
        for name in names:
            try:
                return Style(color=Color.parse(variables[name]).rich_color)
            except (KeyError, ColorParseError):
                continue
        return Style()

    return Theme(
        {
            MONEY_IN: colour("text-success", "success"),
            MONEY_OUT: colour("text-error", "error"),
        },
        inherit=False,
    )


def local_time(when: dt.datetime | None) -> str:
    """bunq's UTC timestamp shown in the machine's local time zone."""
    if when is None:
        return "—"
    return when.astimezone().strftime("%Y-%m-%d %H:%M")


def account_kind(kind: str) -> str:
    return ACCOUNT_KINDS.get(kind, kind.removeprefix("MonetaryAccount") or kind)


def counterparty(payment: Payment) -> str:
    party = payment.counterparty_alias
    if party is None:
        return "—"
    return party.display_name or party.iban or "—"


def sparkline(values: Sequence[Decimal], width: int = 8) -> str:
    """Values (oldest first) as ``width`` block characters: the last value in each bucket."""
    if not values:
        return ""
    if len(values) > width:
        step = len(values) / width
        values = [values[min(len(values) - 1, int((i + 1) * step) - 1)] for i in range(width)]
    low, high = min(values), max(values)
    span = high - low
    top = len(SPARK_LEVELS) - 1
    if span == 0:
        return SPARK_LEVELS[top // 2] * len(values)
    return "".join(SPARK_LEVELS[int((v - low) / span * top)] for v in values)


def totals(accounts: Sequence[MonetaryAccount]) -> dict[str, Decimal]:
    """The sum of balances per currency (closed accounts left out)."""
    sums: dict[str, Decimal] = {}
    for account in accounts:
        if account.balance is None or (account.status or "ACTIVE") != "ACTIVE":
            continue
        currency = account.balance.currency
        sums[currency] = sums.get(currency, Decimal(0)) + account.balance.value
    return sums


def identity_label(identity: Identity) -> str:
    if identity.kind == "self":
        return f"{identity.label} (you)"
    return f"{identity.label} (#{identity.local_id})"
