"""Ranked search over the knowledge base; pure, headless and fast.

Ranking is BM25F-style over weighted fields (titles, aliases and API names
count most, notes least), computed from postings precomputed in the index
(:mod:`fwcheat.store`). On top of exact terms:

- the last word of a query also matches as a prefix (search as you type);
- a word not in the vocabulary matches its near spellings (``autogard``);
- typing a whole alias, title, id or API name exactly puts that entry first;
- Chinese is matched by character bigrams, so 自动求导 needs no word splitter.

Nothing here imports a deep-learning framework, Textual or Jupyter.
"""

from __future__ import annotations

from collections import defaultdict

from fwcheat.knowledge.card import Card
from fwcheat.store import FIELD_FRAMEWORK, VIA_BITS, Store, open_store
from fwcheat.text import is_secondary, phrase_key, terms

_PREFIX_FACTOR = 0.6
_FUZZY_FACTOR = {1: 0.7, 2: 0.45}
_PHRASE_BONUS = 4.0
_SECONDARY = 0.3
_MAX_EXPANSIONS = 24

TYPE_CHECKING = False  # typing itself is not imported on the search path
if TYPE_CHECKING:
    from fwcheat.knowledge.model import Entry


#: Below this score a hit is never a close match, whatever words it matched.
CLOSE_SCORE = 1.0
#: The share of the query's words a close match must contain as typed (not as a near spelling).
CLOSE_COVERAGE = 0.6


def _aliased(term: str) -> str | None:
    """``term`` with its leading module name spelled as the knowledge base does.

    ``f.sum`` -> ``nd.sum``; ``tf.keras.layers.dense`` -> ``keras.layers.dense`` (Keras snippets
    ``import keras``, TensorFlow code spells it ``tf.keras``).
    """
    from fwcheat.frameworks import QUERY_ALIASES

    heads = [short for short in QUERY_ALIASES if term == short or term.startswith(short + ".")]
    if not heads:
        return None
    head = max(heads, key=len)  # ``tf.keras.layers.dense``: the longest module name that fits
    return QUERY_ALIASES[head] + term[len(head) :]


class Hit:
    """One search result: a display card at once, the full entry on demand."""

    __slots__ = ("_entry", "_store", "card", "close", "doc", "score", "via")

    def __init__(
        self, card: Card, score: float, via: frozenset[str], store: Store, doc: int, close: bool = True
    ) -> None:
        self.card = card
        self.score = score
        #: Whether it matches the query well (most words as typed) rather than being only the nearest.
        self.close = close
        #: Frameworks whose API names (read from the snippets) matched the query.
        self.via = via
        self.doc = doc
        self._store = store
        self._entry: Entry | None = None

    @property
    def entry(self) -> Entry:
        """The full validated entry (decoded on first use: it needs msgspec)."""
        if self._entry is None:
            self._entry = self._store.entries_by_doc([self.doc])[self.doc]
        return self._entry

    def __repr__(self) -> str:
        return f"Hit({self.card.id!r}, score={self.score})"


