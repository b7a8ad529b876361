"""A beancount plugin that reports a bunq payment imported twice (the same ``bunq_id``).

In the main ledger: ``plugin "bunqtui_accounting.beancount_unique"``; ``bean-check`` then names
every transaction whose ``bunq_id`` an earlier one already has. It imports nothing of beancount
(beancount takes any error with ``source``, ``message`` and ``entry``).
"""

from __future__ import annotations

from typing import Any, NamedTuple

__plugins__ = ("check_unique_bunq_ids",)

KEY = "bunq_id"


class DuplicateBunqId(NamedTuple):
    source: Any
    message: str
    entry: Any


def check_unique_bunq_ids(entries: list[Any], options_map: Any) -> tuple[list[Any], list[Any]]:
    seen: dict[str, Any] = {}
    errors: list[Any] = []
    for entry in entries:
        meta = getattr(entry, "meta", None) or {}
        ident = meta.get(KEY)
        if ident is None:
            continue
        first = seen.setdefault(str(ident), entry)
        if first is not entry:
            where = f"{first.meta.get('filename')}:{first.meta.get('lineno')}"
            message = f"bunq payment {ident} is already in the ledger ({where})"
            errors.append(DuplicateBunqId(meta, message, entry))
    return entries, errors
