"""Layout rules shared by the rich renderer and the rich-free one (:mod:`fwcheat.fastcards`).

Pure functions and constants, no rich: where panels go side by side, and how a
long code line wraps into continuation rows.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing itself is not imported on the search path
if TYPE_CHECKING:
    from collections.abc import Callable

#: Below this many columns the two snippets are stacked instead of side by side.
SIDE_BY_SIDE_MIN_WIDTH = 100
#: Columns a code panel takes around its code: two borders and one space of padding each side.
PANEL_CHROME = 4
#: Starts a wrapped code line's continuation, after the line's own indentation.
CONTINUATION = "↪ "
#: A wrapped comment lines up under its ``#`` only when that leaves it this many columns.
_MIN_COMMENT_ROOM = 24


def code_row_breaks(plain: str, width: int, cells: Callable[[str], int]) -> list[tuple[int, int, int]]:
    """Where a code line is cut into rows of at most ``width`` cells: ``(start, end, lead)`` per row.

    ``lead`` is a continuation row's indent (marker included); the first row has none.
    Pure (``cells`` measures a string), so the rich renderer and :mod:`fwcheat.fastcards` share it.
    """
    if cells(plain) <= width:
        return [(0, len(plain), 0)]
    indent = len(plain) - len(plain.lstrip(" "))
    comment = _comment_column(plain)
    rows: list[tuple[int, int, int]] = []
    start = 0
    room = width
    lead = 0
    while start < len(plain):
        end = _break_at(plain, start, room)
        rows.append((start, end, lead))
        start = end
        while start < len(plain) and plain[start] == " ":
            start += 1
        # A continued comment lines up under its `#`; continued code under the line's code plus
        # the marker. On a narrow panel the indent gives way so that a row keeps some room.
        column = indent + len(CONTINUATION)
        if comment is not None and start > comment and width - comment - 2 >= _MIN_COMMENT_ROOM:
            column = comment + 2
        lead = min(column, max(width - 12, len(CONTINUATION)))
        room = width - lead
    return rows


def _comment_column(plain: str) -> int | None:
    """Where a line's trailing ``#`` comment starts (outside strings), if it has one."""
    quote = ""
    for index, char in enumerate(plain):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#":
            return index
    return None


def _break_at(plain: str, start: int, room: int) -> int:
    """Where a row that starts at ``start`` ends: after a space or a comma near ``room`` if there is one."""
    hard = start + max(room, 1)
    if hard >= len(plain):
        return len(plain)
    soft = max(plain.rfind(" ", start, hard + 1), plain.rfind(",", start, hard) + 1)
    return soft if soft > start + room // 2 else hard
