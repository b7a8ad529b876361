"""The built-in exporters, registered through the same hook as any plugin's.

Both stream: rows are taken a batch at a time and each batch goes to the stream in one
``write`` (a ``write`` per token cost 1 s for 4,000 payments). CSV rows go through
``csv.writer``; JSON is made per record from the row's strings with the standard library's C
string encoder and joined, byte for byte what ``json_text`` writes for the list of
``payment_record``s (the pure-Python encoder that ``json.dumps`` uses with an indent takes
~20 µs a record).
"""

from __future__ import annotations

import csv
import io
import json.encoder
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TextIO

from bunqtui.api.models import Payment
from bunqtui.plugins import hookimpl
from bunqtui.plugins.exporter import Exporter, PaymentRow, csv_cell, payment_row
from bunqtui.untrusted import json_safe

# rows per write: ~50 kB, under a pipe's buffer, so a reader that leaves (`| head -1`) is
# noticed at the next write (exit 141) instead of the rest vanishing into one cut-short write
BATCH = 256

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


def batches(
    payments: Iterable[PaymentRow | Payment], size: int = BATCH
) -> Iterator[list[PaymentRow]]:
    """``payments`` as rows, ``size`` at a time."""
    rows = map(payment_row, payments)
    while chunk := list(islice(rows, size)):
        yield chunk


def csv_row(r: PaymentRow) -> list[object]:
    # ids and amounts are numbers (a negative amount keeps its "-"); every text cell, bunq's
    # own fields too, goes through csv_cell
    return [
        r.id,
        csv_cell(r.created_text),
        r.amount_value,
        csv_cell(r.currency),
        csv_cell(r.counterparty_name),
        csv_cell(r.counterparty_iban),
        csv_cell(r.description),
        csv_cell(r.type),
        r.balance_value or "",
        r.monetary_account_id or "",
    ]


class CsvExporter(Exporter):
    name = "csv"
    title = "CSV (one row per payment)"
    suffix = ".csv"

    def write(self, payments: Iterable[PaymentRow | Payment], stream: TextIO) -> None:
        buffer = io.StringIO()
        # RFC 4180's CRLF: with it the writer quotes every cell holding a CR or LF; with a bare
        # "\n" a description's lone CR went out unquoted and split the row in two
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for chunk in batches(payments):
            writer.writerows(map(csv_row, chunk))
            stream.write(buffer.getvalue())
            buffer.seek(0)
            buffer.truncate()
        if buffer.tell():  # no payments: the header alone
            stream.write(buffer.getvalue())


_string = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) uses (C)


def _text(value: str | None) -> str:
    return "null" if value is None else _string(value)


def _int(value: int | None) -> str:
    return "null" if value is None else int.__repr__(value)


# one record of payment_record's shape, as json.dumps(indent=2) writes it inside a list
_RECORD = (
    "  {{\n"
    '    "id": {},\n'
    '    "created": {},\n'
    '    "amount": {{\n      "value": {},\n      "currency": {}\n    }},\n'
    '    "counterparty": {{\n      "name": {},\n      "iban": {}\n    }},\n'
    '    "description": {},\n'
    '    "type": {},\n'
    '    "sub_type": {},\n'
    '    "balance_after": {},\n'
    '    "monetary_account_id": {}\n'
    "  }}"
).format
_BALANCE = '{{\n      "value": {},\n      "currency": {}\n    }}'.format


def json_record(r: PaymentRow) -> str:
    """One record, indented as an item of the list ``JsonExporter`` writes (not yet made
    terminal-safe: ``json_safe`` runs once over a batch)."""
    balance = (
        "null"
        if r.balance_value is None
        else _BALANCE(_string(r.balance_value), _text(r.balance_currency))
    )
    return _RECORD(
        int.__repr__(r.id),
        _text(r.created_text),
        _string(r.amount_value),
        _string(r.currency),
        _text(r.counterparty_name),
        _text(r.counterparty_iban),
        _text(r.description),
        _text(r.type),
        _text(r.sub_type),
        balance,
        _int(r.monetary_account_id),
    )


class JsonExporter(Exporter):
    name = "json"
    title = "JSON (a list of payment objects)"
    suffix = ".json"

    def write(self, payments: Iterable[PaymentRow | Payment], stream: TextIO) -> None:
        start = "[\n"
        for chunk in batches(payments):
            stream.write(start + json_safe(",\n".join(map(json_record, chunk))))
            start = ",\n"
        stream.write("[]\n" if start == "[\n" else "\n]\n")


@hookimpl
def bunqtui_register_exporters() -> list[type]:
    return [CsvExporter, JsonExporter]
