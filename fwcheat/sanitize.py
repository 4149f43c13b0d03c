"""Making untrusted text safe to show on a terminal: control characters become visible.

Text from a knowledge file, a file name or a kernel's output may hold escape
sequences (``ESC ] 2 ; ... BEL`` renames the terminal window, ``ESC [ 2 J``
clears the screen, OSC 52 writes the clipboard) or bidirectional overrides
that make code read differently from what runs. Rich drops a few control
characters (BEL, backspace, CR...) but prints ESC as is, so every front end
passes such text through :func:`safe_text` (or :func:`safe_line` for one-line
fields) first: each dangerous character is shown as an escape, e.g. ``\\x1b``.
Machine output (``--json``) is never sanitised: it must stay exact.

Light on purpose (only ``re``): it is on the search path.
"""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, C1 controls, line/paragraph separators,
# bidi embeddings/overrides/isolates and marks, and interlinear annotation marks.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufff9-\ufffb"
    "\ud800-\udfff]"
)
_UNSAFE_LINE = re.compile(_UNSAFE.pattern[:-1] + "\t\n]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code == 0x0A:
        return "\\n"
    if code == 0x09:
        return "\\t"
    if code == 0x0D:
        return "\\r"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def safe_text(text: str) -> str:
    """``text`` with every control character but newline and tab shown as an escape.

    A CRLF line end stays a line end.
    """
    if text.isprintable() and text.isascii():  # the common case: nothing to do, cheaply
        return text
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    return _UNSAFE.sub(_escape, text)


def safe_line(text: str) -> str:
    """``text`` for a one-line field (a title, an id, a table cell): newlines and tabs shown too."""
    if text.isprintable() and text.isascii():
        return text
    return _UNSAFE_LINE.sub(_escape, text)


_SGR = re.compile(r"(\x1b\[[0-9;]*m)")


def safe_ansi(text: str) -> str:
    """``text`` with its colour codes (SGR) kept for ``Text.from_ansi`` and every other escape shown."""
    return "".join(part if i % 2 else safe_text(part) for i, part in enumerate(_SGR.split(text)))


def is_safe(text: str) -> bool:
    """Whether ``text`` holds no character :func:`safe_text` would change."""
    return _UNSAFE.search(text) is None
