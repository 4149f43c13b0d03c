"""Rich rendering of entries and search results for the command line.

On a terminal: a title line, the snippets side by side in panels with syntax
highlighting (stacked when the terminal is narrow), then the notes. Into a
pipe or file: the same content as plain text, easy to grep or paste. Colour
follows rich's rules, so ``NO_COLOR`` is honoured.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.panel import Panel
from rich.segment import Segment
from rich.text import Text

from fwcheat.frameworks import FRAMEWORK_LABELS
from fwcheat.knowledge.card import Card
from fwcheat.layout import CONTINUATION, PANEL_CHROME, SIDE_BY_SIDE_MIN_WIDTH, code_row_breaks
from fwcheat.sanitize import safe_line, safe_text

if TYPE_CHECKING:
    from rich.measure import Measurement

    from fwcheat.knowledge.model import Entry
    from fwcheat.search import Hit


def as_card(entry: Entry | Card) -> Card:
    return entry if isinstance(entry, Card) else Card.from_entry(entry)


def safe_card(entry: Entry | Card) -> Card:
    """``entry`` as a card whose every text is safe to print (escape sequences shown, not obeyed)."""
    card = as_card(entry)
    return card.replace(
        id=safe_line(card.id),
        title=safe_line(card.title),
        title_zh=safe_line(card.title_zh),
        category=safe_line(card.category),
        summary=safe_text(card.summary),
        notes=tuple(safe_text(note) for note in card.notes),
        snippets=tuple((fw, safe_text(code)) for fw, code in card.snippets),
        see_also=tuple(safe_line(other) for other in card.see_also),
    )


def _snippets(
    entry: Card,
    framework: str | None,
    pair: tuple[str, str] | None = None,
    matched: Sequence[str] = (),
) -> tuple[list[tuple[str, str]], list[str]]:
    """The (framework, code) pairs to show, and the entry's other frameworks (not shown)."""
    pairs = [(fw, code.rstrip("\n")) for fw, code in entry.snippets]
    if framework is None and pair is None:
        return pairs, []
    from fwcheat.pair import shown_and_others

    shown, others = shown_and_others([fw for fw, _ in pairs], pair or ("", ""), framework, tuple(matched))
    return [(fw, code) for fw, code in pairs if fw in shown], others


class SideBySide:
    """Renderables in equal columns, one space apart.

    Like a ``Table.grid`` of ratio columns, but each part is rendered once at a
    known width instead of being measured first: half the cost of a search's output.
    """

    def __init__(self, parts: Sequence[RenderableType], gap: int = 1) -> None:
        self.parts = list(parts)
        self.gap = gap

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        count = len(self.parts)
        width = (options.max_width - self.gap * (count - 1)) // count
        columns = [console.render_lines(part, options.update(width=width), pad=True) for part in self.parts]
        height = max(len(column) for column in columns)
        blank = [Segment(" " * width)]
        gap = Segment(" " * self.gap)
        newline = Segment.line()
        for row in range(height):
            for index, column in enumerate(columns):
                if index:
                    yield gap
                yield from column[row] if row < len(column) else blank
            yield newline


class CodeBlock:
    """Highlighted code that wraps long lines without losing their shape.

    A line too long for the width continues on the next row, indented like the
    line it belongs to and marked with ``↪``, so a wrapped ``requires_grad=True)``
    reads as the rest of a line and never as code of its own at column 0.
    """

    def __init__(self, code: str) -> None:
        self.code = code

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from fwcheat.highlight import highlight

        width = max(options.max_width, 8)
        newline = Segment.line()
        for line in highlight(self.code).split("\n", allow_blank=True):
            for row in wrap_code_line(line, width):
                yield from row.render(console)
                yield newline

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        from rich.measure import Measurement

        widest = max((cell_len(line) for line in self.code.splitlines()), default=1)
        return Measurement(min(8, widest), widest)


def wrap_code_line(line: Text, width: int) -> list[Text]:
    """``line`` cut into rows of at most ``width`` cells; rows after the first are continuations."""
    rows: list[Text] = []
    for start, end, lead in code_row_breaks(line.plain, width, cell_len):
        if not rows:
            rows.append(line[start:end] if (start, end) != (0, len(line.plain)) else line)
            continue
        row = Text(" " * (lead - len(CONTINUATION)))
        row.append(CONTINUATION, style="dim")
        row.append_text(line[start:end])
        rows.append(row)
    return rows


def code_width(code: str) -> int:
    """Cells the widest line of ``code`` needs."""
    return max((cell_len(line) for line in code.splitlines()), default=0)


def fits_side_by_side(codes: Sequence[str], width: int, gap: int = 1) -> bool:
    """Whether ``codes`` in equal panels across ``width`` columns need no wrapped line."""
    if len(codes) < 2 or width < SIDE_BY_SIDE_MIN_WIDTH:
        return False
    column = (width - gap * (len(codes) - 1)) // len(codes) - PANEL_CHROME
    return all(code_width(code) <= column for code in codes)


