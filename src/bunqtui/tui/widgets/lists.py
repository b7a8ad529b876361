"""Tables, lists and scrolled text that also move with vim's j k g G (each binding has an id
for remapping; one id per motion, so one remap moves them all)."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Checkbox, DataTable, OptionList
from textual.widgets.data_table import CellType, ColumnKey, RowKey

from bunqtui.tui.safe import untrusted


def _cell(value: Any) -> Any:
    """DataTable parses a str cell as markup: strings become plain, printable Text."""
    return untrusted(value) if isinstance(value, str) else value


class VimDataTable(DataTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="nav.down"),
        Binding("k", "cursor_up", "Up", show=False, id="nav.up"),
        Binding("g", "scroll_top", "First", show=False, id="nav.first"),
        Binding("G", "scroll_bottom", "Last", show=False, id="nav.last"),
    ]

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.flexible: tuple[str, int] | None = None  # (column key, least width)

    def add_row(
        self,
        *cells: CellType,
        height: int | None = 1,
        key: str | None = None,
        label: str | Text | None = None,
    ) -> RowKey:
        return super().add_row(
            *map(_cell, cells),
            height=height,
            key=key,
            label=_cell(label) if label is not None else None,
        )

    def update_cell(
        self,
        row_key: RowKey | str,
        column_key: ColumnKey | str,
        value: CellType,
        *,
        update_width: bool = False,
    ) -> None:
        super().update_cell(row_key, column_key, _cell(value), update_width=update_width)

    def fit_flexible_column(self) -> None:
        """Give the flexible column the width the others leave, so rows never scroll sideways."""
        if self.flexible is None or not self.size.width:
            return
        key, least = self.flexible
        column = next((c for c in self.columns.values() if c.key.value == key), None)
        if column is None:
            return
        others = sum(c.get_render_width(self) for c in self.columns.values() if c is not column)
        # the vertical scrollbar may not be laid out yet right after rows were added
        rows = self.row_count + (1 if self.show_header else 0)
        needs_bar = self.show_vertical_scrollbar or rows > self.size.height
        scrollbar = self.styles.scrollbar_size_vertical if needs_bar else 0
        width = max(least, self.size.width - others - 2 * self.cell_padding - scrollbar)
        if column.auto_width or column.width != width:
            column.auto_width = False
            column.width = width
            self._require_update_dimensions = True
            self.refresh(layout=True)

    def on_resize(self) -> None:
        self.fit_flexible_column()


class VimOptionList(OptionList):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="nav.down"),
        Binding("k", "cursor_up", "Up", show=False, id="nav.up"),
        Binding("g", "first", "First", show=False, id="nav.first"),
        Binding("G", "last", "Last", show=False, id="nav.last"),
    ]


class VimScroll(VerticalScroll):
    """Scrolled text (help, a payment's fields) that j k g G move like every list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "scroll_down", "Down", show=False, id="nav.down"),
        Binding("k", "scroll_up", "Up", show=False, id="nav.up"),
        Binding("g", "scroll_home", "First", show=False, id="nav.first"),
        Binding("G", "scroll_end", "Last", show=False, id="nav.last"),
    ]


class TickBox(Checkbox):
    """A checkbox that reads without colour: ``[x]`` ticked, ``[ ]`` not (Textual's shows an
    X either way and tells them apart by colour alone)."""

    @property
    def _button(self) -> Content:
        return Content("[x]" if self.value else "[ ]")
