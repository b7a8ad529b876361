"""How `bunqtui payments` prints: a table, CSV or JSON, streamed a batch at a time.

The rows come from the cache as ``PaymentRow``s (no JSON parsed) or, for `--limit`, as the
``Payment``s just fetched. Nothing holds all of them: CSV and JSON go through the exporters
(one ``write`` per batch); the table is read twice, once for its column widths and once to
print, so it lines up as ``print_table``'s does without keeping 100,000 rows in memory. Any
other format is an exporter plugin's (``Formats``: looked up only when a name is not built in).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, TextIO, cast

from bunqtui.cli.common import _is_amount
from bunqtui.core import Payment
from bunqtui.plugins.exporter import PaymentRow, payment_row
from bunqtui.untrusted import cell_width, printable

if TYPE_CHECKING:
    from bunqtui.plugins.exporter import Exporter

DESCRIPTION_WIDTH = 40  # characters of a description in the table
HEADERS = ("ID", "DATE", "AMOUNT", "COUNTERPARTY", "DESCRIPTION")
BATCH = 256  # lines per write (as the exporters' batches)
DATE_WIDTH = len("2026-01-31 12:00")  # local time to the minute


class Formats:
    """`payments --format`'s choices: the built-in ones, then every exporter plugin's name. The
    plugins are scanned only for a name that is not built in, or when the choices are listed
    (a usage error, `--help`, the completion script), so `--format csv` never pays for it."""

    BUILTIN = ("table", "json", "csv")

    def __init__(self) -> None:
        self._exporters: dict[str, type[Exporter]] | None = None

    @property
    def exporters(self) -> dict[str, type[Exporter]]:
        if self._exporters is None:
            from bunqtui.plugins.manager import PluginRegistry

            self._exporters = dict(PluginRegistry(index=None).exporters)
        return self._exporters

    def __contains__(self, name: object) -> bool:
        return name in self.BUILTIN or name in self.exporters

    def __iter__(self) -> Iterator[str]:
        yield from self.BUILTIN
        yield from sorted(set(self.exporters) - set(self.BUILTIN))


class Reread:
    """Rows that can be read more than once: the first reading is opened at once (so a
    damaged cache is reported before anything is printed), each later one afresh."""

    def __init__(self, open_rows: Callable[[], Iterable[PaymentRow]]) -> None:
        self._open = open_rows
        self._first: Iterable[PaymentRow] | None = open_rows()

    def __iter__(self) -> Iterator[PaymentRow]:
        first, self._first = self._first, None
        return iter(first if first is not None else self._open())


def print_payments(
    rows: Iterable[PaymentRow | Payment],
    fmt: str,
    out: TextIO | None = None,
    formats: Formats | None = None,
) -> None:
    """``rows`` (read twice for a table: a list or a ``Reread``) as ``fmt`` on ``out``; a
    format not built in is the exporter plugin of that name in ``formats``."""
    out = out or sys.stdout
    if fmt not in Formats.BUILTIN:
        exporter = (formats or Formats()).exporters[fmt]  # argparse checked the name
        # as CSV: exact to a file or a pipe, control characters written out on a terminal
        exporter().write(rows, _for_terminal(out))
    elif fmt == "json":
        from bunqtui.plugins.exporters import JsonExporter

        # exact strings; what a terminal would act on is \u-escaped (as print_json does)
        JsonExporter().write(rows, out)
    elif fmt == "csv":
        from bunqtui.plugins.exporters import CsvExporter  # csv only for this format

        # a file or a pipe gets the exact text (text cells through csv_cell); a person on a
        # terminal gets control characters written out, as `ls` does
        CsvExporter().write(rows, _for_terminal(out))
    else:
        print_table(rows, out)


def _for_terminal(out: TextIO) -> TextIO:
    """``out`` itself for a file or a pipe; on a terminal, control characters written out."""
    if not out.isatty():
        return out
    # exporters only call write(), which is all _Printable has of a TextIO
    return cast(TextIO, _Printable(out))


class _Printable:
    """A stream that writes control characters out (whole CSV rows arrive per write, so a
    CRLF is never split between two)."""

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def write(self, text: str) -> int:
        return self._out.write(printable(text, one_line=False))


def _width(text: str) -> int:
    return len(text) if text.isascii() else cell_width(text)  # printable ASCII: 1 column each


def _clip(text: str, width: int) -> str:
    """The first ``width`` characters, with … when cut (cut before escapes are written out, so
    an escape is never split)."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _date(row: PaymentRow) -> str:
    created = row.created
    # isoformat: strftime's "%Y-%m-%d %H:%M" at a fifth of the cost (the table's largest)
    return created.astimezone().isoformat(" ", "minutes")[:16] if created is not None else ""


