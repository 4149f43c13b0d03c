"""Search results drawn without rich, from cards stored pre-rendered beside the index.

Importing rich's console and laying out panels costs more than the rest of a
search together. Everything about a card that does not depend on the terminal
is worked out once (:func:`prepare`): its texts made safe to print, each
snippet's syntax-highlight spans, the cell width of every wide character.
:func:`refresh` stores them in a file beside the index, stamped with the index's
own stamp (fwcheat version and the fingerprint of the knowledge files), so an
edited knowledge file makes them stale with the index: the next search draws
with rich and writes them afresh. At output time :func:`draw_hits` lays the
cards out at the terminal's width in plain Python and writes the escape codes
of its colour system.

The output is byte for byte what :mod:`fwcheat.render` prints through rich (the
tests compare both across queries, widths and colour systems); this module
mirrors the parts of rich it needs: console detection, word wrap, panels. When
anything is outside what it mirrors (Windows, Jupyter, a non-UTF-8 stream, a
very narrow terminal, a card with tabs or combining characters, an ``:emoji:``
code), :func:`terminal`, :func:`prepare` or :func:`draw_hits` says no and the
caller renders with rich as before.

Only ``os``, ``sys``, ``re``, ``sqlite3``, ``itertools`` and ``marshal`` (all loaded already at this point).
"""

from __future__ import annotations

import itertools
import marshal
import os
import re
import sys

from fwcheat.store import sqlite3

TYPE_CHECKING = False  # typing itself is not imported on the search path
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import IO

    from fwcheat.knowledge.card import Card
    from fwcheat.search import Hit
    from fwcheat.store import Store

    Seg = tuple[str, str | None]
    Row = list[Seg]
    Span = tuple[int, int, str]

#: Bump when what :func:`prepare` stores changes (it names the cards file).
FORMAT = 1
#: Below this many columns, rich draws the output (the layout's corner cases live there).
MIN_WIDTH = 20
#: Set (to anything) to always draw with rich, e.g. to compare the two.
DISABLE_ENV = "FWCHEAT_RICH_OUTPUT"

_ATTRIBUTES = {"bold": "1", "dim": "2", "italic": "3", "underline": "4"}
_COLOURS = {
    name: str(base + index)
    for base, prefix in ((30, ""), (90, "bright_"))
    for index, name in enumerate(
        prefix + colour for colour in ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")
    )
}
_TERM_COLOURS = {"kitty": "256", "256color": "256", "16color": "standard"}
_WORD = re.compile(r"\s*\S+\s*")
_TRAILING_SPACE = re.compile(r"\s+$")
#: Cell widths of the characters the layout itself draws outside rich's single-cell ranges (tested).
FIXED_WIDTHS = {"↪": 1, "•": 1}
_TOP_LEFT, _TOP_RIGHT, _BOTTOM_LEFT, _BOTTOM_RIGHT, _SIDE, _LINE = "╭", "╮", "╰", "╯", "│", "─"


def sgr(style: str, colour: bool = True) -> str:
    """The SGR parameters rich writes for ``style`` (attributes, then the colour; none without colour)."""
    words = style.split()
    unknown = [w for w in words if w not in _ATTRIBUTES and w not in _COLOURS]
    if unknown:
        raise ValueError(f"fastcards cannot draw style {style!r}")
    codes = [code for name, code in _ATTRIBUTES.items() if name in words]
    colours = [_COLOURS[w] for w in words if w in _COLOURS]
    if colour and colours:
        codes.append(colours[-1])
    return ";".join(codes)


# -- what the index stores ---------------------------------------------------------------------


def _single_cell(char: str) -> bool:
    code = ord(char)
    return (
        0x20 <= code <= 0x7E
        or 0xA0 <= code <= 0xAC
        or 0xAE <= code <= 0x2FF
        or 0x370 <= code <= 0x482
        or 0x2500 <= code <= 0x25FC
        or 0x2800 <= code <= 0x28FF
    )


