"""Text from outside (bunq, other people, files on disk) made safe to show or to export.

A payment's description is written by whoever sent the money. Sent to a terminal as is, an
escape sequence in it can clear the screen, set the window title, hide a hyperlink or reorder
what the user reads (bidi overrides). In a spreadsheet, a cell that starts with ``=`` is a
formula. This leaf module (no bunqtui imports, so every layer may use it) turns such text into
something that shows literally; JSON output keeps the exact string instead (``json_text``).
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

# C0 controls (but TAB and LF, handled by the caller's mode), DEL, C1 controls; bidi embeddings,
# overrides and isolates (U+202A–U+202E, U+2066–U+2069) and the invisible bidi marks (ALM, LRM,
# RLM), which can reorder what is shown too; line/paragraph separators; lone surrogates (JSON may
# carry them, but no terminal or UTF-8 stream can take them). Zero-width joiners stay: emoji
# sequences are made of them.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
    "\ud800-\udfff]"
)
_LINE_BREAKS = re.compile("\r\n|[\n\t\u2028\u2029\x0b\x0c\r\x85]")
# What json.dumps(ensure_ascii=False) leaves raw that a terminal would act on (it escapes only
# C0): written as \uXXXX escapes, which JSON reads back as the very same character.
_JSON_UNSAFE = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]"
)

# A CSV cell starting with one of these is read as a formula by spreadsheets (OWASP; NUL from
# OWASP ASVS 1.2.10).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")


def _visible(match: re.Match[str]) -> str:
    """A control character written out, the way Python's repr would show it."""
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: object, *, one_line: bool = True) -> str:
    """``text`` with every control, escape and bidi-override character made visible.

    ``one_line`` (table cells, titles, status lines): line breaks and tabs become single spaces.
    Otherwise (a detail view's long text) newlines stay and tabs become four spaces. Nothing is
    dropped: ``ESC`` reads ``\\x1b``, U+202E reads ``\\u202e``.
    """
    value = "" if text is None else str(text)
    if one_line:
        value = _LINE_BREAKS.sub(" ", value)
    else:
        value = value.replace("\r\n", "\n").replace("\t", "    ")
    return _UNSAFE.sub(_visible, value)


def cell_width(text: str) -> int:
    """How many terminal columns ``text`` (already ``printable``) takes: wide East Asian
    characters and most emoji take two, combining marks and format characters none. Table
    columns line up by this, not by ``len``."""
    width = 0
    for char in text:
        if unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue  # combining marks, variation selectors, zero-width joiners
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def csv_cell(value: object) -> str:
    """A text cell for CSV that no spreadsheet runs as a formula: ``'`` before a risky start.

    Only for text: amounts are written as plain numbers (a negative amount starts with ``-``).
    A lone surrogate, which no UTF-8 file can hold, is written out like ``\\udc00``.
    """
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START):
        text = "'" + text
    return _SURROGATE.sub(_visible, text)


_SURROGATE = re.compile("[\ud800-\udfff]")


def json_text(data: Any, *, indent: int | None = 2) -> str:
    """``data`` as JSON that keeps every string exactly and is still safe on a terminal.

    Non-ASCII text stays readable (``ensure_ascii=False``), but DEL, C1 controls, bidi
    overrides, line separators and lone surrogates are written as ``\\uXXXX`` escapes: a JSON
    reader gets the exact string back, a terminal gets nothing it would act on.
    """
    return json_safe(json.dumps(data, indent=indent, ensure_ascii=False))


def json_safe(text: str) -> str:
    """JSON text as ``json.dumps(..., ensure_ascii=False)`` writes it, with what a terminal
    would act on written as ``\\uXXXX`` escapes (for JSON built in pieces, e.g. streamed)."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
