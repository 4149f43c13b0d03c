"""Where a snippet's output streams in, merged into a few repaints per second.

Output events arrive one per kernel message, which can be thousands a second
(a print in a loop). The first one after a quiet spell is shown at once; what
follows within :data:`FLUSH_INTERVAL` is buffered and written in one go, so a
flood costs a handful of repaints instead of freezing the screen. The engine
cuts a run's output at a cap and says so.
"""

from __future__ import annotations

import time

from textual.timer import Timer
from textual.widgets import Log

from fwcheat.sanitize import safe_text

#: How long output may wait before it is shown (seconds).
FLUSH_INTERVAL = 1 / 20
#: Lines kept on screen per pane.
MAX_LINES = 5000


class OutputPane(Log):
    """A framework's output: streamed text and a one-line status as the border title."""

    DEFAULT_CSS = """
    OutputPane { height: 1fr; min-height: 3; border: round $panel; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(max_lines=MAX_LINES, id=id)
        self._pending: list[str] = []
        self._timer: Timer | None = None
        self._queued = False
        self._last_flush = 0.0
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

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = None
        self._queued = False
        self._last_flush = time.monotonic()
        if self._pending:
            text, self._pending = "".join(self._pending), []
            self.write(text)

    def reset(self, title: str = "output") -> None:
        self._pending.clear()
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.clear()
        self.border_title = title

    @property
    def text(self) -> str:
        """Everything shown so far (and what is about to be)."""
        return "\n".join(self.lines) + "".join(self._pending)
