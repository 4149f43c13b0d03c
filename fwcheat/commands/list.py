"""`fwcheat list`: every idiom, grouped by category, with counts."""

from __future__ import annotations

import argparse

HELP = "list idioms by category"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-c", "--category", help="only this category")


def main(args: argparse.Namespace) -> int:
    from rich.table import Table

    from fwcheat.commands._common import console
    from fwcheat.load import load_knowledge
    from fwcheat.sanitize import safe_line

    kb = load_knowledge()
    categories = kb.categories()
    if args.category and args.category not in categories:
        err = console(stderr=True)
        err.print(
            safe_line(f"Unknown category {args.category!r}. Categories: {', '.join(sorted(categories))}"),
            markup=False,
        )
        return 1
    out = console()
    entries = [e for e in kb if not args.category or e.category == args.category]
    entries.sort(key=lambda e: (e.category, e.id))
    if out.is_terminal:
        table = Table(title=f"{len(entries)} idioms", show_lines=False, header_style="bold")
        table.add_column("id", style="cyan", no_wrap=True)
        table.add_column("title")
        table.add_column("中文")
        table.add_column("category", style="magenta")
        for e in entries:
            table.add_row(safe_line(e.id), safe_line(e.title), safe_line(e.title_zh), safe_line(e.category))
        out.print(table)
    else:
        for e in entries:
            out.print(
                "\t".join(safe_line(text) for text in (e.id, e.category, e.title, e.title_zh)),
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
    counts = Table(title="by category", header_style="bold", show_edge=out.is_terminal, box=None)
    counts.add_column("category")
    counts.add_column("entries", justify="right")
    shown = {args.category: categories[args.category]} if args.category else dict(sorted(categories.items()))
    for name, count in shown.items():
        counts.add_row(safe_line(name), str(count))
    counts.add_row("total", str(sum(shown.values())), style="bold")
    out.print(counts)
    return 0
