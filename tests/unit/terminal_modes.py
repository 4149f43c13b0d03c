"""The ways rich can draw, as environments: shared by the tests that hold fast output to rich's."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from fwcheat import fastcards

#: Environment of each way rich can draw: into a pipe, and on terminals of each colour system.
MODES: dict[str, dict[str, str]] = {
    "pipe": {},
    "standard": {"FORCE_COLOR": "1", "TERM": "xterm"},
    "256": {"FORCE_COLOR": "1", "TERM": "xterm-256color"},
    "truecolor": {"FORCE_COLOR": "1", "COLORTERM": "truecolor"},
    "no-color": {"FORCE_COLOR": "1", "TERM": "xterm-256color", "NO_COLOR": "1"},
    "dumb": {"FORCE_COLOR": "1", "TERM": "dumb"},
}
#: The variables that decide how rich (and fastcards) draw.
KEYS = (
    "FORCE_COLOR",
    "TERM",
    "COLORTERM",
    "NO_COLOR",
    "COLUMNS",
    "LINES",
    "TTY_COMPATIBLE",
    "UNICODE_VERSION",
    fastcards.DISABLE_ENV,
)


@contextlib.contextmanager
def console_env(values: dict[str, str]) -> Iterator[None]:
    """Only ``values`` of :data:`KEYS` set, for the block."""
    saved = {key: os.environ.get(key) for key in KEYS}
    for key in KEYS:
        os.environ.pop(key, None)
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
