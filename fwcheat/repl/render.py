"""How the REPL draws what a cell printed, its value, its traceback and search hits.

Output streams as it arrives (a loop that prints shows its progress); the
value and any traceback are drawn when the cell ends. Tracebacks come from
IPython already coloured with ANSI codes, which rich turns back into styles,
so they look as in Jupyter and degrade to plain text without a terminal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from fwcheat.kernels.base import ExecutionResult, OutputEvent, Status
from fwcheat.knowledge.model import FRAMEWORK_LABELS
from fwcheat.repl.commands import COMMAND_SPECS
from fwcheat.sanitize import safe_ansi, safe_line, safe_text

if TYPE_CHECKING:
    from fwcheat.search import Hit


class CellPrinter:
    """Prints one cell's output as it streams in, then how the cell ended."""

    def __init__(self, console: Console, count: int) -> None:
        self.console = console
        self.count = count
        self._at_line_start = True

    def _write(self, text: str, style: str = "") -> None:
        if not text:
            return
        # What a kernel prints is shown, never obeyed by the terminal.
        self.console.print(Text(safe_text(text), style=style), end="", soft_wrap=True)
        self._at_line_start = text.endswith("\n")
        self.console.file.flush()

    def _newline(self) -> None:
        if not self._at_line_start:
            self._write("\n")

    def on_output(self, event: OutputEvent) -> None:
        if event.kind == "stdout":
            self._write(event.text)
        elif event.kind == "stderr":
            self._write(event.text, "yellow")
        elif event.kind == "display":
            self._newline()
            self._write(event.text.rstrip("\n") + "\n")
        elif event.kind == "image":
            self._newline()
            self._write(f"[image saved to {event.text}]\n", "dim")
        elif event.kind == "result":
            self._newline()
            prompt = f"Out[{self.count}]: "
            value = Text(prompt, style="bold red")
            value.append(safe_text(event.text.rstrip("\n")))
            self.console.print(value, soft_wrap=True)
            self._at_line_start = True
        # "error" events are drawn from the full traceback when the cell ends.

    def finish(self, result: ExecutionResult) -> None:
        self._newline()
        if result.status is Status.ERROR and result.error is not None:
            if result.error.traceback:
                traceback = safe_ansi("\n".join(result.error.traceback))
                self.console.print(Text.from_ansi(traceback), soft_wrap=True)
            else:
                self.console.print(Text(safe_text(str(result.error)), style="bold red"), soft_wrap=True)
        elif result.status is Status.INTERRUPTED:
            self.console.print(
                Text(
                    "KeyboardInterrupt: the cell was interrupted; the kernel keeps its state",
                    style="bold red",
                )
            )
        elif result.status is Status.TIMED_OUT:
            self.console.print(Text(f"timed out: {result.reason}", style="bold red"))
        elif result.status is Status.DIED:
            why = result.reason or (str(result.error) if result.error else "the kernel died")
            self.console.print(Text(f"kernel died: {safe_text(why)}", style="bold red"))
        if result.truncated:
            self.console.print(Text("(output cut: too much of it)", style="dim"))


def print_note(console: Console, message: str, style: str = "dim") -> None:
    console.print(Text(safe_text(message), style=style))


def print_error(console: Console, message: str) -> None:
    console.print(Text(safe_text(message), style="bold red"))


def print_hits_compact(console: Console, hits: Sequence[Hit], framework: str) -> None:
    """One line per hit: id, titles and the first line of this framework's snippet."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    for hit in hits:
        entry = hit.entry
        line = Text(safe_line(entry.title))
        line.append(f"  {safe_line(entry.title_zh)}", style="cyan")
        snippet = entry.snippets.get(framework)
        if snippet is not None:
            first = next((s.strip() for s in snippet.code.splitlines() if s.strip()), "")
            line.append(f"\n{safe_line(first)}", style="green")
        else:
            line.append(f"\n(no {FRAMEWORK_LABELS.get(framework, framework)} snippet)", style="dim")
        table.add_row(entry.id, line)
    console.print(table)
    print_note(console, ":show ID to read one, :load ID to edit and run it, :run ID to run it")


def print_help(console: Console) -> None:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    for spec in COMMAND_SPECS:
        table.add_row(spec.usage, spec.help)
    console.print(table)
    console.print(
        Text(
            "Enter runs a complete block (a compound statement ends with a blank line); "
            "Esc then Enter runs it as it is. Tab completes. Ctrl-C interrupts a running cell "
            "(twice: restarts the kernel); Ctrl-D quits.",
            style="dim",
        )
    )
