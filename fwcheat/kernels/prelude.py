"""The code fwcheat sends to a kernel to prepare it, and to ask it things.

The kernel-side helpers live in :mod:`fwcheat.kernels.in_kernel`; this module
turns them into source text and into the small expressions the session
evaluates through ``user_expressions``.
"""

from __future__ import annotations

import ast
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from fwcheat.devices import DeviceRequest

MODULE = "_fwcheat_kernel"


@cache
def _helper_source() -> str:
    return (Path(__file__).with_name("in_kernel.py")).read_text(encoding="utf-8")


def startup_code(framework: str, cap: int) -> str:
    """Install the helpers as a module and import the framework."""
    return (
        "import sys as _fw_sys, types as _fw_types\n"
        f"_fw_m = _fw_types.ModuleType({MODULE!r})\n"
        f"exec(compile({_helper_source()!r}, '<fwcheat helpers>', 'exec'), _fw_m.__dict__)\n"
        f"_fw_sys.modules[{MODULE!r}] = _fw_m\n"
        f"_fw_m.STARTUP = _fw_m.startup({framework!r}, {cap + 1000})\n"
        "del _fw_sys, _fw_types, _fw_m\n"
    )


def call(function: str, *args: Any) -> str:
    """An expression calling a helper, for ``user_expressions``."""
    arguments = ", ".join(repr(a) for a in args)
    return f"__import__({MODULE!r}).{function}({arguments})"


def startup_expression() -> str:
    return f"__import__({MODULE!r}).STARTUP"


def bind_expression(framework: str, device: DeviceRequest, fresh: bool = False) -> str:
    """Empty the namespace (``fresh``) and define ``device`` / ``ctx``."""
    return call("bind", framework, device.kind, device.index, fresh)


PREPARE_MARK = "#fwcheat:prepare "  # same as in_kernel.PREPARE_MARK
#: How in_kernel.prepare_transformer's error begins when the kernel cannot be reset for a run.
PREPARE_FAILED = "fwcheat could not prepare the kernel"


def prepare_line(framework: str, device: DeviceRequest, fresh: bool = True, cwd: str | None = None) -> str:
    """A first cell line that makes the kernel bind ``device`` / ``ctx`` first.

    ``cwd`` (default: this process's working directory) becomes the kernel's,
    so a snippet's relative paths mean the same in a kernel left warm by a
    command started elsewhere.

    The kernel's input transformer runs :func:`bind` and drops the line, so
    the snippet runs in the same request; see ``in_kernel.prepare_transformer``.
    """
    if cwd is None:
        try:
            cwd = os.getcwd()
        except OSError:
            cwd = ""
    return PREPARE_MARK + json.dumps([framework, device.kind, device.index, fresh, cwd]) + "\n"


def decode_expression(reply: dict[str, Any] | None) -> dict[str, Any]:
    """Turn a ``user_expressions`` entry holding a JSON string into a dict."""
    if not reply:
        return {"error": "no answer from the kernel"}
    if reply.get("status") != "ok":
        return {"error": f"{reply.get('ename', 'Error')}: {reply.get('evalue', '')}"}
    text = reply.get("data", {}).get("text/plain", "")
    try:
        value = ast.literal_eval(text)
        data = json.loads(value)
    except (ValueError, SyntaxError, TypeError):
        return {"error": f"unexpected answer: {text[:200]!r}"}
    return data if isinstance(data, dict) else {"error": f"unexpected answer: {text[:200]!r}"}


def raw_expression(reply: dict[str, Any] | None) -> str | None:
    """The ``text/plain`` of a ``user_expressions`` entry that returned a str."""
    if not reply or reply.get("status") != "ok":
        return None
    try:
        value = ast.literal_eval(reply.get("data", {}).get("text/plain", ""))
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None
