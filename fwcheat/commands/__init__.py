"""The subcommands of `fwcheat`, one module each.

Each module in this package defines:

- ``HELP``: a one-line description shown in ``fwcheat --help``;
- ``add_arguments(parser)``: its options;
- ``main(args) -> int``: runs it and returns the exit status.

Modules import only the standard library at module level: building the
argument parser imports every one of them, and `fwcheat search` must stay
instant. Heavy imports (jupyter, textual, prompt_toolkit) go inside ``main``.
"""

from __future__ import annotations

#: Subcommand names, in the order `fwcheat --help` lists them.
COMMANDS: tuple[str, ...] = (
    "search",
    "show",
    "scan",
    "port",
    "list",
    "validate",
    "repl",
    "verify",
    "run",
    "weights",
    "check",
    "kernels",
    "doctor",
    "tui",
)

#: What `fwcheat` with no subcommand runs, when that command exists.
DEFAULT_COMMAND = "tui"
