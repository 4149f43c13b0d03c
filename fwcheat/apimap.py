"""Which knowledge entry explains each API name, and how the other framework says it.

Built with the search index (:mod:`fwcheat.store` calls :func:`map_rows`), so
``fwcheat scan`` and the REPL's foreign-API hint read one small table instead
of the knowledge YAML. Every snippet is read by the same scanner that reads
the user's code (:mod:`fwcheat.scan.uses`), so the names meet: a file's
``mx.gluon.nn.BatchNorm(momentum=0.9)`` finds the entry whose Gluon snippet
writes ``nn.BatchNorm(momentum=0.9)``. For each (source framework, target
framework, API name) the table keeps the entry most about that name, the
target snippet's line that does the same thing, and the entry's note that
names it: the trap at that spot.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from fwcheat.knowledge.model import Entry

#: A table row: (source, target, api, entry id, target line, note).
Row = tuple[str, str, str, str, str, str]


class Mapping(NamedTuple):
    """What to read for one API name: the ``entry``, the ``target`` line and the ``note``."""

    entry: str
    target: str
    note: str


_SENTENCE_END = re.compile(r"(?<!e\.g\.)(?<!i\.e\.)(?<=[.!?])\s+(?=[A-Z(`'\"])")


def first_sentence(text: str) -> str:
    return _SENTENCE_END.split(text.strip(), maxsplit=1)[0].strip()


def short_name(api: str) -> str:
    """``mxnet.gluon.nn.BatchNorm(momentum=)`` -> ``momentum``; ``.asnumpy`` -> ``asnumpy``."""
    if api.endswith("=)"):
        return api[api.rindex("(") + 1 : -2]
    return api.rsplit(".", 1)[-1]


def _tail(api: str) -> str:
    """The last two parts of a dotted name: ``nn.BatchNorm``."""
    base = api.split("(", 1)[0]
    return ".".join(base.split(".")[-2:]).lstrip(".")


class _Use(NamedTuple):
    entry: Entry
    line: str  # the snippet line the name is used on
    names: int  # distinct names the snippet uses (small = an entry about few things)


def _snippet_uses(entry: Entry, framework: str) -> tuple[dict[str, str], list[str]]:
    """API name -> the code line using it, for ``framework``'s snippet of ``entry``."""
    from fwcheat.scan.uses import uses_in_code

    snippet = entry.snippets.get(framework)
    if snippet is None:
        return {}, []
    setup_lines = snippet.setup.count("\n") + (1 if snippet.setup and not snippet.setup.endswith("\n") else 0)
    source = (
        snippet.setup + ("\n" if snippet.setup and not snippet.setup.endswith("\n") else "") + snippet.code
    )
    lines = source.splitlines()
    found: dict[str, str] = {}
    for use in uses_in_code(source, framework):
        if use.line <= setup_lines:
            continue
        line = lines[use.line - 1].strip()
        found.setdefault(use.api, line)
        if use.api.endswith("=)"):  # also a use of the keyword on any call: `(ctx=)`
            found.setdefault(use.api[use.api.rindex("(") :], line)
    return found, lines[setup_lines:]


def _about(entry: Entry, api: str) -> int:
    """How much ``entry`` says it is about ``api`` (aliases and tags name it: most)."""
    short = short_name(api).lower()
    tail = _tail(api).lower()
    exact = {a.lower().strip(".()= ") for a in (*entry.aliases, *entry.tags)}
    words = " ".join([entry.id, entry.title, *entry.aliases, *entry.tags]).lower()
    if entry.id in (short, tail.replace(".", "-")):
        return 5
    if tail and tail in exact:
        return 4
    if short in exact:
        return 3
    if tail and tail in words:
        return 2
    return int(short in words)


def _note(entry: Entry, api: str) -> str:
    """The entry's note that names ``api`` (its first sentence), else its first note or summary."""
    short = short_name(api)
    pattern = re.compile(rf"(?<![\w]){re.escape(short)}(?![\w])", re.IGNORECASE)
    best = max(entry.notes, key=lambda n: len(pattern.findall(n)), default="")
    if best and pattern.search(best):
        return first_sentence(best)
    return first_sentence(entry.notes[0] if entry.notes else entry.summary)


_ASSIGNED = re.compile(r"^\s*([\w.,\s\[\]]+?)\s*=(?!=)")


def _assigned(code: str) -> str:
    """What a line assigns to (``b`` in ``b = a.to(device)``); empty when it assigns nothing."""
    match = _ASSIGNED.match(code)
    return match.group(1).replace(" ", "") if match else ""


