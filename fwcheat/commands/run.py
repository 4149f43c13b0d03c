"""`fwcheat run ID`: run an idiom in real kernels and show both outputs side by side."""

from __future__ import annotations

import argparse
import sys

from fwcheat.commands._common import add_execution_options, add_fresh_option

HELP = "run an idiom in real kernels, one per framework, and compare the results"
DESCRIPTION = (
    "Run an entry's snippets in real Jupyter kernels (the frameworks at the same "
    "time, each in a fresh namespace), print the outputs side by side with timing, "
    "and, when the entry names a `compare` variable, whether each framework's value "
    "agrees with the reference's. Runs every framework the entry has unless -f names "
    "some. Exits 1 when a snippet fails or the values differ."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", help="the entry id (see `fwcheat list`)")
    from fwcheat.frameworks import FRAMEWORKS

    parser.add_argument(
        "-f",
        "--framework",
        metavar="FW[,FW...]",
        help=f"the snippets to run, comma-separated ({', '.join(FRAMEWORKS)}; default: all the entry has)",
    )
    parser.add_argument("--all", action="store_true", help="run every framework the entry has (the default)")
    add_fresh_option(parser)
    add_execution_options(parser, timeout_help="seconds a snippet may run (default 60)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")


def main(args: argparse.Namespace) -> int:
    import time

    from fwcheat.commands._common import console, execution_device, unknown_entry, usable_device
    from fwcheat.kernels.config import ConfigError
    from fwcheat.kernels.session import KernelPool, run_sync, runnable
    from fwcheat.store import open_store
    from fwcheat.verify import skip_reason

    err = console(stderr=True)  # a message into a pipe or log stays on one line
    device = execution_device(args, "run")
    if device is None:
        return 2
    device = usable_device(device, "run")
    if device is None:
        return 2
    # Through the index: one entry decoded, not every knowledge file parsed.
    found = open_store().entry(args.id)
    if found is None:
        return 2 if unknown_entry(args.id, "run") else 0
    entry = found
    frameworks = runnable(entry)
    if args.framework and not args.all:
        from fwcheat.frameworks import label, parse_list

        try:
            asked = parse_list(args.framework)
        except ValueError as exc:
            err.print(f"fwcheat run: {exc}", markup=False)
            return 2
        missing = [fw for fw in asked if fw not in frameworks]
        if missing:
            has = ", ".join(label(fw) for fw in frameworks) or "none"
            names = ", ".join(label(fw) for fw in missing)
            err.print(f"fwcheat run: {entry.id} has no {names} snippet (it has {has})", markup=False)
            return 2
        frameworks = asked
    if not frameworks:
        err.print(f"fwcheat run: {entry.id} has no snippet fwcheat can run", markup=False)
        return 2
    try:
        pool = KernelPool(device, warm=False if args.fresh else None)
    except ConfigError as exc:
        err.print(f"fwcheat run: {exc}", markup=False)
        return 2

    async def go() -> tuple[object, float]:
        async with pool:
            await pool.start(*frameworks)
            reason = skip_reason(entry, pool)
            if reason:
                return reason, 0.0
            started = time.perf_counter()
            outcome = await pool.run_entry(entry, frameworks, timeout=args.timeout)
            return outcome, time.perf_counter() - started

    if err.is_terminal and not args.json:
        with err.status(f"running {entry.id} ({', '.join(frameworks)}, {device})…"):
            outcome, wall = run_sync(go())
    else:
        outcome, wall = run_sync(go())
    if isinstance(outcome, str):
        err.print(f"fwcheat run: skipped {entry.id}: {outcome}", markup=False)
        return 0
    from fwcheat.run import EntryRun

    assert isinstance(outcome, EntryRun)
    if args.json:
        import json

        payload = {"id": entry.id, "device": str(device), "wall": round(wall, 4), **outcome.to_dict()}
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    else:
        from fwcheat.render_run import write_results

        write_results(entry.title, entry.id, str(device), outcome.results, wall, outcome.verdicts)
    return 0 if outcome.ok else 1
