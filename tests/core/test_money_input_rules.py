"""Money input and answers, pure: which failed answers count as lost (typed, never by their
text), descriptions that would show differently from what is sent, and a batch file's shape
(bounded reads, duplicate or trailing empty columns, duplicate rows)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bunqtui.api.errors import (
    BadRequestError,
    BunqError,
    ConnectionLostError,
    MaintenanceError,
    NetworkError,
    ProtocolError,
    RateLimitedError,
    ResponseTooLargeError,
    ServerError,
    SignatureError,
)
from bunqtui.core.money import MoneyInputError, answer_lost, parse_description
from bunqtui.core.money_batch import (
    MAX_FILE_BYTES,
    BatchEntry,
    _duplicates,
    load_batch_file,
    parse_batch,
)

OUTSIDE = "NL91ABNA0417164300"
HEADER = "to,name,amount,description"


# --- 4: lost answers, by type ---------------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [
        ServerError("bunq had an internal error", status=500),
        ConnectionLostError("the connection broke"),  # no "outcome is unknown" in the text
        SignatureError(status=200),
        ProtocolError("bunq's answer belongs to another request (request id mismatch)."),
        ProtocolError("bunq sent an answer that is not valid JSON."),
        ResponseTooLargeError("too large", status=200),
        MaintenanceError(status=503),  # a gateway's: it may have passed the request on
    ],
)
def test_an_answer_that_cannot_be_trusted_after_sending_is_lost(error: BunqError) -> None:
    assert answer_lost(error)


@pytest.mark.parametrize(
    "error",
    [
        BadRequestError("Insufficient balance.", status=400),  # bunq's signed refusal
        RateLimitedError(status=429),  # bunq did nothing
        MaintenanceError(status=491),  # bunq's maintenance page: refused before acting
        # it never left, however it is worded
        NetworkError("Could not reach bunq; the outcome is unknown: check"),
    ],
)
def test_a_refusal_or_a_request_that_never_left_is_not_lost(error: BunqError) -> None:
    assert not answer_lost(error)


# --- 6: shown == sent --------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["rent\nmay", "a\x1b[31mred", "nul\x00", "tab\there", "\u202eevil"])
def test_a_description_with_a_control_character_is_refused(bad: str) -> None:
    with pytest.raises(MoneyInputError, match="description holds a control character"):
        parse_description(bad)


@given(st.text(alphabet=st.characters(categories=["L", "N", "P", "S", "Zs"]), max_size=140))
def test_plain_text_descriptions_pass_unchanged(text: str) -> None:
    assert parse_description(text) == text


def test_a_batch_row_with_a_line_break_in_its_description_is_refused_by_line() -> None:
    with pytest.raises(MoneyInputError, match="line 3: the description holds a control"):
        parse_batch(f'{HEADER}\n{OUTSIDE},A,1,ok\n{OUTSIDE},A,2,"two\nlines"\n')


# --- 7: a file that never ends ----------------------------------------------------------------


def test_a_device_that_never_ends_is_refused_after_the_cap() -> None:
    with pytest.raises(MoneyInputError, match=f"larger than {MAX_FILE_BYTES} bytes"):
        load_batch_file(Path("/dev/zero"))


def test_a_fifo_is_read_only_up_to_the_cap(tmp_path: Path) -> None:
    fifo = tmp_path / "batch.csv"
    os.mkfifo(fifo)

    def endless() -> None:  # a writer with more than the cap; it stops when the reader goes
        try:
            with open(fifo, "wb") as out:
                while True:
                    out.write(b"x" * 65536)
        except OSError:
            pass

    writer = threading.Thread(target=endless, daemon=True)
    writer.start()
    with pytest.raises(MoneyInputError, match="larger than"):
        load_batch_file(fifo)
    writer.join(timeout=10)
    assert not writer.is_alive()


# --- 8: a file's shape --------------------------------------------------------------------------


def test_a_repeated_column_is_refused() -> None:
    text = f"{HEADER},currency,currency\n{OUTSIDE},A,1,x,EUR,USD\n"
    with pytest.raises(MoneyInputError, match="line 1: the column currency appears more than"):
        parse_batch(text)


def test_trailing_empty_columns_of_a_spreadsheet_are_ignored() -> None:
    entries = parse_batch(f"{HEADER},,\n{OUTSIDE},A,1,x,,\n{OUTSIDE},B,2,y\n")
    assert [(e.payee.name, e.description) for e in entries] == [("A", "x"), ("B", "y")]


def test_a_value_under_an_empty_column_is_still_a_bad_row() -> None:
    with pytest.raises(MoneyInputError, match="line 2: 5 cells where the header has 4"):
        parse_batch(f"{HEADER},\n{OUTSIDE},A,1,x,surprise\n")


def test_identical_rows_are_named_in_a_warning() -> None:
    entries = parse_batch(
        f"{HEADER}\n{OUTSIDE},A,1,x\n{OUTSIDE},A,2,x\n{OUTSIDE},A,1,x\n{OUTSIDE},A,1,x\n"
    )
    assert _duplicates(entries) == ["lines 2, 4, 5 are the same payment; each one is paid"]
    assert _duplicates([e for e in entries if e.line < 4]) == []
    assert all(isinstance(e, BatchEntry) for e in entries)
