"""A small, fast Python highlighter for the CLI.

rich's ``Syntax`` goes through Pygments, whose Python lexer compiles dozens of
regular expressions on first use: more time than the whole rest of a search.
Snippets are short and plain Python, so one compiled pattern covering
comments, strings, numbers, keywords, builtins, decorators and call names is
enough, and renders in well under a millisecond.

:func:`spans` needs no rich: the index stores each snippet's spans
(:mod:`fwcheat.fastcards`), so a search's output can be drawn without importing rich.
"""

from __future__ import annotations

import builtins
import keyword
import re

TYPE_CHECKING = False  # typing itself is not imported on the search path
if TYPE_CHECKING:
    from rich.text import Text

STYLES = {
    "comment": "italic bright_black",
    "string": "green",
    "number": "cyan",
    "keyword": "bold magenta",
    "constant": "bold cyan",
    "builtin": "cyan",
    "decorator": "magenta",
    "definition": "bold blue",
    "call": "yellow",
}

_BUILTINS = sorted(
    (name for name in dir(builtins) if not name.startswith("_") and name not in ("True", "False", "None")),
    key=len,
    reverse=True,
)
_KEYWORDS = sorted((k for k in keyword.kwlist if k not in ("True", "False", "None")), key=len, reverse=True)
_STRING_PREFIX = r"(?:[rRbBuUfF]{0,2})"
_PATTERN = re.compile(
    "|".join(
        [
            r"(?P<comment>#[^\n]*)",
            rf"(?P<string>{_STRING_PREFIX}(?:'''[\s\S]*?'''|\"\"\"[\s\S]*?\"\"\"|'(?:\\.|[^'\\\n])*'|\"(?:\\.|[^\"\\\n])*\"))",
            r"(?P<number>\b(?:0[xX][0-9a-fA-F_]+|\d[\d_]*\.?\d*(?:[eE][+-]?\d+)?j?|\.\d+(?:[eE][+-]?\d+)?)\b)",
            r"(?P<definition>(?<=\bdef )\w+|(?<=\bclass )\w+)",
            rf"(?P<keyword>\b(?:{'|'.join(_KEYWORDS)})\b)",
            r"(?P<constant>\b(?:True|False|None)\b)",
            r"(?P<decorator>@[\w.]+)",
            rf"(?P<builtin>(?<![.\w])(?:{'|'.join(_BUILTINS)})\b)",
            r"(?P<call>\b\w+(?=\())",
        ]
    )
)


def spans(code: str) -> list[tuple[int, int, str]]:
    """``(start, end, style)`` of each highlighted stretch of ``code``, in order, never overlapping."""
    return [
        (match.start(), match.end(), STYLES[kind])
        for match in _PATTERN.finditer(code)
        if (kind := match.lastgroup) and match.end() > match.start()
    ]


def highlight(code: str) -> Text:
    """``code`` as a rich Text with Python syntax colours."""
    from rich.text import Text

    text = Text(code, no_wrap=False)
    for start, end, style in spans(code):
        text.stylize(style, start, end)
    return text
