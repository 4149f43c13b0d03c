"""`fwcheat port SRC.py`: a PyTorch draft of Gluon code, each line translated by a rule or flagged."""

from __future__ import annotations

import argparse

from fwcheat.frameworks import DEFAULT_PAIR, label

_SOURCE, _TARGET = (label(key) for key in DEFAULT_PAIR)
HELP = f"rewrite a {_SOURCE} file as a {_TARGET} draft; every line translated by a rule or flagged for review"
DESCRIPTION = (
    f"Rewrite SRC.py (never edited) as a {_TARGET} draft on a concrete syntax tree that keeps comments "
    "and formatting. Each rewrite cites the knowledge entry that explains it; what no rule covers "
    "stays as it was under a `# fwcheat: TODO(entry) trap` comment. Without -o the draft goes to "
    "stdout and the report to stderr. Exit status: 0 all translated, 1 lines flagged for review, "
    "2 the file cannot be ported (syntax error, unreadable) or a usage error. See docs/port.md."
)
FORMATS = ("text", "json", "markdown")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", metavar="SRC.py", help=f"the {_SOURCE} file to port (read only)")
    parser.add_argument("-o", "--output", metavar="DST.py", help="write the draft here (stdout when absent)")
    parser.add_argument("--report", metavar="FILE", help="also write the report here (.json, .md or text)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="report format on the terminal")
    parser.add_argument("--json", action="store_true", help="same as --format json")
    parser.add_argument(
        "--input-shape",
        metavar="N,C,H,W",
        help=f"run the {_SOURCE} model once (in its kernel) on zeros of this shape to fill in "
        "in_features/in_channels instead of lazy layers",
    )
    parser.add_argument(
        "--model",
        default="build",
        metavar="NAME",
        help="with --input-shape: the function or class in SRC.py that builds the model (build)",
    )
    source, target = DEFAULT_PAIR
    parser.add_argument(
        "--check",
        action="store_true",
        help="then run `fwcheat check`: the draft, given the source model's weights, against that "
        "model, layer by layer (needs -o and --input-shape)",
    )
    parser.add_argument(
        f"--{source}",
        dest="check_source",
        metavar="FACTORY",
        help=f"with --check: NAME in SRC.py or FILE.py:NAME building the {label(source)} model (--model)",
    )
    parser.add_argument(
        f"--{target}",
        dest="check_target",
        metavar="FACTORY",
        help=f"with --check: NAME in DST.py or FILE.py:NAME building the {label(target)} model "
        "(the same name)",
    )
    parser.add_argument("--params", metavar="FILE", help="with --check: the checkpoint to load into both")
    parser.add_argument("--tol", type=float, default=1e-5, help="with --check: tolerance (1e-5)")
    parser.add_argument("--tui", action="store_true", help="show the source and the draft side by side")
    parser.add_argument("--force", action="store_true", help="overwrite DST.py when it exists")


def _render(report: object, fmt: str) -> str:
    from fwcheat.port import report as rendering

    assert isinstance(report, rendering.PortReport)
    if fmt == "json":
        return rendering.to_json(report) + "\n"
    if fmt == "markdown":
        return rendering.to_markdown(report)
    return rendering.to_text(report)


def main(args: argparse.Namespace) -> int:
    import os
    import sys

    from fwcheat.scan.formats import escape

    def fail(message: str) -> int:
        print(f"fwcheat port: {escape(message)}", file=sys.stderr)
        return 2

    source = args.source
    if not os.path.exists(source):
        return fail(f"{source}: no such file")
    if os.path.isdir(source):
        return fail(f"{source} is a folder; port one file at a time (fwcheat scan lists a folder's uses)")
    if args.output:
        if os.path.exists(args.output) and os.path.samefile(args.output, source):
            return fail(f"-o {args.output} is the source file; port never edits it: pick another name")
        if os.path.exists(args.output) and not args.force:
            return fail(f"{args.output} exists; pass --force to overwrite it, or pick another name")
    from fwcheat.scan.sources import Unreadable, read

    read_result = read(source)
    if isinstance(read_result, Unreadable):
        where = f":{read_result.line}" if read_result.line else ""
        return fail(f"{source}{where}: {read_result.message}")
    if source.endswith(".ipynb"):
        return fail(f"{source}: notebooks are not ported yet; export it as a .py file first")
    code = read_result.cells[0][1]
    if args.check and not (args.output and args.input_shape):
        return fail("--check needs -o DST.py (the draft to check) and --input-shape (the input to feed)")
    if args.check and args.tol <= 0:
        return fail("--tol must be positive")
    shapes = None
    if args.input_shape:
        from fwcheat.port import shapes as recording

        try:
            shape = recording.parse_shape(args.input_shape)
            model = args.model
            if args.check_source:  # --mxnet NAME names the model's factory for both steps
                from fwcheat.port.chain import factory_spec

                factory_file, factory_name = factory_spec(args.check_source, source, args.model)
                if os.path.abspath(factory_file) == os.path.abspath(source):
                    model = args.model = factory_name
            shapes = recording.record(os.path.abspath(source), model, shape)
        except (ValueError, recording.ShapeError) as exc:
            return fail(str(exc))
    from fwcheat.port.report import PortReport
    from fwcheat.port.rewrite import port_code

    result = port_code(code, shapes)
    report = PortReport(source, args.output, result.source_lines, result.edits, result.error)
    fmt = "json" if args.json else args.format
    if result.error:
        sys.stderr.write(_render(report, "text"))
        if fmt == "json":
            sys.stdout.write(_render(report, fmt))
        return 2
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(result.code)
        sys.stdout.write(_render(report, fmt))
    else:
        sys.stdout.write(result.code)
        sys.stderr.write(_render(report, fmt))
    status = 1 if report.flagged_lines else 0
    if args.check:
        status = max(status, _check(args, report))
    if args.tui and not result.error:
        from fwcheat.tui.port_view import PortApp

        PortApp(code, result.code, report).run()
    if args.report:
        kind = (
            "json" if args.report.endswith(".json") else "markdown" if args.report.endswith(".md") else "text"
        )
        with open(args.report, "w", encoding="utf-8") as f:
            f.write(_render(report, kind))
    sys.stdout.flush()
    return status


def _check(args: argparse.Namespace, report: object) -> int:
    """`fwcheat check` on the draft just written; 0 when it agrees, 1 when not, 2 on bad input."""
    import json
    import sys

    from fwcheat.port.chain import check_draft, factory_spec
    from fwcheat.port.shapes import parse_shape
    from fwcheat.porting.sides import PortingError
    from fwcheat.scan.formats import escape

    try:
        source = factory_spec(args.check_source, args.source, args.model)
        target = factory_spec(args.check_target, args.output, source[1])
        outcome = check_draft(source, target, parse_shape(args.input_shape), params=args.params, tol=args.tol)
    except (ValueError, PortingError) as exc:
        print(f"fwcheat port --check: {escape(str(exc))}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"check": outcome.to_dict()}, indent=2))
    else:
        from fwcheat.commands._porting_report import print_check

        print()
        print_check(outcome)
    return 0 if outcome.agree else 1
