"""Normalising printed output so recorded and actual output compare fairly.

Some of what a snippet prints changes from run to run or machine to machine
without meaning anything: memory addresses, which device a tensor sits on,
trailing spaces. Both sides are normalised the same way before comparing.
"""

from __future__ import annotations

import difflib
import re

from fwcheat.frameworks import TABLE

_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")
#: Each framework's own normalisers (where its tensors say which device they sit on).
_FRAMEWORK_RULES = [(re.compile(pattern), repl) for row in TABLE for pattern, repl in row.normalisers]
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def normalise(text: str) -> str:
    """The parts of ``text`` that must match: see the module docstring."""
    text = text.replace("\r\n", "\n")
    text = _ADDRESS.sub("0x…", text)
    for pattern, repl in _FRAMEWORK_RULES:
        text = pattern.sub(repl, text)
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def outputs_match(expected: str, actual: str) -> bool:
    return normalise(expected) == normalise(actual)


def output_diff(expected: str, actual: str, name: str = "output") -> str:
    """A unified diff of the normalised texts (empty when they match)."""
    lines = difflib.unified_diff(
        normalise(expected).splitlines(),
        normalise(actual).splitlines(),
        f"recorded {name}",
        f"actual {name}",
        lineterm="",
    )
    return "\n".join(lines)
