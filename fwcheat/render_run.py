"""Rich rendering of run results and verify reports for the command line.

The engine (:mod:`fwcheat.kernels`, :mod:`fwcheat.verify`) returns data; this
module turns it into text: the two outputs side by side (stacked on narrow
terminals) with timing and the comparison verdict, one line per verified
entry, and the summary table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from fwcheat import run_cards
from fwcheat.compare import Verdict
from fwcheat.kernels.base import ExecutionResult, Status
from fwcheat.knowledge.model import FRAMEWORK_LABELS
from fwcheat.outputs import strip_ansi
from fwcheat.sanitize import safe_line, safe_text
from fwcheat.verify import FAIL, PASS, SKIP, EntryReport

#: Below this many columns the two outputs are stacked instead of side by side.
SIDE_BY_SIDE_MIN_WIDTH = run_cards.SIDE_BY_SIDE_MIN_WIDTH

STATUS_STYLE = {PASS: "green", FAIL: "bold red", SKIP: "yellow"}
#: Each run status's style (the table lives in run_cards, which draws without rich).
RUN_STYLE = {status: run_cards.RUN_STYLE[status.value] for status in Status}


def result_text(result: ExecutionResult) -> Text:
    """Everything a run printed, stderr dimmed, the error traceback in red.

    What a snippet prints is shown, never obeyed: escape sequences are made visible.
    """
    text = Text()
    for event in result.events:
        if event.kind == "stdout":
            text.append(safe_text(event.text))
        elif event.kind == "stderr":
            text.append(safe_text(event.text), style="dim yellow")
        elif event.kind in ("result", "display"):
            text.append(safe_text(event.text.rstrip("\n")) + "\n", style="cyan")
        elif event.kind == "image":
            text.append(f"[image saved to {safe_line(event.text)}]\n", style="blue")
    if result.error is not None and result.status is Status.ERROR:
        tb = [safe_text(strip_ansi(line)) for line in result.error.traceback]
        error = "\n".join(tb).strip("\n") + "\n" if tb else f"{safe_text(str(result.error))}\n"
        text.append(error, style="red")
    if result.reason and result.status is not Status.ERROR:
        text.append(safe_text(result.reason) + "\n", style=RUN_STYLE[result.status])
    text.rstrip()
    return text


def result_panel(framework: str, result: ExecutionResult) -> Panel:
    label = FRAMEWORK_LABELS.get(framework, framework)
    if result.error is not None and result.error.name == "KernelUnavailable":
        subtitle = "not run: framework unavailable"  # it never started, so no status or time
    else:
        subtitle = f"{result.status.value} · {result.duration * 1000:.0f} ms"
    if result.truncated:
        subtitle += " · output cut"
    return Panel(
        result_text(result),
        title=label,
        title_align="left",
        subtitle=subtitle,
        subtitle_align="right",
        border_style=RUN_STYLE[result.status],
    )


def verdict_text(verdict: Verdict) -> Text:
    style = "green" if verdict.ok else "bold red"
    reference, framework = verdict.frameworks
    which = f" {FRAMEWORK_LABELS.get(framework, framework)} vs {FRAMEWORK_LABELS.get(reference, reference)}"
    text = Text(f"compare{which if framework else ''}: ", style="bold")
    text.append(f"{verdict.agreement.value}", style=style)
    text.append(f" — {safe_text(verdict.message)}")
    if verdict.shapes[0] is not None:
        text.append(
            f"\n  shapes {verdict.shapes[0]} / {verdict.shapes[1]}, "
            f"dtypes {verdict.dtypes[0]} / {verdict.dtypes[1]}",
            style="dim",
        )
    return text


def print_results(
    console: Console,
    results: dict[str, ExecutionResult],
    verdict: Verdict | Mapping[str, Verdict] | None = None,
    wall: float | None = None,
) -> None:
    """The outputs side by side (stacked when narrow), then the verdict (or each framework's)."""
    panels = [result_panel(fw, r) for fw, r in results.items()]
    # Side by side when each panel keeps at least half the two-panel width.
    if len(panels) > 1 and console.width >= SIDE_BY_SIDE_MIN_WIDTH * len(panels) // 2:
        grid = Table.grid(expand=True, padding=(0, 1))
        for _ in panels:
            grid.add_column(ratio=1)
        grid.add_row(*panels)
        console.print(grid)
    else:
        for panel in panels:
            console.print(panel)
    verdicts = [verdict] if isinstance(verdict, Verdict) else list((verdict or {}).values())
    for one in verdicts:
        console.print(verdict_text(one))
    if wall is not None:
        console.print(f"wall time {wall * 1000:.0f} ms", style="dim")


def write_results(
    title: str,
    entry_id: str,
    device: str,
    results: dict[str, ExecutionResult],
    wall: float,
    verdicts: Mapping[str, Verdict] | None = None,
) -> None:
    """What `fwcheat run` prints on stdout: the entry's title line, then :func:`print_results`."""
    out = Console(highlight=False)
    out.print(Text(safe_line(title)) + Text(f"  {entry_id} · device {device}", style="dim"))
    print_results(out, results, verdicts, wall)


def report_line(report: EntryReport) -> Text:
    """One line for an entry: status, id, time, first problem."""
    text = Text()
    text.append(f"{report.status.upper():4} ", style=STATUS_STYLE[report.status])
    text.append(report.entry_id)
    text.append(f"  {report.duration:.2f}s", style="dim")
    if report.skipped:
        text.append(f"  ({report.skipped})", style="yellow")
    elif report.problems:
        text.append(f"  {safe_line(report.problems[0])}", style="red")
    for warning in report.warnings:
        text.append(f"  warning: {safe_line(warning)}", style="yellow")
    return text


def report_details(report: EntryReport) -> RenderableType:
    """What went wrong in a failed entry: each problem, diffs, tracebacks."""
    parts: list[RenderableType] = [Text(report.entry_id, style="bold red")]
    for fw, check in report.checks.items():
        if check.passed:
            continue
        label = FRAMEWORK_LABELS.get(fw, fw)
        parts.append(Text(f"  {label}: {safe_text(check.problem)}", style="red"))
        if check.diff:
            parts.append(Text("\n".join("    " + safe_line(line) for line in check.diff.splitlines())))
        elif check.result.status is not Status.OK:
            body = result_text(check.result)
            body.pad_left(4)
            parts.append(Text("\n".join("    " + line for line in body.plain.splitlines()[-15:])))
    for verdict in report.verdicts.values():
        if not verdict.ok:
            parts.append(Text("  ") + verdict_text(verdict))
    return Group(*parts)


def summary_line(reports: Sequence[EntryReport], wall: float | None = None) -> str:
    """The totals in one plain line, for a pipe or a file (no box drawing)."""
    counts = {s: sum(r.status == s for r in reports) for s in (PASS, FAIL, SKIP)}
    text = f"fwcheat verify: {len(reports)} total, " + ", ".join(
        f"{counts[s]} {s}" for s in (PASS, FAIL, SKIP)
    )
    return text + (f" ({wall:.1f} s)" if wall is not None else "")


def summary_table(reports: Sequence[EntryReport], wall: float | None = None) -> Table:
    counts = {s: sum(r.status == s for r in reports) for s in (PASS, FAIL, SKIP)}
    table = Table(title="fwcheat verify", title_justify="left")
    table.add_column("result")
    table.add_column("entries", justify="right")
    for status in (PASS, FAIL, SKIP):
        table.add_row(Text(status, style=STATUS_STYLE[status]), str(counts[status]))
    table.add_row("total", str(len(reports)), end_section=True)
    if wall is not None:
        table.caption = f"{wall:.1f} s"
    return table