def prepare(card: Card) -> bytes | None:
    """What :func:`draw_hits` needs of ``card``; None when rich must draw it."""
    from rich.cells import cell_len, split_graphemes

    from fwcheat.highlight import spans
    from fwcheat.render import safe_card

    safe = safe_card(card)
    snippets = []
    for fw, code in safe.snippets:
        code = code.rstrip("\n")
        lines: list[list[Span]] = []
        offset = 0
        found = spans(code)
        for line in code.split("\n"):
            end = offset + len(line)
            lines.append(
                [
                    (max(s, offset) - offset, min(e, end) - offset, st)
                    for s, e, st in found
                    if s < end and e > offset
                ]
            )
            offset = end + 1
        snippets.append((fw, code, lines))
    texts = [safe.id, safe.title, safe.title_zh, safe.category, safe.summary, *safe.notes]
    texts += [code for _, code, _ in snippets]
    widths: dict[str, int] = {}
    for text in texts:
        if "\t" in text:
            return None  # rich expands tabs while wrapping: not mirrored
        for char in set(text):
            if char == "\n" or _single_cell(char) or char in widths:
                continue
            graphemes, _ = split_graphemes(char * 2, "latest")
            if len(graphemes) != 2 or cell_len(char, "latest") not in (1, 2):
                return None  # combining marks, joiners, zero-width characters: rich's graphemes decide
            widths[char] = cell_len(char, "latest")
        if not text.isascii():
            graphemes, _ = split_graphemes(text.replace("\n", " "), "latest")
            if len(graphemes) != len(text):
                return None
    data = (
        FORMAT,
        sys.version_info[:2],
        safe.id,
        safe.title,
        safe.title_zh,
        safe.category,
        safe.summary,
        list(safe.notes),
        snippets,
        widths,
    )
    return marshal.dumps(data)


class Prepared:
    """A card as :func:`prepare` stored it."""

    __slots__ = ("category", "id", "notes", "snippets", "summary", "title", "title_zh", "widths")

    def __init__(self, blob: bytes) -> None:
        data = marshal.loads(blob)
        if data[0] != FORMAT or tuple(data[1]) != sys.version_info[:2]:
            raise ValueError("stale card")
        (_, _, self.id, self.title, self.title_zh, self.category, self.summary, notes, snippets, widths) = (
            data
        )
        self.notes: list[str] = notes
        self.snippets: list[tuple[str, str, list[list[Span]]]] = snippets
        self.widths: dict[str, int] = widths


# -- the console, as rich sees it --------------------------------------------------------------


class Terminal:
    """What rich's Console would decide for a stream: terminal or not, colours, width."""

    __slots__ = ("codes", "colour", "is_terminal", "system", "width")

    def __init__(self, is_terminal: bool, system: str | None, no_color: bool, width: int) -> None:
        self.is_terminal = is_terminal
        #: None (no escape codes), "standard", "256" or "truecolor".
        self.system = system
        self.colour = not no_color
        self.width = width
        self.codes: dict[str, str] = {}

    def paint(self, text: str, style: str | None) -> str:
        if not style or not text or self.system is None:
            return text
        code = self.codes.get(style)
        if code is None:
            code = self.codes[style] = sgr(style, self.colour)
        return f"\x1b[{code}m{text}\x1b[0m" if code else text


