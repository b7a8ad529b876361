"""A table that draws only the rows on screen, for lists of any length (100,000 payments).

Textual's DataTable keeps a renderable per cell and re-renders every visible row when the
cursor moves; with tens of thousands of rows that costs hundreds of MB and tens of ms per key.
Here the rows come from a ``RowSource`` (``len`` and ``row(i)``), which may read them lazily
from the cache; a drawn line is kept in a small LRU, a cursor move redraws two lines, and a
scroll draws only lines not drawn before. The header stays on the first line. On a narrow
terminal columns give up room, then drop out by priority (``Column.drop``), so what matters
(the amount, the description) always shows whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from rich.console import JustifyMethod
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from bunqtui.tui.safe import untrusted


class RowSource(Protocol):
    def __len__(self) -> int: ...

    def row(self, index: int) -> Sequence[str | Text]: ...


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int
    justify: JustifyMethod = "left"  # "left" | "right"
    least: int | None = None  # may narrow to this on small terminals (None: never)
    drop: int | None = None  # when even narrowed they do not fit: lowest drops first (None: never)


class EmptyRows:
    def __len__(self) -> int:
        return 0

    def row(self, index: int) -> Sequence[str | Text]:
        raise IndexError(index)


class RowsTable(ScrollView, can_focus=True):
    """``RowsTable(columns, flexible="description")``; set ``.source`` to show rows."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Up", show=False, id="rows.up"),
        Binding("down", "cursor(1)", "Down", show=False, id="rows.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="rows.page-up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="rows.page-down"),
        Binding("home", "first", "First", show=False, id="rows.first"),
        Binding("end", "last", "Last", show=False, id="rows.last"),
        # the vim keys share their ids with the other tables, so one remap moves them all
        Binding("k", "cursor(-1)", "Up", show=False, id="nav.up"),
        Binding("j", "cursor(1)", "Down", show=False, id="nav.down"),
        Binding("g", "first", "First", show=False, id="nav.first"),
        Binding("G", "last", "Last", show=False, id="nav.last"),
        Binding("enter", "select", "Open", id="rows.open"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "rows-table--header",
        "rows-table--cursor",
        "rows-table--even-row",
    }
    DEFAULT_CSS = """
    RowsTable {
        overflow-x: hidden;
        background: $surface;
        color: $foreground;
        & > .rows-table--header { background: $panel; color: $foreground; text-style: bold; }
        & > .rows-table--even-row { background: $surface-darken-1 40%; }
        & > .rows-table--cursor { background: $block-cursor-blurred-background; }
        &:focus > .rows-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: bold;
        }
    }
    """
    LINE_CACHE = 400  # drawn lines kept: a few screens' worth

    cursor_row: reactive[int] = reactive(0, always_update=True)

    class _RowMessage(Message):
        def __init__(self, table: RowsTable, index: int) -> None:
            super().__init__()
            self.table = table
            self.index = index

        @property
        def control(self) -> RowsTable:  # lets @on(…, "#id") match the table
            return self.table

    class Highlighted(_RowMessage):
        """The cursor moved to row ``index``."""

    class Selected(_RowMessage):
        """Row ``index`` was chosen (Enter or a double click)."""

    def __init__(
        self, columns: Sequence[Column], *, flexible: str, least: int = 10, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)  # ScrollView's id, classes, …
        self.columns = list(columns)
        self.flexible = flexible
        self.least = least
        self.source: RowSource = EmptyRows()
        self._widths = [c.width for c in self.columns]
        self._shown = list(range(len(self.columns)))  # indices of the columns drawn
        self._lines: LRUCache[tuple[int, bool, int], Strip] = LRUCache(self.LINE_CACHE)
        self._header: Strip | None = None

    # --- rows -------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self.source)

    def show(self, source: RowSource, *, cursor: int | None = None) -> None:
        """Show ``source``; the cursor stays on its row number unless given."""
        self.source = source
        self.rows_changed()
        self.move_cursor(self.cursor_row if cursor is None else cursor)

    def rows_changed(self) -> None:
        """The source has more (or other) rows: forget drawn lines, resize."""
        self._lines.clear()
        self.virtual_size = Size(0, len(self.source) + 1)
        self.refresh()

    def move_cursor(self, row: int) -> None:
        self.cursor_row = max(0, min(row, len(self.source) - 1))

    def validate_cursor_row(self, row: int) -> int:
        return max(0, min(row, len(self.source) - 1)) if len(self.source) else 0

    def watch_cursor_row(self, old: int, new: int) -> None:
        self.refresh_line(old + 1)
        self.refresh_line(new + 1)
        self._keep_in_view(new)
        if len(self.source):
            self.post_message(self.Highlighted(self, new))

    def _keep_in_view(self, row: int) -> None:
        visible = max(1, self.size.height - 1 - (1 if self.show_horizontal_scrollbar else 0))
        top = round(self.scroll_y)
        if row < top:
            self.scroll_to(y=row, animate=False)
        elif row >= top + visible:
            self.scroll_to(y=row - visible + 1, animate=False)

    # --- keys and mouse ---------------------------------------------------------------------

    def action_cursor(self, step: int) -> None:
        self.move_cursor(self.cursor_row + step)

    def action_page(self, direction: int) -> None:
        self.move_cursor(self.cursor_row + direction * max(1, self.size.height - 2))

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self.source) - 1)

    def action_select(self) -> None:
        if len(self.source):
            self.post_message(self.Selected(self, self.cursor_row))

    async def _on_click(self, event: events.Click) -> None:
        y = event.y
        if y < 1:
            return
        row = round(self.scroll_y) + y - 1
        if 0 <= row < len(self.source):
            if row == self.cursor_row and event.chain >= 2:
                self.action_select()
            self.move_cursor(row)

    # --- layout -----------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width)
        self.virtual_size = Size(0, len(self.source) + 1)

    @property
    def shown_columns(self) -> list[str]:
        """The keys of the columns drawn at the current width."""
        return [self.columns[i].key for i in self._shown]

    def _fit(self, width: int) -> None:
        """The flexible column takes what the others leave (1 cell of padding each side);
        on a small terminal, columns with a ``least`` width give up room first, then columns
        with a ``drop`` priority leave, lowest first, until the rest fits."""
        shown = list(range(len(self.columns)))
        while True:
            widths = self._narrowed(shown, width)
            room = width - self.styles.scrollbar_size_vertical - 2 * len(shown)
            droppable = [i for i in shown if self.columns[i].drop is not None]
            if sum(widths) <= room or not droppable:
                break
            shown.remove(min(droppable, key=lambda i: self.columns[i].drop or 0))
        if widths != self._widths or shown != self._shown:
            self._widths, self._shown = widths, shown
            self._lines.clear()
            self._header = None

    def _narrowed(self, shown: list[int], width: int) -> list[int]:
        """Widths of the ``shown`` columns (in their order) in ``width`` cells."""
        room = width - self.styles.scrollbar_size_vertical - 2 * len(shown)
        columns = [self.columns[i] for i in shown]
        widths = [c.width for c in columns]
        flexible = next(i for i, c in enumerate(columns) if c.key == self.flexible)
        widths[flexible] = self.least
        for i, column in enumerate(columns):
            over = sum(widths) - room
            if over <= 0:
                break
            if i != flexible and column.least is not None:
                widths[i] -= min(over, column.width - column.least)
        widths[flexible] = max(self.least, room - (sum(widths) - widths[flexible]))
        return widths

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()
        self._header = None

    def _on_focus(self, event: events.Focus) -> None:
        self._lines.clear()
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        self._lines.clear()
        self.refresh()

    # --- drawing ----------------------------------------------------------------------------

    def _line(self, values: Sequence[str | Text], base: Style) -> Strip:
        width = max(self.scrollable_content_region.width, 1)
        segments: list[Segment] = []
        columns = [self.columns[i] for i in self._shown]
        values = [values[i] for i in self._shown if i < len(values)]
        for column, cell_width, value in zip(columns, self._widths, values, strict=False):
            # a plain str cell is outside text: Text() alone would keep its ESC sequences
            text = value if isinstance(value, Text) else untrusted(value)
            plain_len = text.cell_len
            if plain_len > cell_width:
                text = text.copy()
                text.truncate(cell_width, overflow="ellipsis")
                plain_len = text.cell_len
            pad = cell_width - plain_len
            left = pad if column.justify == "right" else 0
            segments.append(Segment(" " * (1 + left), base))
            for segment in text.render(self.app.console):
                style = base + segment.style if segment.style else base
                segments.append(Segment(segment.text, style))
            segments.append(Segment(" " * (1 + pad - left), base))
        return Strip(segments).adjust_cell_length(width, base).simplify()

    def render_line(self, y: int) -> Strip:
        if y == 0:
            if self._header is None:
                style = self.get_component_rich_style("rows-table--header")
                titles = [Text(c.title, justify=c.justify) for c in self.columns]
                self._header = self._line(titles, style)
            return self._header
        index = round(self.scroll_y) + y - 1
        if index >= len(self.source):
            return Strip.blank(self.size.width, self.rich_style)
        cursor = index == self.cursor_row
        key = (index, cursor, self.size.width)
        line = self._lines.get(key)
        if line is None:
            style = self.rich_style
            if index % 2:
                style += self.get_component_rich_style("rows-table--even-row")
            if cursor:
                style += self.get_component_rich_style("rows-table--cursor")
            line = self._lines[key] = self._line(self.source.row(index), style)
        return line