def print_table(rows: Iterable[PaymentRow | Payment], out: TextIO) -> None:
    """The table ``cli.common.print_table`` prints for these rows (numbers right-aligned,
    widths in terminal columns of the printable text), streamed."""
    names: dict[str | None, tuple[str, int]] = {}  # counterparty → (printable, width)
    currencies: dict[str, str] = {}

    def name(value: str | None) -> tuple[str, int]:
        if value not in names:
            shown = printable(value)
            names[value] = (shown, _width(shown))
        return names[value]

    def amount(row: PaymentRow) -> str:
        currency = currencies.get(row.currency)
        if currency is None:
            currency = currencies[row.currency] = printable(row.currency)
        return f"{row.amount_value} {currency}"

    # first reading: the widths, and which columns are all numbers (then right-aligned)
    widths = [_width(h) for h in HEADERS]
    count, name_numeric, description_numeric = 0, True, True
    for row in map(payment_row, rows):
        count += 1
        widths[0] = max(widths[0], len(str(row.id)))
        if row.created_text is not None:
            widths[1] = max(widths[1], DATE_WIDTH)
        widths[2] = max(widths[2], _width(amount(row)))
        shown, width = name(row.counterparty_name)
        widths[3] = max(widths[3], width)
        name_numeric = name_numeric and _is_amount(row.counterparty_name)
        if description_numeric:  # only then does its width matter (the last column)
            text = _clip(row.description or "", DESCRIPTION_WIDTH)
            description_numeric = _is_amount(text)
            widths[4] = max(widths[4], _width(printable(text)))
    numeric = (
        count > 0,
        False,
        count > 0,
        count > 0 and name_numeric,
        count > 0 and description_numeric,
    )

    def line(values: tuple[str, ...], cells_width: tuple[int, ...]) -> str:
        cells = []
        for v, w, cw, num in zip(values, widths, cells_width, numeric, strict=True):
            pad = " " * (w - cw)
            cells.append(pad + v if num else v + pad)
        return "  ".join(cells).rstrip()

    out.write(line(HEADERS, tuple(_width(h) for h in HEADERS)) + "\n")
    # second reading: the lines, each column padded as line() pads it (counterparty cells are
    # made once per name)
    id_width, date_width, amount_width, name_width, _ = widths
    name_cells = {
        value: (
            " " * (name_width - width) + shown if numeric[3] else shown + " " * (name_width - width)
        )
        for value, (shown, width) in names.items()
    }
    currency_widths = {c: _width(shown) for c, shown in currencies.items()}
    no_date = " " * date_width
    batch: list[str] = []
    for row in map(payment_row, rows):
        ident = str(row.id)
        date = _date(row)
        money = amount(row)
        currency_width = currency_widths.get(row.currency)
        if currency_width is None:  # a currency not seen in the first reading
            currency_width = _width(printable(row.currency))
        money_width = len(row.amount_value) + 1 + currency_width
        name_cell = name_cells.get(row.counterparty_name)
        if name_cell is None:  # a name not seen in the first reading (a sync meanwhile)
            shown, width = name(row.counterparty_name)
            name_cell = shown + " " * max(0, name_width - width)
        text = printable(_clip(row.description or "", DESCRIPTION_WIDTH))
        if numeric[4]:
            text = " " * (widths[4] - _width(text)) + text
        batch.append(
            (
                f"{' ' * (id_width - len(ident))}{ident}  "
                f"{date + ' ' * (date_width - len(date)) if date else no_date}  "
                f"{' ' * (amount_width - money_width)}{money}  {name_cell}  {text}"
            ).rstrip()
        )
        if len(batch) >= BATCH:
            out.write("\n".join(batch) + "\n")
            batch.clear()
    if batch:
        out.write("\n".join(batch) + "\n")
