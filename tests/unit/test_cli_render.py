"""CLI rendering of entries (issue #14, item 3): whole code lines or marked continuations, at any width.

Rendered into ``rich.console.Console(file=StringIO(), width=N)`` at 60, 100,
120 and 160 columns, for the bundled entries with the longest code lines.
"""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console
from rich.text import Text

from fwcheat.frameworks import DEFAULT_PAIR
from fwcheat.knowledge.card import Card
from fwcheat.render import CONTINUATION, fits_side_by_side, print_entry, wrap_code_line
from fwcheat.store import open_store

WIDTHS = (60, 100, 120, 160)


def render(card: Card, width: int, pair: tuple[str, str] | None = None) -> list[str]:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=True, color_system=None)
    print_entry(console, card, pair=pair)
    return buffer.getvalue().splitlines()


def widest_cards(count: int = 4) -> list[Card]:
    store = open_store()
    cards = [c for c in (store.card(i) for i in store.ids()) if c is not None and len(c.snippets) > 1]
    cards.sort(key=lambda c: -max(len(line) for _, code in c.snippets for line in code.splitlines()))
    narrow = min(cards, key=lambda c: max(len(line) for _, code in c.snippets for line in code.splitlines()))
    return [*cards[:count], narrow]


def panel_rows(lines: list[str]) -> list[list[str]]:
    """The text inside each panel column, row by row (side-by-side rows give two cells)."""
    rows = []
    for line in lines:
        cells = re.findall(r"│ (.*?) *│", line)
        if cells:
            rows.append(cells)
    return rows


def shown_code(lines: list[str], columns: int) -> list[str]:
    """Each panel's code with continuation rows joined back onto the line they continue."""
    panels: list[list[str]] = [[] for _ in range(columns)]
    for cells in panel_rows(lines):
        for index, cell in enumerate(cells[:columns]):
            stripped = cell.lstrip(" ")
            if stripped.startswith(CONTINUATION) and panels[index]:
                panels[index][-1] += " " + stripped[len(CONTINUATION) :]
            else:
                panels[index].append(cell.rstrip())
    return ["\n".join(p) for p in panels]


@pytest.mark.parametrize("width", WIDTHS)
def test_every_code_line_is_whole_or_continued(width: int) -> None:
    for card in widest_cards():
        lines = render(card, width)
        columns = max(line.count("╭─") for line in lines)
        assert all(len(line) <= width for line in lines)
        shown = shown_code(lines, columns)
        joined = "\n".join("".join(s.split()) for s in "\n".join(shown).splitlines())
        for _, code in card.snippets:
            for line in code.splitlines():
                if line.strip():
                    # Every line is there whole, once continuations are joined back onto it.
                    assert "".join(line.split()) in joined, (card.id, width, line)


@pytest.mark.parametrize("width", WIDTHS)
def test_side_by_side_only_when_the_code_fits(width: int) -> None:
    for card in widest_cards():
        lines = render(card, width)
        side_by_side = any(line.count("╭─") > 1 for line in lines)
        codes = [code for _, code in card.snippets]
        assert side_by_side == fits_side_by_side(codes, width), (card.id, width)
        if side_by_side:
            assert width >= 100
            assert not any(CONTINUATION in line for line in lines if line.count("│") >= 3)


def test_side_by_side_from_100_columns_when_the_code_fits() -> None:
    card = open_store().card("autograd-record")  # code lines of 71 columns at most
    assert card is not None
    assert any(line.count("╭─") == 2 for line in render(card, 160, DEFAULT_PAIR))
    # At 100 and 120 columns its longest lines would wrap side by side: stacked, and whole.
    for width in (60, 100, 120):
        lines = render(card, width, DEFAULT_PAIR)
        assert not any(line.count("╭─") > 1 for line in lines)
    short = Card("s", "t", "t", "c", "s", (), tuple((fw, "x = 1") for fw in DEFAULT_PAIR))
    assert any(line.count("╭─") == 2 for line in render(short, 100, DEFAULT_PAIR))
    assert not any(line.count("╭─") == 2 for line in render(short, 99, DEFAULT_PAIR))


def test_a_continuation_is_indented_under_its_line_and_marked() -> None:
    line = Text("    y = some_function(first_argument, second_argument, third_argument)")
    rows = wrap_code_line(line, 40)
    assert len(rows) > 1 and rows[0].plain.startswith("    y = ")
    for row in rows[1:]:
        # Never back at column 0: indented past the line's own indent, then the marker.
        assert row.plain.startswith("    " + CONTINUATION) and len(row.plain) <= 40
    assert "".join(r.plain.replace(CONTINUATION, "").strip() for r in rows).replace(" ", "") == (
        line.plain.replace(" ", "")
    )


def test_a_wrapped_comment_lines_up_under_its_hash() -> None:
    line = Text("x.requires_grad_(True)        # or torch.tensor(..., requires_grad=True)")
    rows = wrap_code_line(line, 60)
    hash_at = line.plain.index("#")
    assert rows[1].plain.index(CONTINUATION) == hash_at


def test_notes_wrap_with_a_hanging_indent() -> None:
    card = open_store().card("autograd-record")
    assert card is not None
    lines = render(card, 60)
    start = next(i for i, line in enumerate(lines) if line.startswith("  • "))
    following = lines[start + 1]
    assert following.startswith("    ") and following[4] != " "
