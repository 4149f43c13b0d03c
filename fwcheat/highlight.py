"""A small, fast Python highlighter for the CLI.

rich's ``Syntax`` goes through Pygments, whose Python lexer compiles dozens of
regular expressions on first use: more time than the whole rest of a search.
Snippets are short and plain Python, so one compiled pattern covering
comments, strings, numbers, keywords, builtins, decorators and call names is
enough, and renders in well under a millisecond.
"""

from __future__ import annotations

import builtins
import keyword
import re

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


def highlight(code: str) -> Text:
    """``code`` as a rich Text with Python syntax colours."""
    text = Text(code, no_wrap=False)
    for match in _PATTERN.finditer(code):
        kind = match.lastgroup
        if kind:
            text.stylize(STYLES[kind], match.start(), match.end())
    return text