def terminal(
    stream: IO[str] | None, environ: dict[str, str] | os._Environ[str] = os.environ
) -> Terminal | None:
    """How rich would draw on ``stream``; None where this module does not mirror it (rich draws)."""
    if stream is None or sys.platform == "win32" or environ.get(DISABLE_ENV) or "UNICODE_VERSION" in environ:
        return None
    import builtins

    if hasattr(builtins, "get_ipython") or getattr(sys.stdin, "__module__", "").startswith("idlelib"):
        return None
    encoding = (getattr(stream, "encoding", "utf-8") or "utf-8").lower()
    if not encoding.startswith("utf"):
        return None  # rich would draw ASCII boxes
    compatible = environ.get("TTY_COMPATIBLE", "")
    if compatible in ("0", "1"):
        is_terminal = compatible == "1"
    elif environ.get("FORCE_COLOR") is not None:
        is_terminal = environ.get("FORCE_COLOR") != ""
    else:
        try:
            is_terminal = stream.isatty()
        except ValueError:
            is_terminal = False
    dumb = is_terminal and environ.get("TERM", "").lower() in ("dumb", "unknown")
    system: str | None = None
    if is_terminal and not dumb:
        if environ.get("COLORTERM", "").strip().lower() in ("truecolor", "24bit"):
            system = "truecolor"
        else:
            colours = environ.get("TERM", "").strip().lower().rpartition("-")[2]
            system = _TERM_COLOURS.get(colours, "standard")
    columns, lines = environ.get("COLUMNS"), environ.get("LINES")
    width = int(columns) if columns is not None and columns.isdigit() else None
    height = int(lines) if lines is not None and lines.isdigit() else None
    if width is None or height is None:
        if dumb:
            width = 80
        elif width is None:
            for fd in (0, 1, 2):
                try:
                    width = os.get_terminal_size(fd)[0]
                except (AttributeError, ValueError, OSError):
                    continue
                break
            width = width or 80
    if width < MIN_WIDTH:
        return None
    return Terminal(is_terminal, system, environ.get("NO_COLOR", "") != "", width)


# -- rich's text layout, mirrored --------------------------------------------------------------


class _Cells:
    """Cell widths: one per character but for the wide ones the index measured."""

    def __init__(self, widths: dict[str, int]) -> None:
        self.widths = {**FIXED_WIDTHS, **widths}

    def __call__(self, text: str) -> int:
        if text.isascii():
            return len(text)
        get = self.widths.get
        return sum(1 if _single_cell(c) else get(c) or self.unknown(c) for c in text)

    def unknown(self, char: str) -> int:
        from rich.cells import cell_len

        self.widths[char] = width = cell_len(char)
        return width

    def chop(self, text: str, width: int) -> list[str]:
        if text.isascii():
            return [text[i : i + width] for i in range(0, len(text), width)]
        lines: list[str] = []
        start = size = 0
        for index, char in enumerate(text):
            cells = self(char)
            if size + cells > width:
                lines.append(text[start:index])
                start, size = index, 0
            size += cells
        if size:
            lines.append(text[start:])
        return lines

    def crop(self, text: str, total: int) -> str:
        """rich's ``set_cell_size`` for a string longer than ``total``."""
        if text.isascii():
            return text[:total]
        if total <= 0:
            return ""
        size = 0
        for index, char in enumerate(text):
            cells = self(char)
            if size + cells > total:
                return text[:index] + " " * (total - size)
            size += cells
        return text


def _divide(text: str, width: int, cells: _Cells) -> list[int]:
    """rich's ``divide_line`` (fold): where a line breaks to fit ``width`` cells."""
    breaks: list[int] = []
    offset = 0
    position = 0
    match = _WORD.match(text, position)
    while match is not None:
        start, end = match.span()
        word = match.group(0)
        length = cells(word.rstrip())
        if width - offset >= length:
            offset += cells(word)
        elif length > width:
            folded = cells.chop(word, width)
            for index, line in enumerate(folded):
                if start:
                    breaks.append(start)
                if index == len(folded) - 1:
                    offset = cells(line)
                else:
                    start += len(line)
        elif offset and start:
            breaks.append(start)
            offset = cells(word)
        match = _WORD.match(text, end)
    return breaks


