"""The built-in exporters, registered through the same hook as any plugin's."""

from __future__ import annotations

import csv
import json
from typing import TextIO

from bunqtui.api.models import Payment
from bunqtui.plugins import hookimpl
from bunqtui.plugins.exporter import Exporter
from bunqtui.plugins.records import payment_record

CSV_COLUMNS = [
    "id",
    "created",
    "amount",
    "currency",
    "counterparty_name",
    "counterparty_iban",
    "description",
    "type",
    "balance_after",
    "monetary_account_id",
]


class CsvExporter(Exporter):
    name = "csv"
    title = "CSV (one row per payment)"
    suffix = ".csv"

    def write(self, payments: list[Payment], stream: TextIO) -> None:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for p in payments:
            r = payment_record(p)
            after = r["balance_after"] or {}
            writer.writerow(
                [
                    r["id"],
                    r["created"] or "",
                    r["amount"]["value"],
                    r["amount"]["currency"],
                    r["counterparty"]["name"] or "",
                    r["counterparty"]["iban"] or "",
                    r["description"] or "",
                    r["type"] or "",
                    after.get("value", ""),
                    r["monetary_account_id"] or "",
                ]
            )


class JsonExporter(Exporter):
    name = "json"
    title = "JSON (a list of payment objects)"
    suffix = ".json"

    def write(self, payments: list[Payment], stream: TextIO) -> None:
        json.dump([payment_record(p) for p in payments], stream, indent=2, ensure_ascii=False)
        stream.write("\n")


@hookimpl
def bunqtui_register_exporters() -> list[type]:
    return [CsvExporter, JsonExporter]
