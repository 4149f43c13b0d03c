"""`fwcheat run`'s results drawn without rich, for the quick path on warm kernels.

Importing rich costs several times what a run on a warm kernel takes. This
module draws what :func:`fwcheat.render_run.write_results` draws (the title
line, one panel per framework, the wall time) with the layout primitives of
:mod:`fwcheat.fastcards`, byte for byte (a test compares the two on many
outputs, widths and colour systems). It covers the stacked layout with ASCII
output; for anything else (panels side by side, wide or combining characters,
tabs, verdicts) :func:`draw` returns None and rich draws.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from fwcheat.fastcards import Row, Span, Terminal
    from fwcheat.kernels.base import ExecutionResult

#: Each run status's style, by status value (render_run takes its table from here).
RUN_STYLE = {
    "ok": "green",
    "error": "red",
    "timed out": "magenta",
    "interrupted": "yellow",
    "died": "bold red",
}
#: Below this many columns the outputs are stacked instead of side by side.
SIDE_BY_SIDE_MIN_WIDTH = 100
_KNOWN = {"·": 1}


def _plain_ok(text: str) -> bool:
    """Text this module lays out as rich does: ASCII but for the middle dot, no tabs."""
    return "\t" not in text and (text.isascii() or text.replace("·", "").isascii())


def _body(result: ExecutionResult) -> tuple[str, list[Span]] | None:
    """render_run.result_text as (plain, spans); None when it holds what this module does not lay out."""
    from fwcheat.fastcards import joined
    from fwcheat.kernels.base import Status
    from fwcheat.sanitize import safe_line, safe_text

    parts: list[tuple[str, str | None]] = []
    for event in result.events:
        if event.kind == "stdout":
            parts.append((safe_text(event.text), None))
        elif event.kind == "stderr":
            parts.append((safe_text(event.text), "dim yellow"))
        elif event.kind in ("result", "display"):
            parts.append((safe_text(event.text.rstrip("\n")) + "\n", "cyan"))
        elif event.kind == "image":
            parts.append((f"[image saved to {safe_line(event.text)}]\n", "blue"))
    if result.error is not None and result.status is Status.ERROR:
        from fwcheat.outputs import strip_ansi

        tb = [safe_text(strip_ansi(line)) for line in result.error.traceback]
        error = "\n".join(tb).strip("\n") + "\n" if tb else f"{safe_text(str(result.error))}\n"
        parts.append((error, "red"))
    if result.reason and result.status is not Status.ERROR:
        parts.append((safe_text(result.reason) + "\n", RUN_STYLE[result.status.value]))
    plain, spans = joined(parts)
    if not _plain_ok(plain):
        return None
    # rich's Text.rstrip: trailing whitespace goes, and the spans with it.
    kept = len(plain.rstrip())
    plain = plain[:kept]
    spans = [(s, min(e, kept), st) for s, e, st in spans if s < kept]
    return plain, spans


def _panel(label: str, subtitle: str, style: str, body: tuple[str, list[Span]], width: int) -> list[Row]:
    from fwcheat import fastcards as fc

    cells = fc._Cells(_KNOWN)
    inner = width - 4
    title = " " + label + " "
    top: Row = [(fc._TOP_LEFT + fc._LINE, style), (title, style)]
    if width - 4 - cells(title) > 0:
        top.append((fc._LINE * (width - 4 - cells(title)), style))
    top.append((fc._LINE + fc._TOP_RIGHT, style))
    rows = [top]
    plain, spans = body
    for row in fc.wrap(plain, spans, None, inner, cells):
        padded = fc.crop(row, inner, cells, pad=True)
        rows.append([(fc._SIDE, style), (" ", None), *padded, (" ", None), (fc._SIDE, style)])
    sub = " " + subtitle + " "
    bottom: Row = [(fc._BOTTOM_LEFT + fc._LINE, style)]
    if width - 4 - cells(sub) > 0:
        bottom.append((fc._LINE * (width - 4 - cells(sub)), style))
    bottom += [(sub, style), (fc._LINE + fc._BOTTOM_RIGHT, style)]
    rows.append(bottom)
    return rows


def draw(
    term: Terminal,
    title: str,
    entry_id: str,
    device: str,
    results: dict[str, ExecutionResult],
    wall: float,
) -> str | None:
    """What write_results prints for ``results`` (no verdicts), or None where rich must draw it."""
    from fwcheat import fastcards as fc
    from fwcheat.frameworks import label
    from fwcheat.sanitize import safe_line

    width = term.width
    if len(results) > 1 and width >= SIDE_BY_SIDE_MIN_WIDTH * len(results) // 2:
        return None  # side by side: rich's table layout
    if width < 10:
        return None
    cells = fc._Cells(_KNOWN)
    head = safe_line(title)
    tail = f"  {entry_id} · device {device}"
    if not _plain_ok(head + tail):
        return None
    writer = fc.Writer(term, cells)
    writer.rows(fc.wrap(head + tail, [(len(head), len(head) + len(tail), "dim")], None, width, cells))
    for framework, result in results.items():
        body = _body(result)
        name = label(framework)
        if body is None or not _plain_ok(name):
            return None
        if result.error is not None and result.error.name == "KernelUnavailable":
            subtitle = "not run: framework unavailable"
        else:
            subtitle = f"{result.status.value} · {result.duration * 1000:.0f} ms"
        if result.truncated:
            subtitle += " · output cut"
        if cells(subtitle) + 4 > width - 4 or cells(name) + 2 > width - 4:
            return None  # titles that rich would truncate
        writer.rows(_panel(name, subtitle, RUN_STYLE[result.status.value], body, width))
    writer.rows(fc.wrap(f"wall time {wall * 1000:.0f} ms", [], "dim", width, cells))
    return writer.output()
