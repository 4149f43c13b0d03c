"""`fwcheat scan PATH...`: every use of the source framework's API in the user's code, mapped."""

from __future__ import annotations

import argparse

from fwcheat.frameworks import DEFAULT_PAIR, FRAMEWORKS, label

HELP = f"find the {label(DEFAULT_PAIR[0])} (or other) API a codebase uses and what to read to port it"
DESCRIPTION = (
    "Scan Python files, folders (honouring .gitignore and --exclude) and Jupyter notebooks for uses "
    "of the source framework's API, and map each one to its knowledge entry, the target framework's "
    "way and the trap at that spot. Exit status: 0 nothing found, 1 findings (or files that could not "
    "be scanned), 2 usage error. Output formats are described in docs/scan.md."
)
FORMATS = ("text", "json", "markdown", "sarif")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to scan")
    parser.add_argument(
        "--from",
        dest="source",
        default=DEFAULT_PAIR[0],
        choices=FRAMEWORKS,
        help=f"the code's framework ({DEFAULT_PAIR[0]})",
    )
    parser.add_argument(
        "--to",
        dest="target",
        default=DEFAULT_PAIR[1],
        choices=FRAMEWORKS,
        help=f"the framework to port to ({DEFAULT_PAIR[1]})",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (text)")
    parser.add_argument("--json", action="store_true", help="same as --format json")
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="PATTERN",
        help="skip paths matching this .gitignore-style pattern (repeatable)",
    )
    parser.add_argument(
        "--max-size", type=float, default=5.0, metavar="MB", help="skip files larger than this (5 MB)"
    )


def main(args: argparse.Namespace) -> int:
    import sys

    def fail(message: str) -> int:
        print(f"fwcheat scan: {message}", file=sys.stderr)
        return 2

    if args.source == args.target:
        return fail("--from and --to name the same framework; pick two")
    if args.max_size <= 0:
        return fail("--max-size must be positive")
    from fwcheat.store import open_store

    store = open_store(announce=True)
    pairs = store.api_map_pairs()
    if (args.source, args.target) not in pairs:
        covered = ", ".join(f"--from {s} --to {t}" for s, t in sorted(pairs)) or "none"
        return fail(
            f"the knowledge base has no entries in both {args.source} and {args.target}; covered: {covered}"
        )
    from fwcheat.scan.report import Scanner
    from fwcheat.scan.sources import UsageError

    scanner = Scanner(store.api_map(args.source, args.target), max_bytes=int(args.max_size * 1_000_000))
    try:
        report = scanner.scan_paths(args.paths, args.exclude)
    except UsageError as exc:
        from fwcheat.scan.formats import escape

        return fail(escape(str(exc)))
    fmt = "json" if args.json else args.format
    from fwcheat.scan import formats

    if fmt == "json":
        text = formats.to_json(report)
    elif fmt == "markdown":
        text = formats.to_markdown(report)
    elif fmt == "sarif":
        text = formats.to_sarif(report)
    else:
        import os

        color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        text = formats.to_text(report, color=color)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()
    return 1 if report.findings or report.problems else 0