class Searcher:
    """Searches one open index; keep it around to search as the user types."""

    def __init__(self, store: Store | None = None) -> None:
        self.store = store or open_store()
        self._vocab: list[str] | None = None
        self._idf: dict[str, float] = {}
        self._framework_docs: dict[str, set[int]] = {}

    # -- vocabulary -------------------------------------------------------------
    def vocabulary(self) -> list[str]:
        """All indexed terms, sorted (loaded on first need: prefix or typo lookups)."""
        if self._vocab is None:
            self._vocab = [r[0] for r in self.store.conn.execute("SELECT term FROM vocab ORDER BY term")]
        return self._vocab

    def _known(self, candidates: list[str]) -> dict[str, float]:
        missing = [t for t in candidates if t not in self._idf]
        if missing:
            marks = ",".join("?" * len(missing))
            for term, idf in self.store.conn.execute(
                f"SELECT term, idf FROM vocab WHERE term IN ({marks})", missing
            ):
                self._idf[term] = idf
        return {t: self._idf[t] for t in candidates if t in self._idf}

    def _prefixed(self, term: str) -> list[str]:
        """Indexed words that start with ``term`` (an indexed range scan, shortest first)."""
        upper = term[:-1] + chr(ord(term[-1]) + 1)
        rows = self.store.conn.execute(
            "SELECT term, idf FROM vocab WHERE term > ? AND term < ? ORDER BY length(term) LIMIT ?",
            (term, upper, _MAX_EXPANSIONS),
        )
        found = []
        for word, idf in rows:
            self._idf[word] = idf
            found.append(word)
        return found

    def _near(self, term: str) -> list[tuple[str, int]]:
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        # OSA counts a swap of two neighbours (`detahc`) as one edit, as people make them.
        max_distance = 1 if len(term) < 7 else 2
        matches = process.extract(
            term, self.vocabulary(), scorer=OSA.distance, score_cutoff=max_distance, limit=8
        )
        return [(word, int(distance)) for word, distance, _ in matches if word != term]

    def _expand(self, term: str, *, is_last: bool, prefix: bool) -> dict[str, float]:
        """Index terms that ``term`` stands for, each with how much a match counts."""
        expansions: dict[str, float] = {}
        exact = self._known([term])
        if exact:
            expansions[term] = 1.0
        alias = _aliased(term)
        if alias is not None and self._known([alias]):
            expansions[alias] = 1.0
            exact = exact or {alias: 1.0}
        latin = term.isascii()
        if prefix and is_last and latin and len(term) >= 2:
            factor = _PREFIX_FACTOR / 2 if exact else _PREFIX_FACTOR
            for word in self._prefixed(term):
                expansions.setdefault(word, factor)
        if not expansions and latin and len(term) >= 4:
            for word, distance in self._near(term):
                expansions.setdefault(word, _FUZZY_FACTOR[distance])
        return expansions

    # -- search -----------------------------------------------------------------
    def _docs_with(self, framework: str) -> set[int]:
        if framework not in self._framework_docs:
            rows = self.store.conn.execute(
                "SELECT doc FROM docs WHERE ',' || frameworks || ',' LIKE ?", (f"%,{framework},%",)
            )
            self._framework_docs[framework] = {doc for (doc,) in rows}
        return self._framework_docs[framework]

    def has_framework(self, framework: str) -> bool:
        """Whether any entry has a snippet for ``framework``."""
        return bool(self._docs_with(framework))

    def search(
        self, query: str, limit: int = 10, framework: str | None = None, *, prefix: bool = True
    ) -> list[Hit]:
        """The best ``limit`` entries for ``query``, best first."""
        words = list(dict.fromkeys(terms(query))) or list(dict.fromkeys(terms(query, keep_stop_words=True)))
        if not words or limit <= 0:
            return []
        primary = [w for w in words if not is_secondary(w)] or words
        # Every term of the word being typed (`nd.conc` -> nd.conc, nd, conc) may be unfinished.
        last_word = query.split()[-1] if query.split() else ""
        typing = set(terms(last_word, keep_stop_words=True))
        expansions = {w: self._expand(w, is_last=w in typing, prefix=prefix) for w in words}
        wanted = sorted({t for e in expansions.values() for t in e})
        idf = self._known(wanted)
        best: dict[int, dict[str, float]] = defaultdict(dict)
        strong: dict[int, set[str]] = defaultdict(set)
        via_bits: dict[int, int] = defaultdict(int)
        if wanted:
            marks = ",".join("?" * len(wanted))
            rows = self.store.conn.execute(
                f"SELECT term, doc, weight, via FROM postings WHERE term IN ({marks})", wanted
            ).fetchall()
            owners: dict[str, list[tuple[str, float]]] = defaultdict(list)
            for word, expanded in expansions.items():
                for term, factor in expanded.items():
                    owners[term].append((word, factor))
            # A completion or near spelling is evidence for the word typed, not for a rarer
            # word: score every expansion of a word with the idf of its most common one.
            word_idf = {
                word: min((idf[t] for t in expanded if t in idf), default=0.0)
                for word, expanded in expansions.items()
            }
            for term, doc, weight, via in rows:
                for word, factor in owners[term]:
                    term_idf = idf.get(term, 0.0) if factor == 1.0 else word_idf[word]
                    scaled = term_idf * weight * factor * (_SECONDARY if is_secondary(word) else 1.0)
                    if scaled > best[doc].get(word, 0.0):
                        best[doc][word] = scaled
                    if factor == 1.0 or term.startswith(word):  # as typed, or the word being typed
                        strong[doc].add(word)
                if via:
                    via_bits[doc] |= via
        scores: dict[int, float] = {}
        for doc, per_word in best.items():
            matched = sum(1 for w in primary if w in per_word)
            if matched == 0:
                continue
            coverage = matched / len(primary)
            scores[doc] = sum(per_word.values()) * coverage**1.5
        phrase = phrase_key(query)
        phrased: set[int] = set()
        if phrase:
            # The phrase as typed, and as the knowledge base words it (`ndarray to numpy`
            # is the alias `tensor to numpy`; `ag.record` is `autograd.record`).
            spellings = {phrase, " ".join(_aliased(word) or word for word in phrase.split())}
            marks = ",".join("?" * len(spellings))
            for (doc,) in self.store.conn.execute(
                f"SELECT DISTINCT doc FROM phrases WHERE phrase IN ({marks})", sorted(spellings)
            ):
                scores[doc] = scores.get(doc, 0.0) + _PHRASE_BONUS
                phrased.add(doc)
        if framework is not None:
            allowed = self._docs_with(framework)
            scores = {d: s for d, s in scores.items() if d in allowed}
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
        cards = self.store.cards_by_doc(d for d, _ in ranked)
        names = {bit: FIELD_FRAMEWORK[name] for name, bit in VIA_BITS.items()}
        return [
            Hit(
                cards[doc],
                round(score, 4),
                frozenset(n for bit, n in names.items() if via_bits[doc] & bit),
                self.store,
                doc,
                doc in phrased
                or (
                    score >= CLOSE_SCORE
                    and sum(1 for w in primary if w in strong[doc]) >= CLOSE_COVERAGE * len(primary)
                ),
            )
            for doc, score in ranked
        ]

    def resolve(self, name: str) -> str | None:
        """The id of the one entry ``name`` names exactly: its id, title, alias or API name."""
        if name in self.store.ids():
            return name
        rows = self.store.conn.execute(
            "SELECT DISTINCT doc FROM phrases WHERE phrase = ? ORDER BY doc", (phrase_key(name),)
        ).fetchall()
        if len(rows) != 1:
            return None
        return next(iter(self.store.cards_by_doc([rows[0][0]]).values())).id

    def suggest(self, query: str, limit: int = 5, *, ids_only: bool = False) -> list[str]:
        """Did-you-mean: entry ids (and, unless ``ids_only``, words) close to what found nothing."""
        from rapidfuzz import fuzz, process

        ids = self.store.ids()
        suggestions: list[str] = []
        for word in [] if ids_only else terms(query):
            if is_secondary(word) or not word.isascii() or len(word) < 3:
                continue
            # Only words, close to the one typed: not numbers or fragments of identifiers.
            for match, _score, _ in process.extract(
                word, self.vocabulary(), scorer=fuzz.ratio, limit=2, score_cutoff=75
            ):
                if match not in suggestions and match != word and match.isalpha() and len(match) >= 3:
                    suggestions.append(match)
        cutoff = 75 if ids_only else 70  # a mistyped id is close to the real one
        for match, _score, _ in process.extract(
            query, ids, scorer=fuzz.WRatio, limit=limit, score_cutoff=cutoff
        ):
            if match not in suggestions:
                suggestions.append(match)
        return suggestions[:limit]
