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
    "`[kernels] idle_timeout` in the config file), even if fwcheat was killed. The resident "
    "run helper that answers plain `fwcheat run` commands on them is listed and stopped too."
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
    from fwcheat.kernels.warm import (
        resident_record,
        runtime_root,
        stop_resident,
        stop_warm_kernels,
        warm_kernels,
    )

    try:
        root = runtime_root()
    except OSError as exc:
        print(f"fwcheat kernels: cannot use the runtime folder: {exc}", file=sys.stderr)
        return 2
    if args.action == "stop":
        helper = stop_resident(root)
        stopped = stop_warm_kernels(root)
        if args.json:
            import json

            stopped_payload: dict[str, object] = {
                "stopped": [k.to_dict() for k in stopped],
                "resident_stopped": helper,
            }
            sys.stdout.write(json.dumps(stopped_payload, indent=2) + "\n")
            return 0
        if stopped:
            names = ", ".join(f"{label(k.framework)} (pid {k.pid})" for k in stopped)
            print(f"stopped {len(stopped)} warm kernel{'s' if len(stopped) != 1 else ''}: {names}")
        else:
            print("no warm kernels")
        if helper is not None:
            print(f"stopped the resident run helper (pid {helper})")
        return 0
    kernels = warm_kernels(root)
    helper_line, helper_facts = _resident(root, resident_record(root))
    if args.json:
        import json

        payload: dict[str, object] = {
            "runtime_dir": str(root),
            "kernels": [k.to_dict() for k in kernels],
            "resident": helper_facts,
        }
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return 0
    if not kernels:
        print("no warm kernels (`fwcheat run` or `fwcheat verify` leaves some)")
        if helper_line:
            print(helper_line)
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
    if helper_line:
        print(helper_line)
    print(f"stop them with `fwcheat kernels stop`; they exit by themselves when idle ({root})")
    return 0


def _resident(root: str, record: dict[str, object] | None) -> tuple[str, dict[str, object] | None]:
    """The resident run helper (see fwcheat.resident) as a line and as JSON; ('', None) when none runs."""
    if record is None:
        return "", None
    import time

    from fwcheat.kernels.procs import process_rss

    pid = int(str(record.get("pid")))
    idle = max(time.time() - float(str(record.get("last_used", 0))), 0.0)
    exits_in = max(float(str(record.get("idle_timeout", 0))) - idle, 0.0)
    served = int(str(record.get("served", 0)))
    facts: dict[str, object] = {
        "pid": pid,
        "idle": idle,
        "served": served,
        "memory": process_rss(pid),
        "exits_in": exits_in,
    }
    line = (
        f"resident run helper: pid {pid}, {served} command{'s' if served != 1 else ''} answered, "
        f"idle {_duration(idle)}, {_size(process_rss(pid))}, exits in {_duration(exits_in)}"
    )
    return line, facts
