"""The selected entry: its titles and notes, both snippets side by side, and the verdict.

The notes are the knowledge base's most valuable part, so they are never cut:
they sit in a pane of their own that scrolls (Tab reaches it; ↑/↓, PgUp/PgDn,
Home/End), and the entry's "See also" links follow them (Enter or a click shows
the linked entry).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Container, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from fwcheat.frameworks import FRAMEWORKS, label
from fwcheat.sanitize import safe_line, safe_text
from fwcheat.tui.kernels import SIDES
from fwcheat.tui.widgets.snippet_pane import SnippetPane

if TYPE_CHECKING:
    from fwcheat.compare import Verdict
    from fwcheat.knowledge.model import Entry


def describe(entry: Entry, shown: list[str] | None = None) -> Text:
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
    others = [fw for fw in FRAMEWORKS if entry.snippets.get(fw) is not None and fw not in (shown or [])]
    if shown is not None and others:
        text.append(f"\nAlso in {', '.join(label(fw) for fw in others)}: ", style="bold")
        text.append("F3 switches the focused pane, F4 shows all side by side", style="dim")
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

    def show(self, entry: Entry, shown: list[str] | None = None) -> None:
        self.query_one("#notes-text", Static).update(describe(entry, shown))
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


def verdict_text(
    verdict: Verdict | None, waiting: str = "", verdicts: Mapping[str, Verdict] | None = None
) -> Text:
    """One line per framework compared with the reference (or the one verdict), then ``waiting``."""
    if verdict is None:
        return Text(waiting, style="dim")
    lines = []
    for one in (verdicts or {}).values() or [verdict]:
        reference, other = one.frameworks
        named = f" ({label(other)} vs {label(reference)})" if reference and other else ""
        ok = f"✔ agree{named}"
        mark, style = (ok, "bold green") if one.ok else (f"✘ {one.agreement.value}{named}", "bold red")
        line = Text(mark, style=style)
        line.append(f"  {safe_text(one.message)}")
        lines.append(line)
    if not lines:
        lines.append(verdict_text(verdict))
    if waiting:
        lines.append(Text(waiting, style="bold red" if waiting.startswith("✘") else "dim"))
    return Text("\n").join(lines)


class PairView(Vertical):
    """Notes on top, then the PyTorch and MXNet panes (side by side when wide), then the verdict."""

    class Mounted(Message):
        """The pair view is on screen (it is mounted after the first frame)."""

    def __init__(self, frameworks: list[str] | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entry: Entry | None = None
        #: The frameworks with a pane, in order.
        self.frameworks: list[str] = list(frameworks or SIDES)

    def on_mount(self) -> None:
        self.post_message(self.Mounted())

    def compose(self) -> ComposeResult:
        yield NotesPane(id="notes")
        with Container(id="sides"):
            for framework in self.frameworks:
                yield SnippetPane(framework, id=f"side-{framework}")
        yield Static("", id="verdict")

    def side(self, framework: str) -> SnippetPane:
        return self.query_one(f"#side-{framework}", SnippetPane)

    def set_frameworks(self, frameworks: list[str]) -> None:
        """Panes for these frameworks, in this order; panes kept keep their output."""
        sides = self.query_one("#sides", Container)
        for pane in list(sides.query(SnippetPane)):
            if pane.framework not in frameworks:
                pane.remove()
        self.frameworks = list(frameworks)
        for index, framework in enumerate(frameworks):
            if sides.query(f"#side-{framework}"):
                continue
            pane = SnippetPane(framework, id=f"side-{framework}")
            later = [fw for fw in frameworks[index + 1 :] if sides.query(f"#side-{fw}")]
            if later:
                sides.mount(pane, before=f"#side-{later[0]}")
            else:
                sides.mount(pane)

    def show(self, entry: Entry, edits: dict[str, str]) -> None:
        """Show ``entry``; ``edits`` are the session's edits of its snippets, by framework."""
        self.entry = entry
        self.query_one(NotesPane).show(entry, self.frameworks)
        for framework in self.frameworks:
            snippet = entry.snippets.get(framework)
            # Shown (and run) with control characters made visible: an editor must not emit them.
            code = safe_text(snippet.code) if snippet else None
            self.side(framework).load(entry.id, code, edits.get(framework))
        self.set_verdict(None, self.waiting_text())

    def waiting_text(self) -> str:
        if self.entry is None or not self.entry.compare:
            return "no `compare` variable: outputs only" if self.entry else ""
        return f"run all (ctrl+t) to compare `{self.entry.compare}`"

    def set_verdict(
        self, verdict: Verdict | None, waiting: str = "", verdicts: Mapping[str, Verdict] | None = None
    ) -> None:
        self.query_one("#verdict", Static).update(verdict_text(verdict, waiting, verdicts))
