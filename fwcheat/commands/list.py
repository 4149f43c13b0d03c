"""`fwcheat list`: every idiom, grouped by category, with counts."""

from __future__ import annotations

import argparse

HELP = "list idioms by category"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-c", "--category", help="only this category")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON instead")


def _unknown_category(name: str, categories: list[str]) -> int:
    import difflib

    from fwcheat.commands._common import console
    from fwcheat.sanitize import safe_line

    close = difflib.get_close_matches(name, categories, n=3, cutoff=0.6)
    # `loss` for `losses`: a category that starts with what was typed is what was meant.
    close += [c for c in categories if c.startswith(name) and c not in close]
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    console(stderr=True).print(
        safe_line(f"fwcheat list: no category {name!r}.{hint} Categories: {', '.join(categories)}"),
        markup=False,
        highlight=False,
    )
    return 1


def main(args: argparse.Namespace) -> int:
    from fwcheat.commands._common import console, counted, report_broken_files
    from fwcheat.sanitize import safe_line
    from fwcheat.store import open_store

    store = open_store(announce=True)
    report_broken_files(store)
    kb = store.knowledge()
    categories = kb.categories()
    if args.category and args.category not in categories:
        return _unknown_category(args.category, sorted(categories))
    entries = [e for e in kb if not args.category or e.category == args.category]
    entries.sort(key=lambda e: (e.category, e.id))
    if args.json:
        from fwcheat.commands._json import card_json, dumps
        from fwcheat.knowledge.card import Card

        print(dumps({"entries": [card_json(Card.from_entry(e), full=False) for e in entries]}))
        return 0
    out = console()
    if not out.is_terminal:
        # Into a pipe: one tab-separated line per entry and nothing else, for cut, grep and sort.
        import sys

        # Written directly: a console would expand the tabs into spaces.
        sys.stdout.write(
            "".join(
                "\t".join(safe_line(t) for t in (e.id, e.category, e.title, e.title_zh)) + "\n"
                for e in entries
            )
        )
        return 0
    from rich.table import Table

    table = Table(show_lines=False, header_style="bold", box=None, pad_edge=False)
    table.add_column("id", style="cyan", no_wrap=True)
    table.add_column("category", style="magenta", no_wrap=True)
    table.add_column("title")
    table.add_column("中文")
    for e in entries:
        table.add_row(*(safe_line(t) for t in (e.id, e.category, e.title, e.title_zh)))
    out.print(table)
    out.print()
    if args.category:
        out.print(
            f"{counted(len(entries), 'idiom')} in {safe_line(args.category)}", style="bold", markup=False
        )
        return 0
    counts = ", ".join(f"{name} {count}" for name, count in sorted(categories.items()))
    out.print(
        f"{counted(len(entries), 'idiom')} in {counted(len(categories), 'category', 'categories')}: {counts}",
        markup=False,
        highlight=False,
    )
    return 0
