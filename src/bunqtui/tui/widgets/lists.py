"""Tables, lists and scrolled text that also move with vim's j k g G (each binding has an id
for remapping; one id per motion, so one remap moves them all)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Checkbox, DataTable, OptionList
from textual.widgets.data_table import CellType, Column, ColumnKey, RowKey

from bunqtui.tui.safe import untrusted


def _cell(value: Any) -> Any:
    """DataTable parses a str cell as markup: strings become plain, printable Text; text too
    long for its column ends in "…" (DataTable would wrap it and show the first line)."""
    text = untrusted(value) if isinstance(value, str) else value
    if isinstance(text, Text):
        text = text.copy()
        text.overflow = "ellipsis"
        text.no_wrap = True
    return text


@dataclass
class DroppableColumn(Column):
    """A column that takes no room at all while ``hidden`` (DataTable has no hidden columns)."""

    hidden: bool = False

    def get_render_width(self, data_table: DataTable[Any]) -> int:
        return 0 if self.hidden else super().get_render_width(data_table)


class VimDataTable(DataTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="nav.down"),
        Binding("k", "cursor_up", "Up", show=False, id="nav.up"),
        Binding("g", "scroll_top", "First", show=False, id="nav.first"),
        Binding("G", "scroll_bottom", "Last", show=False, id="nav.last"),
    ]

    def __init__(self, **kwargs: Any) -> None:  # DataTable's
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(**kwargs)
        self.flexible: tuple[str, int] | None = None  # (column key, least width)
        # column keys that leave on a narrow terminal, first one first (see fit_flexible_column)
        self.drop_order: list[str] = []

    def add_column(
        self,
        label: str | Text,
        *,
        width: int | None = None,
        key: str | None = None,
        default: CellType | None = None,
    ) -> ColumnKey:
        column_key = super().add_column(label, width=width, key=key, default=default)
        c = self.columns[column_key]
        self.columns[column_key] = DroppableColumn(
            c.key, c.label, c.width, c.content_width, c.auto_width
        )
        return column_key

    @property
    def shown_columns(self) -> list[str]:
        """The keys of the columns drawn at the current width."""
        return [
            str(c.key.value)
            for c in self.ordered_columns
            if not (isinstance(c, DroppableColumn) and c.hidden)
        ]

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
        # the vertical scrollbar may not be laid out yet right after rows were added
        rows = self.row_count + (1 if self.show_header else 0)
        needs_bar = self.show_vertical_scrollbar or rows > self.size.height
        scrollbar = self.styles.scrollbar_size_vertical if needs_bar else 0
        dropped = self._drop_columns(column, least + 2 * self.cell_padding + scrollbar)
        others = sum(c.get_render_width(self) for c in self.columns.values() if c is not column)
        width = max(least, self.size.width - others - 2 * self.cell_padding - scrollbar)
        if dropped or column.auto_width or column.width != width:
            column.auto_width = False
            column.width = width
            self._require_update_dimensions = True
            self.refresh(layout=True)

    def _drop_columns(self, flexible: Column, flexible_room: int) -> bool:
        """Hide the columns of ``drop_order``, first first, until the rest fits; True when
        which columns show changed."""
        droppable = [
            c
            for key in self.drop_order
            for c in self.columns.values()
            if c.key.value == key and isinstance(c, DroppableColumn)
        ]
        before = [c.hidden for c in droppable]
        for c in droppable:
            c.hidden = False
        for c in droppable:
            others = sum(
                o.get_render_width(self) for o in self.columns.values() if o is not flexible
            )
            if others + flexible_room <= self.size.width:
                break
            c.hidden = True
        changed = before != [c.hidden for c in droppable]
        if changed:
            self._clear_caches()
        return changed

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
