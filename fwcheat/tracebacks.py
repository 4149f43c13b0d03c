"""Tracebacks as a reader of the snippet needs them.

A snippet runs as its hidden setup followed by the code shown, so the kernel's
line numbers count setup lines the reader never saw, and an error deep inside a
framework arrives under dozens of that framework's own frames. :func:`tidy`
rewrites an IPython traceback so that line numbers are those of the code
shown, setup lines are left out, and runs of frames outside the snippet are
folded into one "… N library frames …" line. Plain text in, plain text out.
"""

from __future__ import annotations

import re

from fwcheat.outputs import strip_ansi

__all__ = ["setup_line_count", "tidy", "tidy_message"]

_CELL = re.compile(r"^(?P<head>\s*Cell In\[\d+\], line )(?P<line>\d+)(?P<rest>.*)$")
_TOKENIZE = re.compile(r"File <tokenize>:(?P<line>\d+)")
_CONTEXT = re.compile(r"^(?P<arrow>-+> |\s+)(?P<line>\d+)(?P<rest>( .*)?)$")
_MESSAGE_LINE = re.compile(r"\((?:[\w.-]+\.py|<[\w-]+>), line (?P<line>\d+)\)")


def setup_line_count(setup: str) -> int:
    """How many lines the setup puts before the code (as the runner joins them)."""
    return len(setup.rstrip("\n").splitlines()) if setup.strip() else 0


def _shown(line: int, offset: int) -> str:
    return f"{line - offset}" if line > offset else f"{line} of the setup"


def _frame(text: str, offset: int, *, numbered: bool = True) -> str | None:
    """A frame of the snippet renumbered, without setup lines; None when it is not the snippet's.

    ``numbered``: the lines under the head are numbered source lines (a runtime
    error's frame), not the quoted line and caret of a syntax error.
    """
    lines = text.rstrip("\n").split("\n")
    head = _CELL.match(lines[0])
    if head is None:
        return None
    out = [f"code line {_shown(int(head['line']), offset)}{head['rest']}"]
    for line in lines[1:]:
        context = _CONTEXT.match(line) if numbered else None
        if context is None:
            out.append(line)
            continue
        number = int(context["line"])
        if number <= offset:
            continue
        arrow = "----> " if context["arrow"].startswith("-") else "      "
        out.append(f"{arrow}{number - offset}{context['rest']}")
    return "\n".join(out)


def tidy(traceback: list[str], setup_lines: int) -> list[str]:
    """``traceback`` (IPython's, one item per frame) with the snippet's own line numbers.

    Frames outside the snippet (the framework's, Python's) are folded, so the
    snippet's frame and the message stand out.
    """
    out: list[str] = []
    library = 0

    def fold() -> None:
        nonlocal library
        if library:
            out.append(f"… {library} library frame{'s' if library != 1 else ''} …")
            library = 0

    items = [strip_ansi(item) for item in traceback]
    for index, item in enumerate(items):
        last = index == len(items) - 1
        stripped = item.strip()
        if not stripped or set(stripped) == {"-"}:
            continue
        if "Traceback (most recent call last)" in item and index < 2:
            continue  # the header repeats the error's name, which the last line gives
        frame = _frame(item.strip("\n").lstrip(" "), setup_lines, numbered=not last)
        if frame is not None:
            fold()
            out.append(frame)
        elif stripped.startswith("File ") and not last:
            library += 1
        else:
            fold()
            out.append(_retell(item, setup_lines))
    fold()
    return out


def _retell(text: str, offset: int) -> str:
    """Line numbers inside a message (``File <tokenize>:4``, ``(x.py, line 4)``) made the snippet's."""
    text = _TOKENIZE.sub(lambda m: f"line {_shown(int(m['line']), offset)}", text)
    return _MESSAGE_LINE.sub(lambda m: f"(line {_shown(int(m['line']), offset)})", text)


def tidy_message(value: str, setup_lines: int) -> str:
    """An exception's message with its line numbers made the snippet's."""
    return _retell(value, setup_lines)
