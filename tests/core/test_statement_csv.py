"""core.statements.defuse_csv: formula-like text cells of bunq's CSV get a ``'``, numbers stay,
and it fails closed — bytes that are not UTF-8 and fields longer than the csv module's default
limit are defused too, never passed through unchecked."""

from __future__ import annotations

import csv

from bunqtui.core.statements import defuse_csv

HEADER = b"Date,Interest Date,Amount,Account,Counterparty,Name,Description\r\n"


def test_formulas_get_a_quote_and_amounts_stay() -> None:
    content = HEADER + b'2026-11-01,2026-11-01,-12.50,NL1,NL2,=cmd|x,"+31 6, 1234"\r\n'
    out = defuse_csv(content, "UK_US").decode()
    assert out.splitlines()[1] == "2026-11-01,2026-11-01,-12.50,NL1,NL2,'=cmd|x,\"'+31 6, 1234\""


def test_european_semicolons_and_decimal_commas() -> None:
    content = b"Date;Amount;Name\r\n2026-11-01;-1.234,50;@SUM(A1)\r\n"
    out = defuse_csv(content, "EUROPEAN").decode()
    assert out.splitlines()[1] == "2026-11-01;-1.234,50;'@SUM(A1)"


def test_bytes_that_are_not_utf8_are_kept_and_the_formulas_still_defused() -> None:
    content = HEADER + b"2026-11-01,2026-11-01,-1.00,NL1,NL2,caf\xe9,=cmd|x\r\n"
    out = defuse_csv(content, "UK_US")
    assert out.endswith(b"caf\xe9,'=cmd|x\r\n")


def test_a_field_longer_than_the_csv_modules_default_limit_is_defused() -> None:
    huge = "=" + "x" * (csv.field_size_limit() + 10)
    content = HEADER + f"2026-11-01,2026-11-01,1.00,NL1,NL2,Name,{huge}\r\n".encode()
    out = defuse_csv(content, "UK_US").decode()
    assert out.splitlines()[1].endswith(",Name,'" + huge)