def _header(entry: Card, score: float | None = None, via: Sequence[str] = ()) -> Text:
    text = Text()
    text.append(entry.title, style="bold")
    text.append("  ")
    text.append(entry.title_zh, style="bold cyan")
    meta = f"  {entry.id} · {entry.category}"
    if score is not None:
        meta += f" · score {score:.2f}"
    if via:
        meta += " · matched " + ", ".join(FRAMEWORK_LABELS.get(v, v) for v in sorted(via)) + " API"
    text.append(meta, style="dim")
    return text


def _code_panel(framework: str, code: str) -> Panel:
    return Panel(
        CodeBlock(code),
        title=FRAMEWORK_LABELS.get(framework, framework),
        title_align="left",
        border_style="blue",
    )


def entry_renderable(
    entry: Entry | Card,
    *,
    width: int,
    framework: str | None = None,
    score: float | None = None,
    via: Sequence[str] = (),
    pair: tuple[str, str] | None = None,
    matched: Sequence[str] = (),
) -> RenderableType:
    """One entry as rich renderables: header, summary, snippet panels, notes.

    With ``pair``, the pair's snippets side by side and a line naming the others.
    """
    entry = safe_card(entry)
    parts: list[RenderableType] = [
        _header(entry, score, via),
        Text(entry.summary.strip(), style="italic"),
    ]
    shown, others = _snippets(entry, framework, pair, matched)
    panels = [_code_panel(fw, code) for fw, code in shown]
    if fits_side_by_side([code for _, code in shown], width):
        parts.append(SideBySide(panels))
    else:
        parts.extend(panels)
    if others:
        from fwcheat.pair import also_in

        parts.append(Text(also_in(others, entry.id), style="dim"))
    if entry.notes:
        parts.append(notes_renderable(entry.notes))
    return Group(*parts)


def notes_renderable(notes: Sequence[str]) -> RenderableType:
    """The notes as bullets whose wrapped lines hang under the note's first word."""
    return NotesBlock(notes)


class NotesBlock:
    """Bulleted notes with a hanging indent (cheaper than a table grid, which imports more)."""

    BULLET = "  • "

    def __init__(self, notes: Sequence[str]) -> None:
        self.notes = [" ".join(note.split()) for note in notes]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        indent = len(self.BULLET)
        width = max(options.max_width - indent, 10)
        newline = Segment.line()
        for note in self.notes:
            for index, line in enumerate(Text(note).wrap(console, width)):
                line.rstrip()
                if index:
                    yield Segment(" " * indent)
                else:
                    yield Segment(self.BULLET, console.get_style("yellow"))
                yield from line.render(console)
                yield newline


def entry_plain(
    entry: Entry | Card,
    *,
    framework: str | None = None,
    score: float | None = None,
    pair: tuple[str, str] | None = None,
    matched: Sequence[str] = (),
) -> str:
    """One entry as plain text (for pipes and files)."""
    entry = safe_card(entry)
    lines = [
        f"{entry.title}  {entry.title_zh}  [{entry.id} · {entry.category}"
        + (f" · score {score:.2f}]" if score is not None else "]")
    ]
    lines.append(" ".join(entry.summary.split()))
    shown, others = _snippets(entry, framework, pair, matched)
    for fw, code in shown:
        lines.append(f"--- {FRAMEWORK_LABELS.get(fw, fw)} ---")
        lines.append(code)
    if others:
        from fwcheat.pair import also_in

        lines.append(also_in(others, entry.id))
    if entry.notes:
        lines.append("Notes:")
        lines.extend(f"  - {' '.join(note.split())}" for note in entry.notes)
    return "\n".join(lines)


def print_entry(
    console: Console,
    entry: Entry | Card,
    *,
    framework: str | None = None,
    score: float | None = None,
    via: Sequence[str] = (),
    pair: tuple[str, str] | None = None,
    matched: Sequence[str] = (),
) -> None:
    """One entry; ``matched`` names frameworks whose API the query hit (shown beside the pair)."""
    if console.is_terminal:
        console.print(
            entry_renderable(
                entry,
                width=console.width,
                framework=framework,
                score=score,
                via=via,
                pair=pair,
                matched=matched,
            )
        )
    else:
        console.print(
            entry_plain(entry, framework=framework, score=score, pair=pair, matched=matched),
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


def print_hits(
    console: Console,
    hits: Sequence[Hit],
    *,
    framework: str | None = None,
    pair: tuple[str, str] | None = None,
    verbose: bool = False,
) -> None:
    """Search results, best first, each with its snippets (with ``verbose``, their scores too)."""
    for i, hit in enumerate(hits):
        if i:
            console.print()
            if console.is_terminal:
                console.rule(style="dim")
        print_entry(
            console,
            hit.card,
            framework=framework,
            score=hit.score if verbose else None,
            via=sorted(hit.via) if verbose else (),
            pair=pair,
            matched=sorted(hit.via),
        )


def print_suggestions(console: Console, query: str, suggestions: Sequence[str]) -> None:
    message = Text(f"No idiom matches {safe_line(repr(query))}.")
    if suggestions:
        message.append(" Did you mean: ")
        message.append(safe_line(", ".join(suggestions)), style="bold")
        message.append("?")
    console.print(message)
