"""`fwcheat kernels [stop]`: the kernels `run` and `verify` left warm, and stopping them."""

from __future__ import annotations

import argparse
import sys

HELP = "list the kernels left warm by run and verify, or stop them"
DESCRIPTION = (
    "`fwcheat run` and `fwcheat verify` leave their kernels running so the next command "
    "starts in milliseconds instead of seconds. This lists them (framework, pid, idle time, "
    "memory, when each exits by itself); `fwcheat kernels stop` ends them now. A warm kernel "
    "exits by itself after `idle_timeout` seconds without a request (600 by default; "
    "`[kernels] idle_timeout` in the config file), even if fwcheat was killed."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action", nargs="?", choices=("list", "stop"), default="list", help="list (default) or stop them"
    )
    parser.add_argument("--json", action="store_true", help="print them as JSON")


def _size(value: int | None) -> str:
    if value is None:
        return "?"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit in ("B", "KiB") else f"{value:.1f} {unit}"
        value = value / 1024  # type: ignore[assignment]
    return "?"


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def main(args: argparse.Namespace) -> int:
    from fwcheat.frameworks import label
    from fwcheat.kernels.warm import runtime_root, stop_warm_kernels, warm_kernels

    try:
        root = runtime_root()
    except OSError as exc:
        print(f"fwcheat kernels: cannot use the runtime folder: {exc}", file=sys.stderr)
        return 2
    if args.action == "stop":
        stopped = stop_warm_kernels(root)
        if args.json:
            import json

            sys.stdout.write(json.dumps({"stopped": [k.to_dict() for k in stopped]}, indent=2) + "\n")
        elif stopped:
            names = ", ".join(f"{label(k.framework)} (pid {k.pid})" for k in stopped)
            print(f"stopped {len(stopped)} warm kernel{'s' if len(stopped) != 1 else ''}: {names}")
        else:
            print("no warm kernels")
        return 0
    kernels = warm_kernels(root)
    if args.json:
        import json

        payload = {"runtime_dir": str(root), "kernels": [k.to_dict() for k in kernels]}
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return 0
    if not kernels:
        print("no warm kernels (`fwcheat run` or `fwcheat verify` leaves some)")
        return 0
    rows = [("framework", "pid", "idle", "memory", "exits in")]
    for k in kernels:
        idle = "in use" if k.in_use else _duration(k.idle)
        exits = "-" if k.in_use else _duration(k.exits_in)
        name = label(k.framework) + (f" #{k.slot + 1}" if k.slot else "")
        rows.append((name, str(k.pid), idle, _size(k.memory), exits))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    print(f"stop them with `fwcheat kernels stop`; they exit by themselves when idle ({root})")
    return 0
