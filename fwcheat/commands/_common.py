"""Small helpers shared by the CLI commands (console, framework names)."""

from __future__ import annotations

import argparse
import sys

TYPE_CHECKING = False  # typing itself is not imported on the search path
if TYPE_CHECKING:
    from rich.console import Console

FRAMEWORK_CHOICES = ("pytorch", "mxnet", "tensorflow", "keras")


def add_framework_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-f",
        "--framework",
        choices=FRAMEWORK_CHOICES,
        help="only entries with a snippet for this framework, and only that snippet",
    )


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, file=sys.stderr if stderr else None, highlight=False)


def unknown_entry(entry_id: str) -> int:
    """Report an unknown id with suggestions; the exit status for it."""
    from fwcheat.render import print_suggestions
    from fwcheat.search import Searcher

    print_suggestions(console(stderr=True), entry_id, Searcher().suggest(entry_id))
    return 1
