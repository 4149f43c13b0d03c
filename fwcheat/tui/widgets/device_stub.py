"""What the device selector looks like, drawn as one line until the real one is mounted.

A compact :class:`~textual.widgets.Select` is six widgets (one of them a hidden
option list) and two stylesheets of its own: about a fifth of the time Textual
spends on the first frame. The app shows this stand-in there instead and swaps
in the real Select just after that frame; both draw the same cells.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


class DeviceStub(Static):
    """The current device's label and the down arrow, as the collapsed compact Select draws them."""

    # The compact Select: SelectCurrent's colours and right padding; its arrow is `$foreground 50%`.
    DEFAULT_CSS = """
    DeviceStub { background: $surface; color: $foreground; padding: 0 1 0 0; }
    """

    def __init__(self, label: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.label = label

    def render(self) -> Content:
        width = max(self.content_region.width - 2, 0)  # the arrow: one cell, one of padding before it
        return Content(self.label[:width].ljust(width)) + Content.from_markup(" [$foreground 50%]▼")
