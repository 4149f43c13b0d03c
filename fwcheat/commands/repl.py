"""`fwcheat repl`: an interactive prompt running code in one framework's kernel."""

from __future__ import annotations

import argparse

from fwcheat.commands._common import add_device_option, chosen_device, usable_device

HELP = "interactive prompt that runs code in a framework's kernel, idioms one command away"
DESCRIPTION = (
    "Open a REPL whose code runs in the chosen framework's Jupyter kernel. Enter runs a complete "
    "block; :search, :show, :load, :pair, :run reach the knowledge base; :framework switches "
    "kernels (each keeps its state); :help lists all commands. Ctrl-C interrupts, Ctrl-D quits."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from fwcheat.frameworks import REFERENCE, RUNNABLE_FRAMEWORKS

    parser.add_argument(
        "-f",
        "--framework",
        choices=RUNNABLE_FRAMEWORKS,
        default=REFERENCE,
        help=f"the kernel to start in (default {REFERENCE})",
    )
    add_device_option(parser)


def main(args: argparse.Namespace) -> int:
    device = chosen_device(args, "repl")
    if device is None:
        return 2
    device = usable_device(device, "repl")  # a GPU that is not there: refused before anything starts
    if device is None:
        return 2
    from rich.console import Console

    from fwcheat.kernels.session import run_sync
    from fwcheat.repl.engine import ReplEngine
    from fwcheat.repl.session import ReplSession

    engine = ReplEngine(Console(highlight=False), args.framework, device)
    # run_sync turns SIGTERM / SIGHUP (terminal closed) into KeyboardInterrupt, so the
    # session's cleanup shuts the kernels down, and kills any that survive.
    return run_sync(ReplSession(engine).run())
