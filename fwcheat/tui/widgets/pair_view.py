"""The selected entry: its titles and notes, both snippets side by side, and the verdict.

The notes are the knowledge base's most valuable part, so they are never cut:
they sit in a pane of their own that scrolls (Tab reaches it; ↑/↓, PgUp/PgDn,
Home/End), and the entry's "See also" links follow them (Enter or a click shows
the linked entry).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Container, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from fwcheat.sanitize import safe_line, safe_text
from fwcheat.tui.kernels import SIDES
from fwcheat.tui.widgets.snippet_pane import SnippetPane

if TYPE_CHECKING:
    from fwcheat.compare import Verdict
    from fwcheat.knowledge.model import Entry


def describe(entry: Entry) -> Text:
    text = Text()
    text.append(safe_line(entry.title), style="bold")
    text.append(f"  {safe_line(entry.title_zh)}", style="bold")
    text.append(f"  [{entry.category}] {entry.id}\n", style="dim")
    text.append(safe_text(entry.summary.strip()))
    for note in entry.notes:
        text.append("\n • ", style="yellow")
        text.append(safe_text(note.strip()))
    if entry.compare:
        text.append(f"\ncompare: {entry.compare}", style="dim")
    if entry.gpus:
        text.append(f"   needs {entry.gpus} GPU{'s' if entry.gpus > 1 else ''}", style="dim")
    if entry.see_also:
        text.append("\nSee also (Enter on one shows it):", style="bold")
    return text


class NotesPane(VerticalScroll):
    """The entry's description and notes, scrollable, then its "See also" links."""

    can_focus = True

    class SeeAlsoChosen(Message):
        """The user picked a "See also" link."""

        def __init__(self, entry_id: str) -> None:
            super().__init__()
            self.entry_id = entry_id

    def compose(self) -> ComposeResult:
        yield Static("Type to search; ↑/↓ picks an entry.", id="notes-text")
        yield OptionList(id="see-also")

    def on_mount(self) -> None:
        self.query_one("#see-also").display = False

    def show(self, entry: Entry) -> None:
        self.query_one("#notes-text", Static).update(describe(entry))
        links = self.query_one("#see-also", OptionList)
        links.set_options([Option(f"→ {target}", id=target) for target in entry.see_also])
        links.display = bool(entry.see_also)
        if entry.see_also:
            links.highlighted = 0
        self.scroll_home(animate=False)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.SeeAlsoChosen(event.option.id))


def verdict_text(verdict: Verdict | None, waiting: str = "") -> Text:
    if verdict is None:
        return Text(waiting, style="dim")
    mark, style = ("✔ agree", "bold green") if verdict.ok else (f"✘ {verdict.agreement.value}", "bold red")
    text = Text(mark, style=style)
    text.append(f"  {safe_text(verdict.message)}")
    return text


class PairView(Vertical):
    """Notes on top, then the PyTorch and MXNet panes (side by side when wide), then the verdict."""

    class Mounted(Message):
        """The pair view is on screen (it is mounted after the first frame)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entry: Entry | None = None

    def on_mount(self) -> None:
        self.post_message(self.Mounted())

    def compose(self) -> ComposeResult:
        yield NotesPane(id="notes")
        with Container(id="sides"):
            for framework in SIDES:
                yield SnippetPane(framework, id=f"side-{framework}")
        yield Static("", id="verdict")

    def side(self, framework: str) -> SnippetPane:
        return self.query_one(f"#side-{framework}", SnippetPane)

    def show(self, entry: Entry, edits: dict[str, str]) -> None:
        """Show ``entry``; ``edits`` are the session's edits of its snippets, by framework."""
        self.entry = entry
        self.query_one(NotesPane).show(entry)
        for framework in SIDES:
            snippet = entry.snippets.get(framework)
            # Shown (and run) with control characters made visible: an editor must not emit them.
            code = safe_text(snippet.code) if snippet else None
            self.side(framework).load(entry.id, code, edits.get(framework))
        self.set_verdict(None, self.waiting_text())

    def waiting_text(self) -> str:
        if self.entry is None or not self.entry.compare:
            return "no `compare` variable: outputs only" if self.entry else ""
        return f"run both (ctrl+t) to compare `{self.entry.compare}`"

    def set_verdict(self, verdict: Verdict | None, waiting: str = "") -> None:
        self.query_one("#verdict", Static).update(verdict_text(verdict, waiting))
