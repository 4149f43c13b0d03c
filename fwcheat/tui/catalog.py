"""The knowledge base as the TUI browses it: search as you type, or list all.

A thin, thread-safe wrapper over :class:`fwcheat.search.Searcher`: the TUI
searches from a thread worker on every keystroke, and a newer keystroke may
start a search before the previous one returned, so calls are serialised by a
lock. Opening the index may rebuild it (a YAML parse), so that happens in a
worker too, after the first frame. Headless: no Textual here.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fwcheat.knowledge.base import KnowledgeBase, Location
    from fwcheat.knowledge.card import Card
    from fwcheat.knowledge.model import Entry
    from fwcheat.search import Searcher

#: How many entries an empty query lists.
BROWSE_LIMIT = 500


class Catalog:
    """Entries to show for a query; open with :meth:`open` (slow: call off the UI thread)."""

    def __init__(self, searcher: Searcher) -> None:
        self._searcher = searcher
        self._lock = threading.Lock()
        self._kb: KnowledgeBase | None = None

    @classmethod
    def open(cls) -> Catalog:
        from fwcheat.search import Searcher

        return cls(Searcher())

    @property
    def knowledge(self) -> KnowledgeBase:
        with self._lock:
            if self._kb is None:
                self._kb = self._searcher.store.knowledge()
            return self._kb

    def count(self) -> int:
        with self._lock:
            return self._searcher.store.count()

    def browse(self, limit: int = BROWSE_LIMIT) -> list[Card]:
        """The first ``limit`` entries' cards, in knowledge-file order."""
        with self._lock:
            store = self._searcher.store
            docs = [d for (d,) in store.conn.execute("SELECT doc FROM docs ORDER BY doc LIMIT ?", (limit,))]
            cards = store.cards_by_doc(docs)
        return [cards[d] for d in docs]

    def find(self, query: str, limit: int = 40) -> list[Card]:
        """Display cards for ``query``, best first; all (up to a limit) when it is blank.

        Cards are cheap to read; the full entry is decoded only for the one shown.
        """
        if not query.strip():
            return self.browse()
        with self._lock:
            hits = self._searcher.search(query, limit=limit)
        return [hit.card for hit in hits]

    def entry(self, entry_id: str) -> Entry | None:
        """The full entry (snippets with setup, compare, tolerance)."""
        with self._lock:
            return self._searcher.store.entry(entry_id)

    def location(self, entry_id: str) -> Location | None:
        return self.knowledge.locations.get(entry_id)

    def problems(self) -> int:
        with self._lock:
            return len(self._searcher.store.problems())
