"""A QR code drawn with half-block characters, always black on white.

Two module rows share one text row (``▀``, ``▄``, ``█`` or a blank), and the colours are fixed
rather than taken from the theme, so the code scans on dark, light and transparent terminals
alike. The white quiet zone around it is part of the matrix.
"""

from __future__ import annotations

from typing import Any

import qrcode
from qrcode.constants import ERROR_CORRECT_L
from rich.text import Text
from textual.widgets import Static

QR_STYLE = "#000000 on #ffffff"
QUIET_ZONE = 2  # modules of white border; scanners accept 2 when the surround is plain

# (top dark, bottom dark) → glyph drawn in black on white
_GLYPHS = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


def qr_matrix(data: str, border: int = QUIET_ZONE) -> list[list[bool]]:
    """The module matrix, quiet zone included (True = dark)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_L, border=border)
    code.add_data(data)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def qr_lines(matrix: list[list[bool]]) -> list[str]:
    """Half-block rows; an odd last row is paired with white."""
    rows = [*matrix, [False] * len(matrix[0])] if len(matrix) % 2 else matrix
    return [
        "".join(_GLYPHS[top, bottom] for top, bottom in zip(upper, lower, strict=True))
        for upper, lower in zip(rows[::2], rows[1::2], strict=True)
    ]


def qr_text(data: str) -> Text:
    return Text("\n".join(qr_lines(qr_matrix(data))), style=QR_STYLE, no_wrap=True, end="")


class QRCode(Static):
    """``QRCode(url)``: shows the code for ``url``; ``cells`` is its size in (columns, rows)."""

    DEFAULT_CSS = """
    QRCode {
        width: auto;
        height: auto;
        padding: 0;
        background: #ffffff;
        color: #000000;
    }
    """

    def __init__(self, data: str = "", **kwargs: Any) -> None:  # Static's id, classes, …
        super().__init__("", **kwargs)
        self.data = ""
        self.cells = (0, 0)
        if data:
            self.set_data(data)

    def set_data(self, data: str) -> None:
        self.data = data
        text = qr_text(data) if data else Text("")
        lines = text.plain.split("\n") if data else []
        self.cells = (len(lines[0]) if lines else 0, len(lines))
        self.update(text)
