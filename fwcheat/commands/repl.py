"""`fwcheat repl`: an interactive prompt running code in a PyTorch or MXNet kernel."""

from __future__ import annotations

import argparse

HELP = "interactive prompt that runs code in a PyTorch or MXNet kernel, idioms one command away"
DESCRIPTION = (
    "Open a REPL whose code runs in the chosen framework's Jupyter kernel. Enter runs a complete "
    "block; :search, :show, :load, :pair, :run reach the knowledge base; :framework switches "
    "kernels (each keeps its state); :help lists all commands. Ctrl-C interrupts, Ctrl-D quits."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-f",
        "--framework",
        choices=("pytorch", "mxnet"),
        default="pytorch",
        help="the kernel to start in (default pytorch)",
    )
    parser.add_argument(
        "--device",
        default="cpu",
        help="device bound to `device` / `ctx`: cpu, cuda, cuda:N, gpu:N or auto (default cpu)",
    )


def main(args: argparse.Namespace) -> int:
    from fwcheat.devices import DeviceSpecError, parse_device

    try:
        device = parse_device(args.device)
    except DeviceSpecError as exc:
        raise SystemExit(f"fwcheat repl: {exc}") from exc
    from rich.console import Console

    from fwcheat.kernels.session import run_sync
    from fwcheat.repl.engine import ReplEngine
    from fwcheat.repl.session import ReplSession

    engine = ReplEngine(Console(highlight=False), args.framework, device)
    # run_sync turns SIGTERM / SIGHUP (terminal closed) into KeyboardInterrupt, so the
    # session's cleanup shuts the kernels down, and kills any that survive.
    return run_sync(ReplSession(engine).run())
