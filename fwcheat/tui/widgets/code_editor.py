"""A snippet's editor: soft-wrapped Python whose continuation rows are marked, and keys as documented.

Snippet lines are often wider than half a terminal, and the comment that
carries the trap sits at the end of the line. So every line wraps, and each
wrapped row shows ``↪`` in the line-number gutter: a reader can tell a wrapped
line from two lines. Tab moves focus (as everywhere in the app) instead of
inserting indentation, and Enter keeps the line's indentation, one level more
after a line ending in ``:`` (``while True:``).
"""

from __future__ import annotations

from rich.segment import Segment
from textual import events
from textual.strip import Strip
from textual.widgets import TextArea

#: Shown in the gutter of each row that continues the line above it.
CONTINUATION = "↪"
INDENT = "    "


def next_indent(line_before_cursor: str) -> str:
    """The indentation Enter gives the new line: the same, one level more after ``:``."""
    stripped = line_before_cursor.rstrip()
    indent = line_before_cursor[: len(line_before_cursor) - len(line_before_cursor.lstrip())]
    code = stripped.split("#", 1)[0].rstrip() if "#" in stripped else stripped
    return indent + INDENT if code.endswith(":") else indent


class CodeEditor(TextArea):
    """A Python ``TextArea`` that soft-wraps with a marker, indents on Enter and leaves Tab to focus."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            "",
            language="python",
            id=id,
            soft_wrap=True,
            tab_behavior="focus",
            show_line_numbers=True,
            theme="monokai",
        )

    def is_continuation(self, y: int) -> bool:
        """Whether row ``y`` (relative to the widget) continues a wrapped line."""
        row = y + self.scroll_offset.y
        info = self.wrapped_document._offset_to_line_info
        if not 0 <= row < len(info):
            return False
        return info[row][1] > 0

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        width = self.gutter_width
        if not self.show_line_numbers or width < 3 or not self.is_continuation(y):
            return strip
        style = self._theme.gutter_style if self._theme is not None else None
        marker = Strip([Segment(f"{CONTINUATION:>{width - 2}}  ", style)], width)
        return Strip.join([marker, strip.crop(width, strip.cell_length)])

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter" and not self.read_only:
            event.stop()
            event.prevent_default()
            row, column = self.cursor_location
            before = self.document.get_line(row)[:column]
            self.replace("\n" + next_indent(before), *self.selection)
            return
        await super()._on_key(event)