def _target_line(anchor: str, lines: Sequence[str], used: Iterable[str], entry: Entry, short: str) -> str:
    """The line of the target snippet that does what ``anchor`` does in the source snippet."""
    from difflib import SequenceMatcher

    used_lines = set(used)
    words = {w.lower() for w in (*entry.aliases, *entry.tags)}
    anchor_code = anchor.split("#")[0]
    # Snippets of one entry name their variables alike: `b = a.as_in_context(ctx)` is `b = a.to(device)`.
    anchor_target = _assigned(anchor_code)
    best, best_score = "", -1.0
    for raw in lines:
        stripped = raw.strip()
        if not stripped or stripped.startswith(("#", "import ", "from ")):
            continue
        code = stripped.split("  #")[0].rstrip()
        if code.startswith("print(") and code.endswith(")"):
            code = code[6:-1]  # `print(torch.sigmoid(x))` shows `torch.sigmoid(x)`
            if "." not in code:
                continue
        tokens = {t.lower() for d in re.findall(r"\w+(?:\.\w+)*", code) for t in (d, *d.split("."))}
        bonus = 0.2 * bool(tokens & words) + 0.2 * (stripped in used_lines)
        bonus += 0.3 * bool(anchor_target and _assigned(code) == anchor_target)
        bonus += 0.3 * (short.lower() in tokens)  # `nd.sigmoid` -> the line with `torch.sigmoid`
        matcher = SequenceMatcher(None, anchor_code, code)
        if matcher.real_quick_ratio() + bonus <= best_score or matcher.quick_ratio() + bonus <= best_score:
            continue  # cannot beat the best so far: skip the costly exact ratio
        score = matcher.ratio() + bonus
        if score > best_score:
            best, best_score = code, score
    return best


def map_rows(entries: Iterable[Entry]) -> list[Row]:
    """Every (source, target, API) -> (entry, target line, note) the knowledge base supports."""
    from fwcheat.scan.profiles import PROFILES

    entries = list(entries)
    by_id = {e.id: e for e in entries}
    per_framework: dict[str, dict[str, list[_Use]]] = {fw: {} for fw in PROFILES}
    snippet_lines: dict[tuple[str, str], tuple[list[str], set[str]]] = {}
    for entry in entries:
        for framework in PROFILES:
            found, lines = _snippet_uses(entry, framework)
            if not lines:
                continue
            snippet_lines[(entry.id, framework)] = (lines, set(found.values()))
            for api, line in found.items():
                per_framework[framework].setdefault(api, []).append(_Use(entry, line, len(found)))
    rows: list[Row] = []
    target_lines: dict[tuple[str, str, str, str], str] = {}
    for source, names in per_framework.items():
        for target in PROFILES:
            if target == source:
                continue
            for api, users in names.items():
                candidates = [u for u in users if (u.entry.id, target) in snippet_lines]
                if not candidates:
                    continue
                best = min(candidates, key=lambda u: (-_about(u.entry, api), u.names, u.entry.id))
                key = (best.entry.id, target, best.line, short_name(api))
                if key not in target_lines:
                    lines, used = snippet_lines[(best.entry.id, target)]
                    target_lines[key] = _target_line(best.line, lines, used, best.entry, short_name(api))
                line = target_lines[key]
                rows.append((source, target, api, best.entry.id, line, _note(best.entry, api)))
            rows.extend(_keyword_rows(rows, by_id, PROFILES[source].keywords, source, target))
    return rows


def _keyword_rows(
    rows: list[Row], by_id: dict[str, Entry], keywords: dict[str, tuple[str, ...]], source: str, target: str
) -> list[Row]:
    """``nd.sum(axis=)`` with no snippet of its own: ``nd.sum``'s entry, if a note of it names ``axis``."""
    pair = [r for r in rows if r[0] == source and r[1] == target]
    known = {r[2] for r in pair}
    extra: list[Row] = []
    for _, _, api, entry_id, line, _ in pair:
        if api.startswith("(") or api.endswith(")"):
            continue
        last = api.rsplit(".", 1)[-1]
        entry = by_id[entry_id]
        for keyword, only in keywords.items():
            name = f"{api}({keyword}=)"
            if name in known or (only and last not in only):
                continue
            pattern = re.compile(rf"(?<![\w]){keyword}(?![\w])")
            if any(pattern.search(n) for n in entry.notes):
                extra.append((source, target, name, entry_id, line, _note(entry, name)))
    return extra


class ApiMap:
    """The map for one (source, target) pair, read from the index."""

    def __init__(self, source: str, target: str, rows: Iterable[tuple[str, str, str, str]]) -> None:
        from fwcheat.scan.profiles import PROFILES

        self.source = source
        self.target = target
        self._rows = {api: Mapping(entry, line, note) for api, entry, line, note in rows}
        profile = PROFILES.get(source)
        self._fallbacks = profile.fallbacks if profile else ()

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, api: str) -> Mapping | None:
        """The mapping of canonical ``api``, trying its documented spellings and its keyword alone."""
        found = self._rows.get(api)
        if found is not None:
            return found
        for old, new in self._fallbacks:
            if api.startswith(old):
                found = self._rows.get(new + api[len(old) :])
                if found is not None:
                    return found
        if api.endswith("=)") and not api.startswith("("):
            # A keyword with no entry of its own: its call's entry, else the entry about the keyword.
            keyword = api[api.rindex("(") :]
            return self.get(api[: -len(keyword)]) or self._rows.get(keyword)
        return None
