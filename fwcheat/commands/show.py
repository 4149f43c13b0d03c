"""`fwcheat show ID`: one idiom in full."""

from __future__ import annotations

import argparse

from fwcheat.commands._common import add_framework_option

HELP = "show one idiom in full"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", help="the entry id (see `fwcheat list`)")
    add_framework_option(parser)
    parser.add_argument("--setup", action="store_true", help="also show each snippet's hidden setup code")
    parser.add_argument("--json", action="store_true", help="print the entry as machine-readable JSON")


def main(args: argparse.Namespace) -> int:
    from fwcheat.commands._common import chosen_pair, console, report_broken_files, unknown_entry
    from fwcheat.store import open_store

    pair = chosen_pair(args, "show")
    if pair is None:
        return 2

    store = open_store(announce=True)
    report_broken_files(store)
    card = store.card(args.id)
    if card is None:
        from fwcheat.search import Searcher

        # An alias, title or API name that names exactly one entry (`show autograd`) shows it.
        resolved = Searcher(store).resolve(args.id)
        card = store.card(resolved) if resolved else None
    if card is None:
        return unknown_entry(args.id, "show")
    if args.json:
        from fwcheat.commands._json import card_json, dumps

        print(dumps(card_json(card)))
        return 0
    if args.setup:
        entry = store.entry(card.id)
        assert entry is not None
        card = card.replace(
            snippets=tuple(
                (fw, f"{s.setup.rstrip()}\n# --- snippet ---\n{s.code}" if s.setup.strip() else s.code)
                for fw, s in entry.snippets.items()
            )
        )
    from fwcheat.render import print_entry

    out = console()
    if args.framework is not None and card.code(args.framework) is None:
        from fwcheat.frameworks import label

        has = ", ".join(label(fw) for fw, _ in card.snippets)
        console(stderr=True).print(
            f"fwcheat show: {card.id} has no {label(args.framework)} snippet (it has {has}).",
            markup=False,
            highlight=False,
        )
        return 1
    print_entry(out, card, framework=args.framework, pair=pair)
    if card.see_also:
        from fwcheat.sanitize import safe_line

        out.print(f"See also: {safe_line(', '.join(card.see_also))}", style="dim", markup=False)
    return 0
