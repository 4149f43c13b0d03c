"""`fwcheat validate [PATH...]`: check knowledge files; non-zero exit on errors."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "check knowledge files for errors (file:line: message, with the fix)"
DESCRIPTION = (
    "Check knowledge YAML files. With no PATH, checks the whole knowledge base: the bundled "
    "files, your user files and FWCHEAT_KNOWLEDGE_PATH. Exits 1 if any error is found."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or folders to check")
    parser.add_argument(
        "--format-guide", action="store_true", help="print the guide to the knowledge file format and exit"
    )


def print_format_guide() -> int:
    """The knowledge format guide that ships with fwcheat (``knowledge/README.md``, in the wheel too)."""
    import os

    from fwcheat.knowledge.sources import bundled_root

    guide = os.path.join(bundled_root(), "README.md")
    try:
        with open(guide, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        print(
            f"fwcheat validate: cannot read the format guide {guide}: {exc.strerror or exc}", file=sys.stderr
        )
        return 2
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def main(args: argparse.Namespace) -> int:
    from fwcheat.commands._common import console, counted
    from fwcheat.knowledge.constant_compare import constant_compare_problems
    from fwcheat.knowledge.merge import build_knowledge
    from fwcheat.knowledge.sources import SUFFIXES, Layer, layers
    from fwcheat.knowledge.unimported import unimported_name_problems
    from fwcheat.sanitize import safe_text

    if args.format_guide:
        return print_format_guide()
    if args.paths:
        files: list[Path] = []
        for raw in args.paths:
            path = Path(raw)
            if path.is_dir():
                files.extend(sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES))
            elif path.exists():
                files.append(path)
            else:
                console(stderr=True).print(safe_text(f"{path}: no such file or folder"), markup=False)
                return 2
        checked = [Layer("checked", tuple(files))]
    else:
        checked = layers()
    kb = build_knowledge(checked)
    problems = kb.problems + constant_compare_problems(kb) + unimported_name_problems(kb)
    if args.paths:
        # see_also may point at bundled entries: only warn about ids unknown everywhere.
        from fwcheat.load import load_knowledge

        known = set(load_knowledge().entries) | set(kb.entries)
        problems = [
            p
            for p in problems
            if not (
                p.severity == "warning" and "see_also" in p.message and p.message.rsplit("`", 2)[-2] in known
            )
        ]
    err = console(stderr=True)
    for problem in problems:
        style = "red" if problem.is_error else "yellow"
        err.print(safe_text(str(problem)), style=style, markup=False, highlight=False, soft_wrap=True)
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    files_checked = sum(len(layer.files) for layer in checked)
    summary = (
        f"{counted(files_checked, 'file')}, {counted(len(kb.entries), 'entry', 'entries')}: "
        f"{counted(errors, 'error')}, {counted(warnings, 'warning')}"
    )
    (err if errors else console()).print(summary, style="bold red" if errors else "green", markup=False)
    return 1 if errors else 0
