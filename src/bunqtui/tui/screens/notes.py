"""Notes on a payment, as the payment detail shows and edits them (``n`` add, ``N`` edit).

A note is someone's text — the user's, or a joint account's co-owner's — so it is shown like a
description: printable, never markup. The dialog is the app's one-line ``InputModal``, checked
with core's rules (not empty, bunq's length limit) before anything is sent.
"""

from __future__ import annotations

from rich.text import Text

from bunqtui.core import ConfigError
from bunqtui.core import notes as core_notes
from bunqtui.core.notes import NoteText
from bunqtui.tui.formatting import local_time
from bunqtui.tui.safe import safe_str, untrusted
from bunqtui.tui.screens.dialogs import InputModal


def notes_view(notes: list[NoteText] | None, error: str | None = None) -> Text:
    """The notes block under the payment's fields: each note with who and when."""
    title = Text("Notes", style="bold")
    if error is not None:
        return Text("\n").join([title, untrusted(f"could not load the notes: {error}", "red")])
    if notes is None:
        return Text("\n").join([title, Text("loading…", style="dim")])
    if not notes:
        return Text("\n").join([title, Text("none yet — n adds one", style="dim")])
    lines = [title]
    for note in notes:
        when = note.updated or note.created
        by = note.creator or "someone"
        lines.append(untrusted(f"{local_time(when)} · {by}", "dim"))
        lines.append(untrusted(note.content, one_line=False))
    return Text("\n").join(lines)


def _check(value: str) -> str | None:
    try:
        core_notes.checked(value)
    except ConfigError as exc:
        return exc.message.capitalize() + "."
    return None


def note_dialog(existing: NoteText | None) -> InputModal:
    """Add a note (``existing`` None) or edit one, prefilled."""
    if existing is None:
        return InputModal("Add a note", "A note on this payment, kept by bunq.", check=_check)
    return InputModal(
        "Edit the note",
        "Change the note on this payment.",
        # printable: the box would send a hostile note's escapes to the terminal as they are
        value=safe_str(existing.content),
        check=_check,
    )
