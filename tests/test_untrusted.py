"""bunqtui.untrusted: text from outside shown literally, exported without formulas, JSON exact."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

import hostile
from bunqtui.untrusted import FORMULA_START, cell_width, csv_cell, json_text, printable

# what a terminal acts on: C0 (one-line: all of it), DEL, C1, bidi embeddings/overrides/isolates,
# line/paragraph separators, lone surrogates
ACTIVE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")
ACTIVE_MULTILINE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]"
)
any_text = st.text(alphabet=st.characters(codec=None), max_size=60)
safe_text = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters=[chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))]
        + [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2028, 0x2029)],
    ),
    max_size=60,
)


@given(any_text)
def test_printable_output_never_holds_an_active_character(text: str) -> None:
    assert not ACTIVE.search(printable(text))
    assert not ACTIVE_MULTILINE.search(printable(text, one_line=False))
    printable(text).encode("utf-8")  # a terminal (or pipe) can always take it


@given(safe_text)
def test_printable_is_the_identity_on_safe_text(text: str) -> None:
    assert printable(text) == text
    assert printable(text, one_line=False) == text


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[2J\x1b[Hcleared", "\\x1b[2J\\x1b[Hcleared"),
        ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),
        ("c1\x9b2J", "c1\\x9b2J"),
        ("a\u202eb\u2066c", "a\\u202eb\\u2066c"),
        ("one\ntwo\tthree\r\nfour\rfive", "one two three four five"),
        ("lone \udc00", "lone \\udc00"),
        (None, ""),
        (42, "42"),
    ],
)
def test_escapes_are_written_out(raw: object, shown: str) -> None:
    assert printable(raw) == shown


def test_multi_line_keeps_newlines_only() -> None:
    assert printable("a\r\nb\tc\rd", one_line=False) == "a\nb    c\\x0dd"


@pytest.mark.parametrize(
    ("text", "width"),
    [("abc", 3), ("日本", 4), ("Z\u0351a", 2), ("coffee ☕\ufe0f", 9), ("e\u0301", 1), ("", 0)],
)
def test_cell_width_counts_terminal_columns(text: str, width: int) -> None:
    assert cell_width(text) == width


@pytest.mark.parametrize("start", FORMULA_START)
def test_a_csv_cell_never_starts_a_formula(start: str) -> None:
    assert csv_cell(start + "SUM(A1)") == "'" + start + "SUM(A1)"


@pytest.mark.parametrize("text", ["coffee", "'quoted", "3 = 3", "", "31-12"])
def test_a_harmless_csv_cell_is_unchanged(text: str) -> None:
    assert csv_cell(text) == text


@given(any_text)
def test_csv_cells_parse_back_and_start_no_formula(text: str) -> None:
    out = io.StringIO(newline="")
    csv.writer(out).writerow([csv_cell(text), "x"])
    [[cell, _]] = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert not cell.startswith(FORMULA_START)
    if not re.search("[\ud800-\udfff]", text):  # (a lone surrogate is written out)
        assert cell == ("'" + text if text.startswith(FORMULA_START) else text)


@given(st.recursive(any_text | st.integers() | st.none(), lambda inner: st.lists(inner)
                    | st.dictionaries(any_text, inner), max_leaves=8))  # fmt: skip
def test_json_text_round_trips_exactly_and_is_terminal_safe(data: object) -> None:
    text = json_text(data)
    assert json.loads(text) == data
    assert not ACTIVE_MULTILINE.search(text)
    text.encode("utf-8")


def test_the_hostile_corpus() -> None:
    for name, text in hostile.HOSTILE.items():
        shown = printable(text)
        assert not any(c in shown for c in hostile.RAW_CONTROLS), name
        assert json.loads(json_text(text)) == text
