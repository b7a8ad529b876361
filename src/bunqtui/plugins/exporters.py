"""The built-in exporters, registered through the same hook as any plugin's."""

from __future__ import annotations

import csv
from typing import TextIO

from bunqtui.api.models import Payment
from bunqtui.plugins import hookimpl
from bunqtui.plugins.exporter import Exporter, csv_cell, json_text
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
        # RFC 4180's CRLF: with it the writer quotes every cell holding a CR or LF; with a bare
        # "\n" a description's lone CR went out unquoted and split the row in two
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for p in payments:
            r = payment_record(p)
            after = r["balance_after"] or {}
            # ids and amounts are numbers (a negative amount keeps its "-"); every text cell,
            # bunq's own fields too, goes through csv_cell
            writer.writerow(
                [
                    r["id"],
                    csv_cell(r["created"]),
                    r["amount"]["value"],
                    csv_cell(r["amount"]["currency"]),
                    csv_cell(r["counterparty"]["name"]),
                    csv_cell(r["counterparty"]["iban"]),
                    csv_cell(r["description"]),
                    csv_cell(r["type"]),
                    after.get("value", ""),
                    r["monetary_account_id"] or "",
                ]
            )


class JsonExporter(Exporter):
    name = "json"
    title = "JSON (a list of payment objects)"
    suffix = ".json"

    def write(self, payments: list[Payment], stream: TextIO) -> None:
        stream.write(json_text([payment_record(p) for p in payments]) + "\n")


@hookimpl
def bunqtui_register_exporters() -> list[type]:
    return [CsvExporter, JsonExporter]
