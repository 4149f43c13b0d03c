"""Rich rendering of entries and search results for the command line.

On a terminal: a title line, the snippets side by side in panels with syntax
highlighting (stacked when the terminal is narrow), then the notes. Into a
pipe or file: the same content as plain text, easy to grep or paste. Colour
follows rich's rules, so ``NO_COLOR`` is honoured.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.panel import Panel
from rich.segment import Segment
from rich.text import Text

from fwcheat.frameworks import FRAMEWORK_LABELS
from fwcheat.knowledge.card import Card
from fwcheat.sanitize import safe_line, safe_text

if TYPE_CHECKING:
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


#: Below this many columns the two snippets are stacked instead of side by side.
SIDE_BY_SIDE_MIN_WIDTH = 100


def _snippets(
    entry: Card, framework: str | None, pair: tuple[str, str] | None = None
) -> tuple[list[tuple[str, str]], list[str]]:
    """The (framework, code) pairs to show, and the entry's other frameworks (not shown)."""
    pairs = [(fw, code.rstrip("\n")) for fw, code in entry.snippets]
    if framework is None and pair is None:
        return pairs, []
    from fwcheat.pair import shown_and_others

    shown, others = shown_and_others([fw for fw, _ in pairs], pair or ("", ""), framework)
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
    from fwcheat.highlight import highlight

    return Panel(
        highlight(code),
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
) -> RenderableType:
    """One entry as rich renderables: header, summary, snippet panels, notes.

    With ``pair``, the pair's snippets side by side and a line naming the others.
    """
    entry = safe_card(entry)
    parts: list[RenderableType] = [
        _header(entry, score, via),
        Text(entry.summary.strip(), style="italic"),
    ]
    shown, others = _snippets(entry, framework, pair)
    panels = [_code_panel(fw, code) for fw, code in shown]
    if len(panels) > 1 and width >= SIDE_BY_SIDE_MIN_WIDTH:
        parts.append(SideBySide(panels))
    else:
        parts.extend(panels)
    if others:
        from fwcheat.pair import also_in

        parts.append(Text(also_in(others, entry.id), style="dim"))
    if entry.notes:
        notes = Text()
        for i, note in enumerate(entry.notes):
            if i:
                notes.append("\n")
            notes.append("  • ", style="yellow")
            notes.append(" ".join(note.split()))
        parts.append(notes)
    return Group(*parts)


def entry_plain(
    entry: Entry | Card,
    *,
    framework: str | None = None,
    score: float | None = None,
    pair: tuple[str, str] | None = None,
) -> str:
    """One entry as plain text (for pipes and files)."""
    entry = safe_card(entry)
    lines = [
        f"{entry.title}  {entry.title_zh}  [{entry.id} · {entry.category}"
        + (f" · score {score:.2f}]" if score is not None else "]")
    ]
    lines.append(" ".join(entry.summary.split()))
    shown, others = _snippets(entry, framework, pair)
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
) -> None:
    if console.is_terminal:
        console.print(
            entry_renderable(entry, width=console.width, framework=framework, score=score, via=via, pair=pair)
        )
    else:
        console.print(
            entry_plain(entry, framework=framework, score=score, pair=pair),
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
) -> None:
    """Search results, best first, each with its snippets."""
    for i, hit in enumerate(hits):
        if i:
            console.print()
            if console.is_terminal:
                console.rule(style="dim")
        print_entry(console, hit.card, framework=framework, score=hit.score, via=sorted(hit.via), pair=pair)


def print_suggestions(console: Console, query: str, suggestions: Sequence[str]) -> None:
    message = Text(f"No idiom matches {safe_line(repr(query))}.")
    if suggestions:
        message.append(" Did you mean: ")
        message.append(safe_line(", ".join(suggestions)), style="bold")
        message.append("?")
    console.print(message)
