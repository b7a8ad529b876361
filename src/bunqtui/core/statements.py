"""Statement exports for the CLI and the TUI's payments screen: ask bunq for an MT940, CSV or
PDF file of an account over a date range, wait until it is ready (polling at bunq's GET floor,
with each status told to ``progress``), and write it to a file — 0600, atomically (temp file,
fsync, rename), so a half-written statement never takes the place of a good file.

MT940 and PDF are bunq's, byte for byte. A CSV is bunq's with one change unless ``raw`` is
asked for: a text cell that a spreadsheet would run as a formula (another customer's name or
description starting with ``=``, ``+``, ``@`` …) gets a ``'`` in front, as every CSV bunqtui
writes does; amounts, which start with ``-`` when negative, stay numbers. The file is written,
never shown.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bunqtui.api import statements as api_statements
from bunqtui.api.statements import statement_body
from bunqtui.core.errors import ConfigError
from bunqtui.store.files import atomic_write
from bunqtui.untrusted import FORMULA_START

if TYPE_CHECKING:
    from bunqtui.core.oneshot import OneShotSession
    from bunqtui.core.opened import Identity
    from bunqtui.core.session import ProfileSession

SUFFIXES = {"MT940": ".sta", "CSV": ".csv", "PDF": ".pdf"}
POLL_SECONDS = api_statements.POLL_SECONDS  # between reads of a pending export


def check_request(
    statement_format: str, start: dt.date, end: dt.date, regional_format: str | None = None
) -> dict[str, str]:
    """The request bunq will get, or ConfigError (exit 2, nothing sent)."""
    if end > dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1):
        raise ConfigError("the end date is in the future", "statements end today at the latest")
    try:
        return statement_body(statement_format, start, end, regional_format)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


# an amount in either regional format: "-12.50", "1,234.50", "-1.234,50"
_NUMBER = re.compile(r"-?[0-9][0-9.,]*")


def defuse_csv(content: bytes, regional_format: str | None) -> bytes:
    """bunq's CSV with every formula-like text cell given a ``'`` in front, numbers kept.

    Rows, columns and the delimiter stay; cells are re-quoted where CSV needs it and rows end
    in CRLF. Bytes that are not UTF-8 pass through unchanged (``surrogateescape``), and are
    defused like the rest. A file the csv module cannot read is refused (ConfigError), never
    written unchecked: ``--raw`` is the way to bunq's bytes.
    """
    text = content.decode("utf-8", errors="surrogateescape")
    delimiter = ";" if (regional_format or "").upper() == "EUROPEAN" else ","
    # a field may be as long as the file (bunq allows 9,000-character descriptions); raising
    # the module's limit only ever lets more through, so setting it globally is harmless
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            writer.writerow(_safe_cell(cell) for cell in row)
    except csv.Error as exc:
        raise ConfigError(
            f"bunq's CSV statement could not be read to defuse formulas ({exc})",
            "add --raw to write bunq's file as it is (open it with care in a spreadsheet)",
        ) from None
    return out.getvalue().encode("utf-8", errors="surrogateescape")


def _safe_cell(cell: str) -> str:
    if cell.startswith(FORMULA_START) and not _NUMBER.fullmatch(cell):
        return "'" + cell  # as csv_cell does; the rest of the cell stays byte for byte
    return cell


def _target(path: Path) -> Path:
    if path.is_dir():
        raise ConfigError(f"{path} is a directory", "give -o a file name")
    if not path.parent.is_dir():
        raise ConfigError(f"the directory {path.parent} does not exist")
    return path


def export_statement(
    session: OneShotSession,
    identity: Identity,
    account_id: int,
    statement_format: str,
    start: dt.date,
    end: dt.date,
    path: Path,
    *,
    regional_format: str | None = None,
    progress: Callable[[str], Any] | None = None,
    poll_seconds: float | None = None,
    raw: bool = False,
) -> int:
    """Create, wait, download, write (0600, atomic). The number of bytes written."""
    body = check_request(statement_format, start, end, regional_format)
    target = _target(path)
    content = session._client(identity).export_statement(
        None,
        account_id,
        body["statement_format"],
        start,
        end,
        body.get("regional_format"),
        progress=progress,
        poll_seconds=POLL_SECONDS if poll_seconds is None else poll_seconds,
    )
    return _write(target, content, body, raw=raw)


async def aexport_statement(
    session: ProfileSession,
    identity: Identity,
    account_id: int,
    statement_format: str,
    start: dt.date,
    end: dt.date,
    path: Path,
    *,
    regional_format: str | None = None,
    progress: Callable[[str], Any] | None = None,
    poll_seconds: float | None = None,
    raw: bool = False,
) -> int:
    body = check_request(statement_format, start, end, regional_format)
    target = _target(path)
    client = await session._client(identity)
    content = await client.export_statement(
        None,
        account_id,
        body["statement_format"],
        start,
        end,
        body.get("regional_format"),
        progress=progress,
        poll_seconds=POLL_SECONDS if poll_seconds is None else poll_seconds,
    )
    return _write(target, content, body, raw=raw)


def _write(target: Path, content: bytes, body: dict[str, str], *, raw: bool) -> int:
    if body["statement_format"] == "CSV" and not raw:
        content = defuse_csv(content, body.get("regional_format"))
    atomic_write(target, content)
    return len(content)
