"""`fwcheat port SRC.py --tui`: the Gluon source and its PyTorch draft side by side.

Flagged lines are marked on both sides (the source line, and the draft's TODO comment), and the list
under them gives each flagged line's API, entry and trap; highlighting one scrolls both files to it.
Text from the file is escaped before it is drawn. Needs no kernel: the port itself is pure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from fwcheat.scan.formats import escape

if TYPE_CHECKING:
    from fwcheat.port.report import PortReport

_MARK = "on #5f3f00"
TODO = "# fwcheat: TODO("


def numbered(code: str, marked: set[int]) -> Text:
    """``code`` with line numbers, escaped, the ``marked`` lines (1-based) on a highlight."""
    text = Text(no_wrap=True)
    lines = code.split("\n")
    width = len(str(len(lines)))
    for number, line in enumerate(lines, start=1):
        style = _MARK if number in marked else ""
        text.append(f"{number:>{width}} ", style="dim")
        text.append(escape(line.expandtabs(4)) + "\n", style=style)
    return text


def draft_todo_lines(draft: str) -> list[int]:
    """The draft's lines (1-based) that hold a ``# fwcheat: TODO`` comment, in order."""
    return [n for n, line in enumerate(draft.split("\n"), start=1) if line.lstrip().startswith(TODO)]


class PortApp(App[None]):
    """Source | draft, the flagged lines listed below."""

    TITLE = "fwcheat port"
    CSS = """
    #port-files { height: 1fr; }
    #port-files VerticalScroll { width: 1fr; border: round $primary; }
    #port-flags { height: 12; border: round $warning; }
    """
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("q", "quit", "quit")
    ]

    def __init__(self, source: str, draft: str, report: PortReport) -> None:
        super().__init__()
        self.source_code = source
        self.draft_code = draft
        self.report = report
        self.flagged = [e for e in report.edits if e.flagged]

    def compose(self) -> ComposeResult:
        todo = set(draft_todo_lines(self.draft_code))
        with Horizontal(id="port-files"):
            with VerticalScroll(id="port-source-scroll"):
                yield Static(numbered(self.source_code, set(self.report.flagged_lines)), id="port-source")
            with VerticalScroll(id="port-draft-scroll"):
                yield Static(numbered(self.draft_code, todo), id="port-draft")
        options = [
            Option(
                f"line {e.line}: {escape(e.api)} [{escape(e.entry or 'no entry')}] {escape(e.note)}",
                id=str(i),
            )
            for i, e in enumerate(self.flagged)
        ]
        if not options:
            s = self.report.summary()
            options = [Option(f"nothing flagged: {s['lines_translated']} lines translated", disabled=True)]
        yield OptionList(*options, id="port-flags")
        yield Footer()

    def on_mount(self) -> None:
        s = self.report.summary()
        counts = f"{s['lines_translated']} lines translated, {s['lines_flagged']} flagged"
        self.sub_title = f"{escape(self.report.source)}: {counts}"
        self.query_one(OptionList).focus()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_id is None:
            return
        index = int(event.option_id)
        edit = self.flagged[index]
        self.query_one("#port-source-scroll", VerticalScroll).scroll_to(
            y=max(edit.line - 3, 0), animate=False
        )
        todo = draft_todo_lines(self.draft_code)
        # One TODO comment per flagged edit, in the order of the source lines.
        rank = sum(1 for e in self.flagged if e.line < edit.line)
        if rank < len(todo):
            draft_scroll = self.query_one("#port-draft-scroll", VerticalScroll)
            draft_scroll.scroll_to(y=max(todo[rank] - 3, 0), animate=False)
