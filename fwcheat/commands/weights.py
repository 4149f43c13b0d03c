"""`fwcheat weights convert`: a trained checkpoint -> the ported module's state_dict."""

from __future__ import annotations

import argparse
import sys

HELP = "convert a trained checkpoint into the ported module's state_dict"
DESCRIPTION = (
    "convert SRC (a .params file or a Module prefix) for TARGET (path/to/file.py:factory or "
    "package.module:factory, a callable returning the ported module). Parameters are matched by "
    "the rename rules (`fwcheat search weights-rule`), then by layer order and shape; an "
    "ambiguity or a leftover is an error naming the --map line that resolves it. Writes DST.pt "
    "and DST.map.yaml (the mapping, editable, accepted back by --map). Exit status: 0 written, "
    "2 nothing written (bad input, or a mapping that cannot be made; the message names the fix)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from fwcheat.frameworks import DEFAULT_PAIR, label

    source, target = DEFAULT_PAIR
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    convert = sub.add_parser(
        "convert", help=HELP, description=DESCRIPTION, formatter_class=parser.formatter_class
    )
    convert.add_argument("src", metavar="SRC", help=f"{label(source)} .params file or Module prefix")
    convert.add_argument(
        f"--{target}",
        dest="target",
        required=True,
        metavar="TARGET",
        help=f"path/to/file.py:factory or package.module:factory returning the {label(target)} module",
    )
    convert.add_argument("--out", required=True, metavar="DST.pt", help="where to write the state_dict")
    convert.add_argument(
        "--map", metavar="MAP.yaml", help="a mapping file (as written beside DST.pt) to apply first"
    )
    convert.add_argument("--json", action="store_true", help="print the report as JSON")


def main(args: argparse.Namespace) -> int:
    import json

    from fwcheat.commands._porting_report import print_conversion
    from fwcheat.porting.convert import convert_weights
    from fwcheat.porting.sides import PortingError

    try:
        result = convert_weights(args.src, args.target, args.out, args.map)
    except PortingError as exc:
        if args.json:
            print(json.dumps({"error": str(exc)}, indent=2))
        print(f"fwcheat weights convert: {exc}\nnothing was written.", file=sys.stderr)
        return 2  # as `fwcheat check` for bad input; 1 is kept for "converted, but it differs"
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print_conversion(result)
    return 0
