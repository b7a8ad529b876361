"""Text from outside (bunq, other people, files on disk) made safe to show or to export.

A payment's description is written by whoever sent the money. Sent to a terminal as is, an
escape sequence in it can clear the screen, set the window title, hide a hyperlink or reorder
what the user reads (bidi overrides). In a spreadsheet, a cell that starts with ``=`` is a
formula. This leaf module (no bunqtui imports, so every layer may use it) turns such text into
something that shows literally; JSON output keeps the exact string instead.
"""

from __future__ import annotations

import re

# C0 controls (but TAB and LF, handled by the caller's mode), DEL, C1 controls; bidi embeddings,
# overrides and isolates (U+202A–U+202E, U+2066–U+2069); line/paragraph separators.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_LINE_BREAKS = re.compile("\r\n|[\n\t\u2028\u2029\x0b\x0c\r\x85]")

# A CSV cell starting with one of these is read as a formula by spreadsheets (OWASP).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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


def csv_cell(value: object) -> str:
    """A text cell for CSV that no spreadsheet runs as a formula: ``'`` before a risky start.

    Only for text: amounts are written as plain numbers (a negative amount starts with ``-``).
    """
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text
