"""`fwcheat verify [ID...]`: run entries in real kernels and check what they print."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fwcheat.commands._common import add_execution_options, add_fresh_option

HELP = "run idioms in real kernels and check their recorded output and results"
DESCRIPTION = (
    "Run every entry (or those named) in every framework it has, check each snippet's "
    "recorded `output` (normalised) and that each framework's `compare` variable agrees "
    "with the reference framework's. Exits 1 when any entry fails. With --update, rewrite the recorded "
    "`output:` of each snippet in its YAML file with what it printed."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("ids", nargs="*", metavar="ID", help="entries to verify (default: all)")
    add_fresh_option(parser)
    add_execution_options(parser, timeout_help="seconds one snippet may run (default 60)")
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        metavar="N",
        help="kernels per framework, sharing the entries (default: enough to keep the cores busy)",
    )
    parser.add_argument("--json", action="store_true", help="print the reports as JSON")
    parser.add_argument(
        "--update",
        action="store_true",
        help="record what each snippet printed as its `output:` in the YAML file",
    )


def main(args: argparse.Namespace) -> int:
    import contextlib
    import time

    from rich.console import Console

    from fwcheat.commands._common import console, execution_device, usable_device
    from fwcheat.kernels.config import ConfigError
    from fwcheat.kernels.session import KernelPool, run_sync
    from fwcheat.render_run import report_details, report_line, summary_line, summary_table
    from fwcheat.verify import (
        FAIL,
        EntryReport,
        lanes_for,
        outputs_to_record,
        record_outputs,
        select_entries,
        verify_entries,
    )

    err = console(stderr=True)  # a message into a pipe or log stays on one line
    out = Console(highlight=False)
    device = execution_device(args, "verify")
    if device is None:
        return 2
    device = usable_device(device, "verify")
    if device is None:
        return 2
    selection = select_entries(args.ids)
    if selection.unknown:
        err.print(f"fwcheat verify: no such entry: {', '.join(selection.unknown)}", markup=False)
        return 2
    if not selection.entries:
        err.print("fwcheat verify: no entries to verify", markup=False)
        return 2
    if args.jobs is not None and args.jobs < 1:
        err.print("fwcheat verify: --jobs must be 1 or more", markup=False)
        return 2
    lanes = args.jobs or lanes_for(selection.entries)
    try:
        pools = [KernelPool(device, warm=False if args.fresh else None) for _ in range(lanes)]
    except ConfigError as exc:
        err.print(f"fwcheat verify: {exc}", markup=False)
        return 2

    progress_console = err if args.json else out
    use_bar = progress_console.is_terminal

    async def go() -> list[EntryReport]:
        async with contextlib.AsyncExitStack() as stack:
            lanes = [await stack.enter_async_context(p) for p in pools]
            if not use_bar:
                return await verify_entries(
                    lanes,
                    selection.entries,
                    timeout=args.timeout,
                    on_report=lambda r: progress_console.print(report_line(r)),
                )
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

            with Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=progress_console,
                transient=True,
            ) as progress:
                task = progress.add_task("starting kernels", total=len(selection.entries))

                def advance(report: EntryReport) -> None:
                    if report.status == FAIL or report.warnings:
                        progress.console.print(report_line(report))
                    progress.update(task, advance=1, description=report.entry_id)

                return await verify_entries(lanes, selection.entries, timeout=args.timeout, on_report=advance)

    started = time.perf_counter()
    reports = run_sync(go())
    wall = time.perf_counter() - started
    failed = [r for r in reports if r.status == FAIL]

    changed_note: list[str] = []
    changed: list[Path] = []
    update_problems: list[str] = []
    if args.update:
        to_record = outputs_to_record(reports)
        changed, update_problems = record_outputs(to_record, selection.locations)
        n = sum(len(v) for v in to_record.values())
        from fwcheat.commands._common import counted
        from fwcheat.sanitize import safe_line

        landed = sum(len(v) for k, v in to_record.items() if selection.locations.get(k) in changed)
        if changed:
            changed_note = [f"recorded {counted(landed, 'output')} in {counted(len(changed), 'file')}"]
        elif n and not update_problems:
            changed_note = [f"{counted(n, 'output')} already recorded as printed; no file changed"]
        elif n:
            changed_note = [f"recorded none of {counted(n, 'output')}: no file changed"]
        changed_note += [f"  {safe_line(str(p))}" for p in changed]

    if args.json:
        import json

        payload = {
            "device": str(device),
            "wall": round(wall, 3),
            "passed": sum(r.status == "pass" for r in reports),
            "failed": len(failed),
            "skipped": sum(r.status == "skip" for r in reports),
            "entries": [r.to_dict() for r in reports],
            "updated": [str(p) for p in changed],
            "update_problems": update_problems,
        }
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    else:
        for report in failed:
            out.print(report_details(report))
        if out.is_terminal:
            out.print(summary_table(reports, wall))
        else:
            out.print(summary_line(reports, wall), markup=False, highlight=False)
        for line in changed_note:
            out.print(line, markup=False)
    for problem in update_problems:
        from fwcheat.sanitize import safe_text

        err.print(safe_text(f"fwcheat verify --update: {problem}"), markup=False)
    if args.update:
        recorded = outputs_to_record(reports)
        still_failing = [
            r
            for r in failed
            if any(
                not c.passed and not (c.problem == "output differs" and fw in recorded.get(r.entry_id, {}))
                for fw, c in r.checks.items()
            )
            or (r.verdict is not None and not r.verdict.ok)
        ]
        return 1 if still_failing or update_problems else 0
    return 1 if failed else 0
