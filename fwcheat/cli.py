"""The `fwcheat` command line: parses arguments and dispatches to a subcommand."""

from __future__ import annotations

import os
import sys

from fwcheat import __version__
from fwcheat.commands import COMMANDS, DEFAULT_COMMAND

TYPE_CHECKING = False  # typing itself is not imported on the search path
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from types import ModuleType


def _command_module(name: str) -> ModuleType:
    qualified = f"fwcheat.commands.{name.replace('-', '_')}"
    __import__(qualified)  # not importlib.import_module: importing importlib costs start-up time
    return sys.modules[qualified]


def _formatter() -> type[argparse.HelpFormatter]:
    """argparse's formatter, sized without importing shutil.

    argparse builds a formatter for every ``add_argument`` call, and the stock
    one imports shutil (and with it bz2 and lzma) to measure the terminal.
    (A function: argparse itself is imported only when a command line needs it.)
    """
    import argparse

    class _Formatter(argparse.HelpFormatter):
        def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24) -> None:
            try:
                columns = int(os.environ.get("COLUMNS", "")) or os.get_terminal_size().columns
            except (ValueError, OSError):
                columns = 80
            super().__init__(prog, indent_increment, max_help_position, width=max(columns - 2, 40))

    return _Formatter


def _names() -> str:
    from fwcheat.frameworks import TABLE

    labels = [row.label for row in TABLE]
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; with ``only``, just that subcommand's (a cheap start for `search`)."""
    import argparse

    _Formatter = _formatter()
    parser = argparse.ArgumentParser(
        prog="fwcheat",
        formatter_class=_Formatter,
        description=(
            f"A cheat-sheet across {_names()}: search idioms, read them side by side, "
            "and run them in real Jupyter kernels."
        ),
        epilog="Run `fwcheat COMMAND --help` for a command's options. "
        "With no command, fwcheat opens the interactive browser (TUI).",
    )
    parser.add_argument("--version", action="version", version=f"fwcheat {__version__}")
    # An explicit prog keeps argparse from measuring the terminal (importing shutil) at start-up.
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", prog="fwcheat")
    for name in COMMANDS:
        if only is not None and name != only:
            continue
        module = _command_module(name)
        command_parser = sub.add_parser(
            name,
            help=module.HELP,
            description=getattr(module, "DESCRIPTION", module.HELP),
            formatter_class=_Formatter,
        )
        module.add_arguments(command_parser)
        command_parser.set_defaults(_module=module)
    return parser


def _simple_args(arguments: list[str]) -> argparse.Namespace | None:
    """A command line its command reads without argparse (``parse_simple``), else None.

    For `fwcheat search`, importing and building argparse costs a good share of the
    whole answer; a plain command line (words and known options) is read directly and
    anything else (help, an error, an abbreviation) goes through argparse as before.
    """
    if not arguments or arguments[0] not in COMMANDS:
        return None
    module = _command_module(arguments[0])
    parse_simple = getattr(module, "parse_simple", None)
    args = parse_simple(arguments[1:]) if parse_simple is not None else None
    if args is not None:
        args.command = arguments[0]
        args._module = module
    return args


def parse_arguments(arguments: list[str]) -> argparse.Namespace | None:
    """The parsed command line; None when there is no command to run (help was printed)."""
    if not arguments and DEFAULT_COMMAND in COMMANDS:
        # Plain `fwcheat` opens the default command: only its options are needed.
        return build_parser(only=DEFAULT_COMMAND).parse_args([DEFAULT_COMMAND])
    args = _simple_args(arguments)
    if args is not None:
        return args
    # Building every subcommand's options costs more than a whole search: when the first
    # argument names a command, build only that one (`fwcheat --help` still lists them all).
    first = arguments[0] if arguments else None
    parser = build_parser(only=first if first in COMMANDS else None)
    args = parser.parse_args(arguments)
    if args.command is None:
        if DEFAULT_COMMAND not in COMMANDS:
            parser.print_help()
            return None
        parser = build_parser(only=DEFAULT_COMMAND)
        args = parser.parse_args([DEFAULT_COMMAND, *arguments])
    return args


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        if arguments[:1] == ["run"]:
            quick = _quick_run(arguments[1:])
            if quick is not None:
                return quick
        args = parse_arguments(arguments)
        if args is None:
            return 0
        return int(args._module.main(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `fwcheat search x | head`: the reader went away; that is not an error.
        sys.stderr.close()
        return 0


def _quick_run(arguments: list[str]) -> int | None:
    """`fwcheat run` on warm kernels (:mod:`fwcheat.quickrun`); None when the full path must run it.

    ``FWCHEAT_QUICK_RUN=0`` always takes the full path (to compare the two, or to step around a fault).
    """
    if os.environ.get("FWCHEAT_QUICK_RUN", "").strip() == "0":
        return None
    from fwcheat.quickrun import main as quick_main

    return quick_main(arguments)
