"""The exporters hold the trust boundary: one CSV helper for all, exact JSON, no formulas."""

from __future__ import annotations

import csv
import io
import json

import hostile
from bunqtui import untrusted
from bunqtui.api.models import Payment
from bunqtui.plugins import exporter
from bunqtui.plugins.exporters import CsvExporter, JsonExporter


def _payment(pid: int, value: str, description: str, name: str) -> Payment:
    return Payment.from_json(
        {
            "id": pid,
            "created": "2026-01-02 03:04:05.000006",
            "amount": {"value": value, "currency": "EUR"},
            "description": description,
            "type": "BUNQ",
            "counterparty_alias": {"iban": "NL00BUNQ0123456789", "display_name": name},
            "balance_after_mutation": {"value": "-10.00", "currency": "EUR"},
            "monetary_account_id": 7,
        }
    )


PAYMENTS = [
    _payment(100 + i, "-1.25" if i % 2 else "2.50", text, hostile.HOSTILE_NAME)
    for i, text in enumerate(hostile.HOSTILE.values())
] + [_payment(99, "-3.00", "@SUM(A1)", "=cmd|' /C calc'!A0")]


def test_one_csv_helper_for_every_exporter() -> None:
    assert exporter.csv_cell is untrusted.csv_cell
    assert exporter.json_text is untrusted.json_text
    assert {"csv_cell", "json_text", "Exporter"} <= set(exporter.__all__)


def test_csv_export_starts_no_formula_and_parses_back() -> None:
    out = io.StringIO(newline="")
    CsvExporter().write(PAYMENTS, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    assert len(rows) == len(PAYMENTS)  # a CR or LF in a description never splits a row
    for row, payment in zip(rows, PAYMENTS, strict=True):
        assert row["description"] == untrusted.csv_cell(payment.description)
        assert row["counterparty_name"] == untrusted.csv_cell(
            payment.counterparty_alias.display_name if payment.counterparty_alias else None
        )
        for name, cell in row.items():
            if name not in ("amount", "balance_after"):
                assert not cell.startswith(untrusted.FORMULA_START), (name, cell)
        # amounts are numbers: a negative one keeps its minus sign, no quote
        assert row["amount"] == f"{payment.amount.value:.2f}"
        assert row["balance_after"] == "-10.00"
    assert rows[-1]["description"] == "'@SUM(A1)"
    assert rows[-1]["counterparty_name"] == "'=cmd|' /C calc'!A0"


def test_json_export_round_trips_exactly_and_is_terminal_safe() -> None:
    out = io.StringIO()
    JsonExporter().write(PAYMENTS, out)
    assert not any(c in out.getvalue() for c in hostile.RAW_CONTROLS)
    data = json.loads(out.getvalue())
    assert [p["description"] for p in data] == [p.description for p in PAYMENTS]
    assert {p["counterparty"]["name"] for p in data[:-1]} == {hostile.HOSTILE_NAME}
