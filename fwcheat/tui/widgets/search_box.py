"""The search box: what the user types is searched on every keystroke."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import Input


class SearchBox(Input):
    """A one-line query input; the app searches on each ``Input.Changed``; Up/Down move the list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "app.list_move(-1)", "Previous entry", show=False),
        Binding("down", "app.list_move(1)", "Next entry", show=False),
        Binding("tab", "app.focus_list", "Go to the list", show=False),
    ]

    DEFAULT_CSS = """
    SearchBox { width: 1fr; }
    """

    def __init__(self, value: str = "", *, id: str | None = None) -> None:
        super().__init__(
            value=value,
            placeholder="Search: English, 中文 or an API name (attach_grad, nd.concat, view) …",
            id=id,
            compact=True,
        )
