"""`fwcheat tui [QUERY]` (and plain `fwcheat`): the interactive browser and runner."""

from __future__ import annotations

import argparse

from fwcheat.commands._common import add_device_option, chosen_device, usable_device

HELP = "open the interactive browser: search, read side by side, run and compare (default)"
DESCRIPTION = (
    "Open the terminal UI: search as you type (English, 中文, API names), read two "
    "frameworks' versions side by side, edit and run them in live kernels on the device of "
    "your choice, and see whether the results agree. Press ? inside for the keys."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from fwcheat.frameworks import DEFAULT_PAIR, label

    parser.add_argument("query", nargs="*", help="start with this search")
    add_device_option(parser, auto=False)
    parser.add_argument(
        "--scan",
        metavar="FILE",
        help=f"show FILE with its {label(DEFAULT_PAIR[0])} API uses marked; picking one shows its entry, "
        "ready to run",
    )
    parser.add_argument(
        "--no-kernels", action="store_true", help="browse only; start no kernels until a run is asked for"
    )


def no_terminal() -> str | None:
    """Why the full-screen browser cannot start here (stdin or stdout is not a terminal), or None."""
    import sys

    for name, stream in (("input", sys.stdin), ("output", sys.stdout)):
        if stream is None or not stream.isatty():
            return f"its {name} is not a terminal"
    return None


def main(args: argparse.Namespace) -> int:

    reason = no_terminal()
    if reason is not None:
        import sys

        print(
            f"fwcheat: the interactive browser needs a terminal ({reason}); "
            "to search from a script or a pipe, use `fwcheat search WORDS` (or `fwcheat list`)",
            file=sys.stderr,
        )
        return 2

    device = chosen_device(args, "tui", auto=False)
    if device is None:
        return 2
    device = usable_device(device, "tui")  # a GPU that is not there: refused before anything starts
    if device is None:
        return 2
    import os

    if args.scan is not None and not os.path.isfile(args.scan):
        raise SystemExit(f"fwcheat tui: --scan {args.scan!r}: no such file")
    from fwcheat.tui.app import FwcheatApp

    app = FwcheatApp(
        " ".join(args.query), start_kernels=not args.no_kernels, device=str(device), scan=args.scan
    )
    app.run()
    return int(app.return_code or 0)
