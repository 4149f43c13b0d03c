"""Small helpers shared by the CLI commands (console, framework names)."""

from __future__ import annotations

import argparse
import sys

TYPE_CHECKING = False  # typing itself is not imported on the search path
if TYPE_CHECKING:
    from rich.console import Console

    from fwcheat.devices import DeviceRequest
    from fwcheat.store import Store


def add_framework_option(parser: argparse.ArgumentParser) -> None:
    """-f/--framework (one framework of the table) and --pair FROM,TO, for the commands that show entries."""
    from fwcheat.frameworks import DEFAULT_PAIR, FRAMEWORKS

    parser.add_argument(
        "-f",
        "--framework",
        choices=FRAMEWORKS,
        help="only entries with a snippet for this framework, and only that snippet",
    )
    parser.add_argument(
        "--pair",
        metavar="FROM,TO",
        help=(
            "the two frameworks to show side by side (default: [frameworks] pair in the config "
            f"file, else {','.join(DEFAULT_PAIR)})"
        ),
    )


def chosen_pair(args: argparse.Namespace, command: str) -> tuple[str, str] | None:
    """--pair, else the configured pair; None (reported on stderr) when it cannot be used."""
    from fwcheat.pair import PairError, configured_pair, parse_pair

    try:
        return parse_pair(args.pair) if args.pair else configured_pair()
    except PairError as exc:
        console(stderr=True).print(f"fwcheat {command}: {exc}", markup=False, highlight=False, soft_wrap=True)
        return None


def console(stderr: bool = False) -> Console:
    """A console for stdout or stderr; into a pipe or file, lines are never hard-wrapped."""
    from rich.console import Console

    out = Console(stderr=stderr, file=sys.stderr if stderr else None, highlight=False)
    if not out.is_terminal:
        out.soft_wrap = True
    return out


def report_broken_files(store: Store) -> None:
    """One line on stderr when knowledge files could not be loaded (their entries are missing)."""
    broken = store.broken_files()
    if not broken:
        return
    from fwcheat.sanitize import safe_line

    shown = ", ".join(safe_line(path) for path in broken[:3]) + (", …" if len(broken) > 3 else "")
    print(
        f"fwcheat: skipped {counted(len(broken), 'broken knowledge file')} ({shown}); "
        "`fwcheat validate` says what is wrong",
        file=sys.stderr,
    )


def unknown_entry(entry_id: str, command: str) -> int:
    """Report an unknown id, with the ids it may have meant; the exit status for it."""
    from fwcheat.search import Searcher

    suggestions = Searcher().suggest(entry_id, ids_only=True)
    hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else " `fwcheat search` finds ids."
    console(stderr=True).print(f"fwcheat {command}: no entry {entry_id!r}.{hint}", markup=False)
    return 1


def add_device_option(parser: argparse.ArgumentParser, *, auto: bool = True) -> None:
    """The one --device option of every command that runs code (run, verify, tui, repl)."""
    choices = "cpu (default), cuda, cuda:N, gpu:N" + (" or auto (a GPU when there is one)" if auto else "")
    parser.add_argument(
        "--device",
        default="cpu",
        help=f"the device snippets run on, bound to each framework's device variable: {choices}",
    )


def chosen_device(args: argparse.Namespace, command: str, *, auto: bool = True) -> DeviceRequest | None:
    """The parsed --device; None (the reason printed on stderr) when it cannot be used."""
    from fwcheat.devices import DeviceSpecError, parse_device

    err = console(stderr=True)
    try:
        device = parse_device(args.device)
    except DeviceSpecError as exc:
        err.print(f"fwcheat {command}: {exc}", markup=False)
        return None
    if device.kind == "auto" and not auto:
        err.print(f"fwcheat {command}: pick a device explicitly (cpu or cuda:N); `auto` is for the CLI")
        return None
    return device


def counted(count: int, noun: str, plural: str = "") -> str:
    """``1 file``, ``2 files``: a count with its noun in the right number."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def add_execution_options(parser: argparse.ArgumentParser, *, timeout_help: str) -> None:
    """--device and --timeout, shared by the commands that run snippets."""
    add_device_option(parser)
    parser.add_argument("--timeout", type=float, default=60.0, help=timeout_help)


def add_fresh_option(parser: argparse.ArgumentParser) -> None:
    """--fresh, for the commands that leave their kernels warm."""
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="start private kernels, stopped when the command ends, instead of reusing or leaving "
        "warm ones (see `fwcheat kernels`; `warm = false` under [kernels] in the config file makes "
        "it the default)",
    )


def execution_device(args: argparse.Namespace, command: str) -> DeviceRequest | None:
    """The parsed --device of a command that runs snippets; None (reported on stderr) when bad."""
    if args.timeout <= 0:
        console(stderr=True).print(f"fwcheat {command}: --timeout must be positive", markup=False)
        return None
    return chosen_device(args, command)


def usable_device(device: DeviceRequest, command: str) -> DeviceRequest | None:
    """``device`` checked against this machine before any kernel starts; None (reason on stderr) if absent.

    ``auto`` is settled here when the GPUs can be counted, and the choice said on stderr.
    """
    from fwcheat.devices import host_gpu_count, resolve_auto, unavailable_reason

    gpus = host_gpu_count()
    reason = unavailable_reason(device, gpus)
    if reason is not None:
        print(f"fwcheat {command}: {reason}", file=sys.stderr)
        return None
    chosen = resolve_auto(device, gpus)
    if device.kind == "auto":
        why = "no GPU found" if chosen.kind == "cpu" else f"{gpus} GPU{'s' if gpus != 1 else ''} found"
        if chosen.kind == "auto":
            why = "the kernels will pick"
        print(f"fwcheat {command}: --device auto: using {chosen} ({why})", file=sys.stderr)
    return chosen
