"""`fwcheat search QUERY`: ranked idioms, the user's pair of frameworks side by side."""

from __future__ import annotations

import sys

from fwcheat.commands._common import add_framework_option

TYPE_CHECKING = False  # typing itself is not imported on the search path
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

    from fwcheat.search import Hit, Searcher

HELP = "search idioms (English, 中文, or an API name from any framework)"
DESCRIPTION = (
    "Search the knowledge base. Queries may be English, Chinese (自动求导) or an API name "
    "from any framework (attach_grad finds the other frameworks' way). Typos are forgiven. Results show "
    "your pair of frameworks side by side (--pair, or [frameworks] pair in the config file) and "
    "name the others each entry has."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", nargs="+", help="words to look for")
    add_framework_option(parser)
    parser.add_argument("-n", "--limit", type=int, default=3, help="how many results to show (default 3)")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON instead")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="also show each result's score and what it matched"
    )


_FLAGS = {"--json": "json", "-v": "verbose", "--verbose": "verbose"}
_OPTIONS = {
    "-n": "limit",
    "--limit": "limit",
    "-f": "framework",
    "--framework": "framework",
    "--pair": "pair",
}


def parse_simple(argv: Sequence[str]) -> argparse.Namespace | None:
    """``argv`` (after ``search``) as :func:`add_arguments`' parser reads it, when it is plain.

    Plain: the words together, options spelled in full with valid values. Anything else
    (``--help``, an abbreviation, a bad value, words on both sides of an option) returns
    None and goes through argparse, which explains it. A test holds the two to the same result.
    """
    from types import SimpleNamespace

    from fwcheat.frameworks import FRAMEWORKS

    values: dict[str, object] = {"framework": None, "pair": None, "limit": 3, "json": False, "verbose": False}
    query: list[str] = []
    after_words = False
    index = 0
    while index < len(argv):
        arg = argv[index]
        index += 1
        if not arg.startswith("-"):
            if after_words:
                return None
            query.append(arg)
            continue
        after_words = bool(query)
        if arg in _FLAGS:
            values[_FLAGS[arg]] = True
            continue
        name, equals, value = arg.partition("=")
        if name not in _OPTIONS or (equals and not name.startswith("--")):
            return None
        if not equals:
            if index >= len(argv) or argv[index].startswith("-"):
                return None
            value = argv[index]
            index += 1
        key = _OPTIONS[name]
        if key == "limit":
            if not (value.isascii() and value.isdigit()):
                return None
            values[key] = int(value)
        elif key == "framework" and value not in FRAMEWORKS:
            return None
        else:
            values[key] = value
    if not query:
        return None
    return SimpleNamespace(query=query, **values)  # type: ignore[return-value]


def hits_json(query: str, hits: Sequence[Hit]) -> str:
    from fwcheat.commands._json import card_json, dumps

    results = []
    for hit in hits:
        result = card_json(hit.card)
        result["score"] = float(hit.score)
        result["close"] = hit.close
        results.append(result)
    return dumps({"query": query, "results": results})


def main(args: argparse.Namespace) -> int:
    from fwcheat.commands._common import report_broken_files
    from fwcheat.search import Searcher
    from fwcheat.store import open_store

    query = " ".join(args.query).strip()
    if not query:
        print(
            "fwcheat search: give some words to look for, e.g. `fwcheat search attach_grad`", file=sys.stderr
        )
        return 2
    if args.limit < 1:
        print("fwcheat search: --limit must be at least 1", file=sys.stderr)
        return 2
    store = open_store(announce=True)
    report_broken_files(store)
    searcher = Searcher(store)
    hits = searcher.search(query, limit=args.limit + 5, framework=args.framework)
    shown, more = hits[: args.limit], hits[args.limit :]
    if args.json:
        print(hits_json(query, shown))
        return 0 if shown else 1
    from fwcheat.commands._common import chosen_pair

    pair = chosen_pair(args, "search")
    if pair is None:
        return 2
    drawn = _draw_fast(searcher, query, shown, more, args, pair)
    if drawn is not None:
        return drawn
    status = _draw_rich(searcher, query, shown, more, args, pair)
    if shown:
        from fwcheat import fastcards

        # The first search after the knowledge changed: pre-render the cards for the next ones.
        fastcards.refresh(searcher.store)
    return status


def _draw_fast(
    searcher: Searcher,
    query: str,
    shown: Sequence[Hit],
    more: Sequence[Hit],
    args: argparse.Namespace,
    pair: tuple[str, str],
) -> int | None:
    """The answer drawn from the index's pre-rendered cards; None when rich must draw it."""
    from fwcheat import fastcards

    if not shown:
        if args.framework is not None:
            return None
        term = fastcards.terminal(sys.stderr)
        if term is None:
            return None
        text = fastcards.draw_suggestions(term, query, searcher.suggest(query))
        if text is None:
            return None
        sys.stderr.write(text)
        sys.stderr.flush()
        return 1
    term = fastcards.terminal(sys.stdout)
    if term is None:
        return None
    cards = fastcards.load(searcher.store, shown)
    if cards is None:
        return None
    text = fastcards.draw_hits(
        term, shown, cards, query=query, more=more, framework=args.framework, pair=pair, verbose=args.verbose
    )
    if text is None:
        return None
    sys.stdout.write(text)
    sys.stdout.flush()
    return 0


def _draw_rich(
    searcher: Searcher,
    query: str,
    shown: Sequence[Hit],
    more: Sequence[Hit],
    args: argparse.Namespace,
    pair: tuple[str, str],
) -> int:
    from fwcheat.commands._common import console
    from fwcheat.render import print_hits, print_suggestions
    from fwcheat.sanitize import safe_line

    if not shown:
        if args.framework is not None and not searcher.has_framework(args.framework):
            from fwcheat.frameworks import label

            console(stderr=True).print(
                f"No idiom has a {label(args.framework)} snippet yet.", markup=False, highlight=False
            )
            return 1
        print_suggestions(console(stderr=True), query, searcher.suggest(query))
        return 1
    out = console()
    if not shown[0].close:
        # Nothing matches what was asked well: say so before showing the nearest entries.
        nearest = ", ".join(hit.card.id for hit in shown)
        out.print(
            safe_line(f"No close match for {query!r}; nearest: {nearest}"), style="yellow", markup=False
        )
        out.print()
    print_hits(out, shown, framework=args.framework, pair=pair, verbose=args.verbose)
    if more:
        out.print()
        out.print(
            f"More: {safe_line(', '.join(h.card.id for h in more))}  (fwcheat show ID)",
            style="dim",
            markup=False,
        )
    return 0
