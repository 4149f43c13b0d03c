"""Turning text into search terms: English words, API names and Chinese bigrams.

The same function tokenizes documents and queries, so a query term matches
when it was produced from the document in the same way. API names are kept
whole *and* split (``autograd.record`` -> ``autograd.record``, ``autograd``,
``record``; ``attach_grad`` -> ``attach_grad``, ``attach``, ``grad``), so a
person can type either. Chinese has no spaces: runs of CJK characters become
overlapping bigrams (the main signal) plus single characters (for recall).
"""

from __future__ import annotations

import re

# Non-ASCII letters are matched as one class and sorted out in Python: a character class
# spelling out the CJK ranges costs ~3 ms to compile, more than a whole warm search.
_TOKEN = re.compile(
    r"(?P<api>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)"
    r"|(?P<num>\d+(?:\.\d+)?)"
    r"|(?P<other>[^\W\d_A-Za-z]+)"
)
_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return any(low <= code <= high for low, high in _CJK_RANGES)


def _cjk_runs(text: str) -> list[str]:
    """The runs of CJK ideographs in ``text`` (other letters are dropped)."""
    runs: list[str] = []
    start = None
    for i, ch in enumerate(text):
        if _is_cjk(ch):
            if start is None:
                start = i
        elif start is not None:
            runs.append(text[start:i])
            start = None
    if start is not None:
        runs.append(text[start:])
    return runs


STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "and",
        "or",
        "is",
        "are",
        "be",
        "by",
        "with",
        "as",
        "it",
        "its",
        "this",
        "that",
        "from",
        "into",
        "not",
        "no",
        "do",
        "does",
        "how",
        "what",
        "when",
        "which",
        "you",
        "your",
        "can",
        "use",
        "using",
        "my",
        "me",
        "i",
        "we",
        "our",
    ]
)

#: Prefix marking single CJK characters, which only add a little to a score.
CJK_CHAR = "\x01"


def normalize(text: str) -> str:
    """Casefold and unify full-width forms (ＡＢＣ -> abc, （ -> ()."""
    if text.isascii():  # the common case needs no Unicode tables
        return text.lower()
    import unicodedata

    return unicodedata.normalize("NFKC", text).casefold()


def _api_terms(name: str) -> list[str]:
    terms = [name]
    parts = name.split(".")
    if len(parts) > 1:
        terms.extend(p for p in parts if p)
        if len(parts) > 2:
            terms.append(".".join(parts[-2:]))
    for part in parts:
        if "_" in part.strip("_"):
            terms.extend(p for p in part.split("_") if len(p) > 1)
    return terms


def terms(text: str, *, keep_stop_words: bool = False) -> list[str]:
    """All search terms of ``text``, repeated as often as they occur."""
    out: list[str] = []
    for match in _TOKEN.finditer(normalize(text)):
        kind = match.lastgroup
        value = match.group()
        if kind == "api":
            if len(value) == 1 or (not keep_stop_words and value in STOP_WORDS):
                continue
            out.extend(_api_terms(value))
        elif kind == "num":
            out.append(value)
        else:
            for run in _cjk_runs(value):
                if len(run) == 1:
                    out.append(run)
                    continue
                out.extend(run[i : i + 2] for i in range(len(run) - 1))
                out.extend(CJK_CHAR + ch for ch in run)
    return out


def is_secondary(term: str) -> bool:
    """Whether a term is a single CJK character (weak evidence on its own)."""
    return term.startswith(CJK_CHAR)


def phrase_key(text: str) -> str:
    """The form used for exact whole-phrase matches (ids, titles, aliases, API names)."""
    return " ".join(re.sub(r"[\s\-_/]+", " ", normalize(text)).split())
