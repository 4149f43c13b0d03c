"""`fwcheat check`: does the ported module compute what the source model computes?"""

from __future__ import annotations

import argparse
import sys

HELP = "check a ported model against the original, layer by layer"
DESCRIPTION = (
    "Build the source model and the ported module in their own kernels, load the same weights "
    "(--params converted as `fwcheat weights convert` does; random weights without it), feed "
    "the same input and compare every layer the mapping pairs (forward hooks on both sides). "
    "Reports the first layer that diverges. Eval mode unless --train (batch statistics, dropout "
    "off on both sides); --grad compares parameter gradients of a scalar loss. Exit 0 when "
    "everything agrees within --tol, 1 when something differs, 2 for bad input."
)


def _shape(text: str) -> tuple[int, ...]:
    try:
        shape = tuple(int(p) for p in text.replace("x", ",").split(",") if p.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected integers such as 1,3,224,224") from None
    if not shape or any(n <= 0 for n in shape):
        raise argparse.ArgumentTypeError(f"{text!r}: expected positive integers such as 1,3,224,224")
    return shape


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from fwcheat.frameworks import DEFAULT_PAIR, label

    source, target = DEFAULT_PAIR
    parser.add_argument(
        f"--{source}",
        dest="source",
        required=True,
        metavar="SRC_FACTORY",
        help=f"path/to/file.py:factory or package.module:factory returning the {label(source)} model",
    )
    parser.add_argument(
        f"--{target}",
        dest="target",
        required=True,
        metavar="TARGET",
        help=f"path/to/file.py:factory or package.module:factory returning the {label(target)} module",
    )
    parser.add_argument("--params", metavar="SRC", help="checkpoint to load (.params or Module prefix)")
    given = parser.add_mutually_exclusive_group(required=True)
    given.add_argument("--input-shape", type=_shape, metavar="N,C,H,W", help="random input of this shape")
    given.add_argument("--input", metavar="FILE.npy", help="the input, as a .npy file")
    parser.add_argument("--map", metavar="MAP.yaml", help="a mapping file to apply first")
    parser.add_argument("--train", action="store_true", help="compare in training mode")
    parser.add_argument("--grad", action="store_true", help="compare parameter gradients too")
    parser.add_argument("--tol", type=float, default=1e-5, help="tolerance (default 1e-5)")
    parser.add_argument(
        "--dtype",
        choices=("float32", "float64"),
        default="float32",
        help="run both models in this precision (float64 tells rounding from a real difference)",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def main(args: argparse.Namespace) -> int:
    import json

    from fwcheat.commands._porting_report import print_check
    from fwcheat.porting.check import check_models
    from fwcheat.porting.sides import PortingError

    if args.tol <= 0:
        print("fwcheat check: --tol must be positive", file=sys.stderr)
        return 2
    try:
        report = check_models(
            args.source,
            args.target,
            params=args.params,
            input_shape=args.input_shape,
            input_file=args.input,
            train=args.train,
            grad=args.grad,
            tol=args.tol,
            map_file=args.map,
            dtype=args.dtype,
        )
    except PortingError as exc:
        if args.json:
            print(json.dumps({"error": str(exc)}, indent=2))
        print(f"fwcheat check: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print_check(report)
    return 0 if report.agree else 1
