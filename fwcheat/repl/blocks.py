"""When does Enter run the input, and when does it open a new line?

The rule is IPython's: a block runs as soon as it is complete; a compound
statement (``for``, ``def``, ``with``…) is complete once a blank line follows
it. The check runs on every Enter, synchronously, so it must not wait for a
kernel: IPython's own checker (the one its kernels use for
``is_complete_request``) is imported here, with :mod:`codeop` as the fallback
where IPython is missing.
"""

from __future__ import annotations

import codeop
from functools import cache
from typing import Any, Literal

BlockState = Literal["complete", "incomplete", "invalid"]


@cache
def _ipython_checker() -> Any:
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:  # pragma: no cover - ipykernel brings IPython
        return None
    return TransformerManager()


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _codeop_state(code: str) -> tuple[BlockState, int]:
    last = code.split("\n")[-1]
    try:
        compiled = codeop.compile_command(code, "<repl>", "exec")
    except (SyntaxError, OverflowError, ValueError):
        return "invalid", 0
    if compiled is None:
        return "incomplete", _indent_of(last) + (4 if last.rstrip().endswith(":") else 0)
    if "\n" in code and last.strip() and last[0].isspace():
        return "incomplete", _indent_of(last)  # inside a block until a blank line
    return "complete", 0


def block_state(code: str) -> tuple[BlockState, int]:
    """Whether ``code`` is ready to run, and the indent of the next line if not."""
    if not code.strip():
        return "complete", 0
    checker = _ipython_checker()
    if checker is None:
        return _codeop_state(code)
    status, indent = checker.check_complete(code)
    if status == "incomplete":
        return "incomplete", int(indent or 0)
    if status == "invalid":
        return "invalid", 0
    return "complete", 0
