"""`fwcheat tui --scan FILE`: the user's file with its findings marked, and the list of findings.

Highlighting a finding scrolls the file to it and tells the app, which shows
the finding's entry in the pair view, ready to run. Text from the file is
escaped before it is drawn (a control character shows as ``\\x1b``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from fwcheat.scan.formats import escape

if TYPE_CHECKING:
    from fwcheat.scan.report import Finding, ScanReport
    from fwcheat.scan.sources import Source, Unreadable


def file_lines(source: Source) -> tuple[list[str], dict[tuple[int | None, int], int]]:
    """The lines to draw (notebook cells one after another, each under a header) and where each
    (cell, line) of the source is among them (1-based)."""
    lines: list[str] = []
    where: dict[tuple[int | None, int], int] = {}
    for cell, code in source.cells:
        if cell is not None:
            lines.append(f"# ── cell {cell} ──")
        for number, line in enumerate(code.split("\n"), start=1):
            lines.append(escape(line.expandtabs(4)))
            where[(cell, number)] = len(lines)
    return lines, where


class ScanView(Vertical):
    """The scanned file (findings' lines marked) above the list of findings."""

    class FindingHighlighted(Message):
        """The highlighted finding changed."""

        def __init__(self, finding: Finding) -> None:
            super().__init__()
            self.finding = finding

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.findings: list[Finding] = []
        self.lines: list[str] = []
        self._where: dict[tuple[int | None, int], int] = {}

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="scan-file"):
            yield Static("scanning…", id="scan-source")
        yield OptionList(id="scan-findings")

    @property
    def findings_list(self) -> OptionList:
        return self.query_one("#scan-findings", OptionList)

    def show(self, source: Source, report: ScanReport, problems: list[Unreadable]) -> None:
        self.findings = [f for file in report.files for f in file.findings]
        self.lines, self._where = file_lines(source)
        marked = {self._where.get((f.cell, f.line), 0) for f in self.findings}
        syntax = Syntax(
            "\n".join(self.lines),
            "python",
            line_numbers=True,
            highlight_lines=marked,
            word_wrap=False,
            theme="ansi_dark",
        )
        self.query_one("#scan-source", Static).update(syntax)
        file_box = self.query_one("#scan-file")
        file_box.border_title = escape(source.path)
        summary = report.summary()
        file_box.border_subtitle = f"{summary.uses} uses · {summary.share:.0%} mapped"
        options = [Option(self._label(f)) for f in self.findings]
        options += [Option(Text(f"✘ {escape(p.message)}", style="red"), disabled=True) for p in problems]
        findings = self.findings_list
        findings.set_options(options)
        findings.border_title = "findings"
        if self.findings:
            findings.highlighted = 0

    def show_problem(self, path: str, reason: str) -> None:
        """The file could not be scanned: say why where the file would be."""
        self.query_one("#scan-source", Static).update(Text(f"cannot scan {path}: {reason}", style="red"))
        self.query_one("#scan-file").border_title = path

    @staticmethod
    def _label(finding: Finding) -> Text:
        where = f"cell {finding.cell} " if finding.cell is not None else ""
        label = Text(f"{where}{finding.line}:{finding.col} ", style="dim")
        label.append(escape(finding.api), style="bold" if finding.entry else "bold yellow")
        label.append(f"  → {finding.entry}" if finding.entry else "  (no entry yet)", style="cyan")
        return label

    def display_line(self, finding: Finding) -> int:
        """Where ``finding`` is among the drawn lines (1-based)."""
        return self._where.get((finding.cell, finding.line), 1)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if 0 <= event.option_index < len(self.findings):
            finding = self.findings[event.option_index]
            file_box = self.query_one("#scan-file", VerticalScroll)
            file_box.scroll_to(y=max(self.display_line(finding) - 4, 0), animate=False)
            self.post_message(self.FindingHighlighted(finding))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
