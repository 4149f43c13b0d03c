"""Normalising printed output so recorded and actual output compare fairly.

Some of what a snippet prints changes from run to run or machine to machine
without meaning anything: memory addresses, which device a tensor sits on,
trailing spaces. Both sides are normalised the same way before comparing.
"""

from __future__ import annotations

import difflib
import re

_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")
_MX_DEVICE = re.compile(r"@(?:cpu|gpu|cpu_pinned|cpu_shared)\(\d+\)")
_TORCH_DEVICE = re.compile(r",?\s*device='(?:cuda|cpu|mps)(?::\d+)?'")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def normalise(text: str) -> str:
    """The parts of ``text`` that must match: see the module docstring."""
    text = text.replace("\r\n", "\n")
    text = _ADDRESS.sub("0x…", text)
    text = _MX_DEVICE.sub("@device", text)
    text = _TORCH_DEVICE.sub("", text)
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
