"""The results list: two lines per entry (title; Chinese title and category), from display cards."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.events import Resize
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from fwcheat.sanitize import safe_line

if TYPE_CHECKING:
    from fwcheat.knowledge.card import Card


def entry_label(entry: Card, width: int) -> Text:
    """Title on the first line, 中文 title and category on the second, cut to ``width`` cells."""
    width = max(width, 10)
    title = Text(safe_line(entry.title), style="bold")
    title.truncate(width, overflow="ellipsis")
    second = Text(safe_line(entry.title_zh))
    second.append(f"  [{safe_line(entry.category)}]", style="dim")
    second.truncate(width, overflow="ellipsis")
    return Text("\n").join([title, second])


class ResultsList(OptionList):
    """Entries matching the query; highlighting one shows it in the pair view."""

    DEFAULT_CSS = """
    ResultsList { height: 1fr; }
    """

    class EntryHighlighted(Message):
        """The highlighted entry changed (keyboard, mouse or new results)."""

        def __init__(self, card: Card) -> None:
            super().__init__()
            self.card = card

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.cards: list[Card] = []
        self.query_shown: str | None = None
        self._label_width = 0

    def _width(self) -> int:
        return max(self.scrollable_content_region.width - 2, 10)

    def show(self, query: str, cards: list[Card]) -> None:
        """Replace the list; keep the same entry highlighted when it is still there."""
        current = self.current_card
        same = [c.id for c in cards] == [c.id for c in self.cards]
        self.cards = list(cards)
        self.query_shown = query
        if same and self.option_count == len(cards):
            return  # typing on often keeps the same results: nothing to redraw
        self._fill()
        if not self.cards:
            self.border_subtitle = "no match"
            return
        self.border_subtitle = f"{len(self.cards)} {'entry' if len(self.cards) == 1 else 'entries'}"
        ids = [e.id for e in self.cards]
        keep = current is not None and query == "" and current.id in ids
        self.highlighted = ids.index(current.id) if keep and current is not None else 0

    def _fill(self) -> None:
        self._label_width = self._width()
        highlighted = self.highlighted
        self.set_options([Option(entry_label(e, self._label_width), id=e.id) for e in self.cards])
        if highlighted is not None and highlighted < len(self.cards):
            self.highlighted = highlighted

    def on_resize(self, event: Resize) -> None:
        if self.cards and self._width() != self._label_width:
            self._fill()

    @property
    def current_card(self) -> Card | None:
        index = self.highlighted
        if index is None or not 0 <= index < len(self.cards):
            return None
        return self.cards[index]

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if 0 <= event.option_index < len(self.cards):
            self.post_message(self.EntryHighlighted(self.cards[event.option_index]))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self.cards):
            self.post_message(self.EntryHighlighted(self.cards[event.option_index]))