def _segments(plain: str, spans: Sequence[Span], base: str | None) -> Row:
    """rich's ``Text.render``: a cut at every span edge, each piece in the styles over it."""
    if not spans:
        return [(plain, base)]
    edges = sorted({0, len(plain), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    row: Row = []
    for start, end in itertools.pairwise(edges):
        if end <= start or end > len(plain):
            continue
        styles = [base] if base else []
        styles += [style for s, e, style in spans if s <= start < e]
        row.append((plain[start:end], " ".join(styles) or None))
    return row


def _clip(spans: Sequence[Span], start: int, end: int) -> list[Span]:
    return [(max(s, start) - start, min(e, end) - start, st) for s, e, st in spans if s < end and e > start]


def wrap(
    plain: str, spans: Sequence[Span], base: str | None, width: int, cells: _Cells, *, wrap: bool = True
) -> list[Row]:
    """rich's ``Text.wrap`` then ``render``: the rows a Text takes at ``width`` (fold overflow)."""
    rows: list[Row] = []
    offset = 0
    for line in plain.split("\n"):
        line_spans = _clip(spans, offset, offset + len(line))
        offset += len(line) + 1
        cuts = [0, *(_divide(line, width, cells) if wrap else ()), len(line)]
        for start, end in itertools.pairwise(cuts):
            piece = line[start:end]
            excess = len(piece) - width
            if excess > 0:
                trailing = _TRAILING_SPACE.search(piece)
                if trailing:
                    piece = piece[: len(piece) - min(len(trailing.group(0)), excess)]
            if wrap and cells(piece) > width:
                piece = cells.crop(piece, width)
            rows.append(_segments(piece, _clip(line_spans, start, start + len(piece)), base))
    return rows


def crop(row: Row, width: int, cells: _Cells, pad: bool = False) -> Row:
    """rich's ``Segment.adjust_line_length``: ``row`` cut (or with ``pad``, filled) to ``width`` cells."""
    size = sum(cells(text) for text, _ in row)
    if size < width:
        return [*row, (" " * (width - size), None)] if pad else row
    if size == width:
        return row
    kept: Row = []
    size = 0
    for text, style in row:
        length = cells(text)
        if size + length < width:
            kept.append((text, style))
            size += length
        else:
            kept.append((cells.crop(text, width - size) if cells(text) > width - size else text, style))
            break
    return kept


# -- an entry -----------------------------------------------------------------------------------


def _header(card: Prepared, score: float | None, via: Sequence[str]) -> tuple[str, list[Span]]:
    from fwcheat.frameworks import FRAMEWORK_LABELS

    meta = f"  {card.id} · {card.category}"
    if score is not None:
        meta += f" · score {score:.2f}"
    if via:
        meta += " · matched " + ", ".join(FRAMEWORK_LABELS.get(v, v) for v in sorted(via)) + " API"
    return joined([(card.title, "bold"), ("  ", None), (card.title_zh, "bold cyan"), (meta, "dim")])


def joined(parts: Sequence[tuple[str, str | None]]) -> tuple[str, list[Span]]:
    """Styled pieces as one text and the spans of its styles (an unstyled or empty piece has none)."""
    plain = ""
    spans: list[Span] = []
    for text, style in parts:
        if style and text:
            spans.append((len(plain), len(plain) + len(text), style))
        plain += text
    return plain, spans


def _code_rows(
    code_lines: Sequence[str], spans: Sequence[Sequence[Span]], width: int, cells: _Cells
) -> list[Row]:
    from fwcheat.layout import CONTINUATION, code_row_breaks

    width = max(width, 8)
    rows: list[Row] = []
    for line, line_spans in zip(code_lines, spans, strict=True):
        for start, end, lead in code_row_breaks(line, width, cells):
            piece = _segments(line[start:end], _clip(line_spans, start, end), None)
            if start:
                piece = [(" " * (lead - len(CONTINUATION)), None), (CONTINUATION, "dim"), *piece]
            rows.append(piece)
    return rows


def _panel(label: str, code: str, spans: Sequence[Sequence[Span]], width: int, cells: _Cells) -> list[Row]:
    """rich's ``Panel`` (rounded, blue border, left title, padding 0 1) around a ``CodeBlock``."""
    inner = width - 4
    if width <= 4:
        top: Row = [(_TOP_LEFT + _LINE * (width - 2) + _TOP_RIGHT, "blue")]
    else:
        title = " " + label.replace("\n", " ") + " "
        if cells(title) > width - 4:
            title = cells.crop(title, width - 4)
        excess = width - 4 - cells(title)
        top = [(_TOP_LEFT + _LINE, "blue"), (title, "blue")]
        if excess:
            top.append((_LINE * excess, "blue"))
        top.append((_LINE + _TOP_RIGHT, "blue"))
    rows = [top]
    for row in _code_rows(code.split("\n"), spans, inner, cells):
        rows.append(
            [(_SIDE, "blue"), (" ", None), *crop(row, inner, cells, pad=True), (" ", None), (_SIDE, "blue")]
        )
    rows.append([(_BOTTOM_LEFT + _LINE * (width - 2) + _BOTTOM_RIGHT, "blue")])
    return rows


def _notes(notes: Sequence[str], width: int, cells: _Cells) -> list[Row]:
    indent = 4
    room = max(width - indent, 10)
    rows: list[Row] = []
    for note in notes:
        text = " ".join(note.split())
        for index, line in enumerate(wrap(text, (), None, room, cells)):
            plain = "".join(t for t, _ in line).rstrip()
            rows.append([(" " * indent, None) if index else ("  • ", "yellow"), (plain, None)])
    return rows


def entry_rows(
    card: Prepared,
    width: int,
    *,
    framework: str | None,
    pair: tuple[str, str] | None,
    matched: Sequence[str],
    score: float | None = None,
    via: Sequence[str] = (),
) -> list[Row]:
    """What :func:`fwcheat.render.entry_renderable` draws, row by row."""
    from fwcheat.frameworks import FRAMEWORK_LABELS
    from fwcheat.layout import PANEL_CHROME, SIDE_BY_SIDE_MIN_WIDTH

    cells = _Cells(card.widths)
    plain, spans = _header(card, score, via)
    rows = wrap(plain, spans, None, width, cells)
    rows += wrap(card.summary.strip(), (), "italic", width, cells)
    snippets = card.snippets
    others: list[str] = []
    if framework is not None or pair is not None:
        from fwcheat.pair import shown_and_others

        shown, others = shown_and_others(
            [fw for fw, _, _ in snippets], pair or ("", ""), framework, tuple(matched)
        )
        snippets = [s for s in snippets if s[0] in shown]
    codes = [code for _, code, _ in snippets]
    count = len(codes)
    side = count >= 2 and width >= SIDE_BY_SIDE_MIN_WIDTH
    if side:
        column = (width - (count - 1)) // count - PANEL_CHROME
        side = all(max((cells(line) for line in code.splitlines()), default=0) <= column for code in codes)
    panels = [_panel(FRAMEWORK_LABELS.get(fw, fw), code, lines, width, cells) for fw, code, lines in snippets]
    if side:
        part = (width - (count - 1)) // count
        panels = [
            _panel(FRAMEWORK_LABELS.get(fw, fw), code, lines, part, cells) for fw, code, lines in snippets
        ]
        height = max(len(p) for p in panels)
        for index in range(height):
            row: Row = []
            for column_index, panel in enumerate(panels):
                if column_index:
                    row.append((" ", None))
                row.extend(
                    crop(panel[index], part, cells, pad=True) if index < len(panel) else [(" " * part, None)]
                )
            rows.append(row)
    else:
        for panel in panels:
            rows += panel
    if others:
        from fwcheat.pair import also_in

        rows += wrap(also_in(others, card.id), (), "dim", width, cells)
    if card.notes:
        rows += _notes(card.notes, width, cells)
    return [crop(row, width, cells) for row in rows]


def entry_plain_text(
    card: Prepared,
    *,
    framework: str | None,
    pair: tuple[str, str] | None,
    matched: Sequence[str],
    score: float | None,
) -> str:
    """What :func:`fwcheat.render.entry_plain` writes for a pipe."""
    from fwcheat.frameworks import FRAMEWORK_LABELS

    lines = [
        f"{card.title}  {card.title_zh}  [{card.id} · {card.category}"
        + (f" · score {score:.2f}]" if score is not None else "]")
    ]
    lines.append(" ".join(card.summary.split()))
    snippets = [(fw, code) for fw, code, _ in card.snippets]
    others: list[str] = []
    if framework is not None or pair is not None:
        from fwcheat.pair import shown_and_others

        shown, others = shown_and_others(
            [fw for fw, _ in snippets], pair or ("", ""), framework, tuple(matched)
        )
        snippets = [(fw, code) for fw, code in snippets if fw in shown]
    for fw, code in snippets:
        lines.append(f"--- {FRAMEWORK_LABELS.get(fw, fw)} ---")
        lines.append(code)
    if others:
        from fwcheat.pair import also_in

        lines.append(also_in(others, card.id))
    if card.notes:
        lines.append("Notes:")
        lines.extend(f"  - {' '.join(note.split())}" for note in card.notes)
    return "\n".join(lines)


# -- a whole answer -----------------------------------------------------------------------------


def cards_path(store: Store) -> str | None:
    """The file beside ``store``'s index that holds its pre-rendered cards (None: index in memory)."""
    return None if store.path is None else f"{store.path}.cards{FORMAT}"


def _stamp(store: Store) -> str:
    # The index's own stamp (fwcheat version, schema, knowledge fingerprint) and what marshal needs.
    return f"{store.stamp}\npython {sys.version_info[0]}.{sys.version_info[1]}"


def _read(path: str, sql: str, params: Sequence[object] = ()) -> list[tuple[object, ...]] | None:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def _fresh(store: Store, path: str) -> bool:
    rows = _read(path, "SELECT value FROM meta WHERE key = 'stamp'") if os.path.exists(path) else None
    return bool(rows) and rows[0][0] == _stamp(store)  # type: ignore[index]


def load(store: Store, hits: Sequence[Hit]) -> dict[int, Prepared] | None:
    """The hits' pre-rendered cards; None if any is missing or stale (rich draws them)."""
    path = cards_path(store)
    if path is None or store.rebuilt or not os.path.exists(path):
        return None
    ids = [hit.card.id for hit in hits]
    marks = ",".join("?" * len(ids))
    rows = _read(
        path,
        f"SELECT (SELECT value FROM meta WHERE key = 'stamp'), id, card FROM cards WHERE id IN ({marks})",
        ids,
    )
    if not rows or rows[0][0] != _stamp(store):
        return None
    blobs = {entry_id: blob for _, entry_id, blob in rows}
    cards: dict[int, Prepared] = {}
    for hit in hits:
        blob = blobs.get(hit.card.id)
        if not isinstance(blob, bytes):
            return None
        try:
            cards[hit.doc] = Prepared(blob)
        except (ValueError, TypeError, EOFError):
            return None
    return cards


def refresh(store: Store) -> bool:
    """Write the pre-rendered cards of ``store``'s index unless they are there and fresh.

    Called after rich drew an answer for want of them (the first search after the
    knowledge changed). Quietly does nothing where the cache cannot be written.
    Returns whether it wrote them.
    """
    import contextlib
    import tempfile

    from fwcheat.knowledge.card import Card

    path = cards_path(store)
    if path is None or _fresh(store, path):
        return False
    folder = os.path.dirname(path)
    if not os.access(folder, os.W_OK):
        return False
    rows = [
        (entry_id, prepare(Card.from_bytes(card)))
        for entry_id, card in store.conn.execute("SELECT id, card FROM docs")
    ]
    try:
        fd, tmp = tempfile.mkstemp(prefix=os.path.basename(path), suffix=".tmp", dir=folder)
    except OSError:
        return False
    try:
        with contextlib.closing(sqlite3.connect(tmp)) as conn:
            conn.execute("PRAGMA journal_mode=OFF")
            conn.execute("PRAGMA synchronous=OFF")
            conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
            conn.execute("CREATE TABLE cards (id TEXT PRIMARY KEY, card BLOB)")
            conn.executemany("INSERT INTO cards VALUES (?, ?)", rows)
            conn.execute("INSERT INTO meta VALUES ('stamp', ?)", (_stamp(store),))
            conn.commit()
        os.replace(tmp, path)  # readers see the old file or the new one, never half of one
        return True
    except (OSError, sqlite3.Error):
        return False
    finally:
        os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


_EMOJI_CODE = re.compile(r":\S*?:")


def _as_printed(text: str) -> bool:
    """Whether rich prints the string ``text`` as it is: no ``:emoji:`` code it would replace."""
    if _EMOJI_CODE.search(text) is None:
        return True
    from rich._emoji_replace import _emoji_replace

    return _emoji_replace(text) == text


def _measurable(text: str) -> bool:
    """Whether ``text`` (typed by the user) is one character per grapheme, as the layout assumes."""
    if text.isascii():
        return True
    from rich.cells import split_graphemes

    graphemes, _ = split_graphemes(text)
    return len(graphemes) == len(text) and all(end - start == 1 for start, end, _ in graphemes)


class Writer:
    """Rows and lines for one stream, drawn as rich's Console.print would."""

    def __init__(self, term: Terminal, cells: _Cells | None = None) -> None:
        self.term = term
        self.cells = cells or _Cells({})
        self.parts: list[str] = []

    def rows(self, rows: Sequence[Row]) -> None:
        paint = self.term.paint
        for row in rows:
            self.parts.append("".join(paint(text, style) for text, style in row))
            self.parts.append("\n")

    def text(self, plain: str, spans: Sequence[Span] = (), style: str | None = None) -> None:
        """``Console.print(Text or str, style=style)``: wrapped on a terminal, soft-wrapped into a pipe."""
        on_terminal = self.term.is_terminal
        rows = wrap(plain, spans, None, self.term.width, self.cells, wrap=on_terminal)
        if style:
            rows = [[(t, f"{style} {s}" if s else style) for t, s in row] for row in rows]
        if on_terminal:
            rows = [crop(row, self.term.width, self.cells) for row in rows]
        self.rows(rows)

    def blank(self) -> None:
        self.parts.append("\n")

    def rule(self) -> None:
        self.rows([[(_LINE * self.term.width, "dim")]])

    def output(self) -> str:
        return "".join(self.parts)


def draw_hits(
    term: Terminal,
    hits: Sequence[Hit],
    cards: dict[int, Prepared],
    *,
    query: str,
    more: Sequence[Hit],
    framework: str | None,
    pair: tuple[str, str] | None,
    verbose: bool,
) -> str | None:
    """All that `fwcheat search` prints on stdout for ``hits`` (at least one); None if rich must."""
    from fwcheat.sanitize import safe_line

    out = Writer(term)
    if not _measurable(query):
        return None
    if not hits[0].close:
        nearest = ", ".join(hit.card.id for hit in hits)
        line = safe_line(f"No close match for {query!r}; nearest: {nearest}")
        if not _as_printed(line):
            return None
        out.text(line, style="yellow")
        out.blank()
    for index, hit in enumerate(hits):
        card = cards[hit.doc]
        if index:
            out.blank()
            if term.is_terminal:
                out.rule()
        score = hit.score if verbose else None
        matched = sorted(hit.via)
        if term.is_terminal:
            rows = entry_rows(
                card,
                term.width,
                framework=framework,
                pair=pair,
                matched=matched,
                score=score,
                via=matched if verbose else (),
            )
            out.rows(rows)
        else:
            plain = entry_plain_text(card, framework=framework, pair=pair, matched=matched, score=score)
            if not _as_printed(plain):
                return None
            out.cells = _Cells(card.widths)
            out.text(plain)
    if more:
        line = f"More: {safe_line(', '.join(h.card.id for h in more))}  (fwcheat show ID)"
        if not _as_printed(line):
            return None
        out.blank()
        out.text(line, style="dim")
    return out.output()


def draw_suggestions(term: Terminal, query: str, suggestions: Sequence[str]) -> str | None:
    """What :func:`fwcheat.render.print_suggestions` prints; None if rich must."""
    from fwcheat.sanitize import safe_line

    if not _measurable(query + "".join(suggestions)):
        return None
    plain = f"No idiom matches {safe_line(repr(query))}."
    spans: list[Span] = []
    if suggestions:
        plain += " Did you mean: "
        names = safe_line(", ".join(suggestions))
        if names:
            spans.append((len(plain), len(plain) + len(names), "bold"))
        plain += names + "?"
    out = Writer(term)
    out.text(plain, spans)
    return out.output()
