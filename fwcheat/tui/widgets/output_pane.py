"""Where a snippet's output streams in: wrapped to the pane, merged into a few repaints per second.

Output events arrive one per kernel message, which can be thousands a second
(a print in a loop). The first one after a quiet spell is shown at once; what
follows within :data:`FLUSH_INTERVAL` is buffered and written in one go, so a
flood costs a handful of repaints instead of freezing the screen. The engine
cuts a run's output at a cap and says so.

Nothing is cut at the pane's edge: a long line (a traceback's message, a
tensor) wraps, and each continuation row starts with :data:`CONTINUATION`.
The pane keeps the text as printed and wraps it again when its width changes.
"""

from __future__ import annotations

import time

from textual.events import Resize
from textual.timer import Timer
from textual.widgets import Log

from fwcheat.sanitize import safe_text

#: How long output may wait before it is shown (seconds).
FLUSH_INTERVAL = 1 / 20
#: Lines kept on screen per pane.
MAX_LINES = 5000
#: Starts each row that continues the line above it.
CONTINUATION = "↪ "


def wrap_line(line: str, width: int) -> list[str]:
    """``line`` cut into rows of at most ``width`` cells, continuation rows marked."""
    line = line.expandtabs(4)
    if width <= len(CONTINUATION) + 1 or len(line) <= width:
        return [line]
    rows = [line[:width]]
    rest, step = line[width:], width - len(CONTINUATION)
    while rest:
        rows.append(CONTINUATION + rest[:step])
        rest = rest[step:]
    return rows


class OutputPane(Log):
    """A framework's output: streamed text and a one-line status as the border title."""

    DEFAULT_CSS = """
    OutputPane { height: 1fr; min-height: 3; border: round $panel; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(max_lines=MAX_LINES, id=id)
        self._pending: list[str] = []
        self._printed: list[str] = []  # complete lines as printed
        self._tail = ""  # the last line, until its newline arrives (shown at the final flush)
        self._timer: Timer | None = None
        self._queued = False
        self._last_flush = 0.0
        self._wrapped_at = 0
        self.border_title = "output"

    def feed(self, text: str) -> None:
        """Queue ``text`` (escape sequences made visible); it appears within :data:`FLUSH_INTERVAL`."""
        self._pending.append(safe_text(text))
        if self._timer is not None or self._queued:
            return
        quiet = time.monotonic() - self._last_flush
        if quiet >= FLUSH_INTERVAL:
            self._queued = True
            self.call_later(self.flush)
        else:
            self._timer = self.set_timer(FLUSH_INTERVAL - quiet, self.flush)

    def _wrap_width(self) -> int:
        return max(self.scrollable_content_region.width - 1, 8)

    def flush(self) -> None:
        """Show what is queued; a line without its newline yet is shown too (it may grow)."""
        if self._timer is not None:
            self._timer.stop()
        self._timer = None
        self._queued = False
        self._last_flush = time.monotonic()
        if not self._pending:
            return
        text, self._pending = self._tail + "".join(self._pending), []
        *complete, self._tail = text.split("\n")
        self._printed.extend(complete)
        del self._printed[:-MAX_LINES]
        self._redraw()

    def _rows(self) -> list[str]:
        width = self._wrap_width()
        lines = self._printed + ([self._tail] if self._tail else [])
        return [row for line in lines for row in wrap_line(line, width)]

    def _redraw(self) -> None:
        self._wrapped_at = self._wrap_width()
        super().clear()
        rows = self._rows()
        if rows:
            self.write_lines(rows)

    def on_resize(self, event: Resize) -> None:
        if (self._printed or self._tail) and self._wrap_width() != self._wrapped_at:
            self._redraw()

    def reset(self, title: str = "output") -> None:
        self._pending.clear()
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._printed, self._tail = [], ""
        super().clear()
        self.border_title = title

    @property
    def text(self) -> str:
        """Everything printed so far (and what is about to be), unwrapped."""
        shown = "\n".join([*self._printed, self._tail])
        return shown + "".join(self._pending)
