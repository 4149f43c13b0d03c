"""A light, display-ready view of an entry, for the paths that must start fast.

Decoding a full :class:`~fwcheat.knowledge.model.Entry` needs msgspec, whose
import alone costs more than a whole warm search. The CLI's search and show
only display an entry, so the index also stores this card (marshalled: no json
import on the search path) and the renderer works from it.
"""

from __future__ import annotations

import marshal

TYPE_CHECKING = False  # typing itself is not imported on the search path
if TYPE_CHECKING:
    from fwcheat.knowledge.model import Entry


class Card:
    """Display fields of an entry (a plain class: `typing` is not imported on the search path)."""

    __slots__ = (
        "category",
        "id",
        "notes",
        "outputs",
        "see_also",
        "setups",
        "snippets",
        "summary",
        "title",
        "title_zh",
    )
    _FIELDS = (
        "id",
        "title",
        "title_zh",
        "category",
        "summary",
        "notes",
        "snippets",
        "see_also",
        "setups",
        "outputs",
    )

    def __init__(
        self,
        id: str,
        title: str,
        title_zh: str,
        category: str,
        summary: str,
        notes: tuple[str, ...],
        snippets: tuple[tuple[str, str], ...],
        see_also: tuple[str, ...] = (),
        setups: tuple[tuple[str, str], ...] = (),
        outputs: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.id = id
        self.title = title
        self.title_zh = title_zh
        self.category = category
        self.summary = summary
        self.notes = notes
        #: (framework, code) pairs in display order.
        self.snippets = snippets
        self.see_also = see_also
        #: (framework, hidden setup code) for the snippets that have one (for --json).
        self.setups = setups
        #: (framework, recorded CPU output) for the snippets that have one (for --json).
        self.outputs = outputs

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Card) and all(getattr(self, f) == getattr(other, f) for f in self._FIELDS)

    def __repr__(self) -> str:
        return f"Card({self.id!r})"

    def replace(self, **changes: object) -> Card:
        values = {f: getattr(self, f) for f in self._FIELDS}
        values.update(changes)
        return Card(**values)

    @classmethod
    def from_entry(cls, entry: Entry) -> Card:
        return cls(
            entry.id,
            entry.title,
            entry.title_zh,
            entry.category,
            entry.summary,
            tuple(entry.notes),
            tuple((fw, s.code) for fw, s in entry.snippets.items()),
            tuple(entry.see_also),
            tuple((fw, s.setup) for fw, s in entry.snippets.items() if s.setup),
            tuple((fw, s.output) for fw, s in entry.snippets.items() if s.output is not None),
        )

    def to_bytes(self) -> bytes:
        """The card for the index (marshal: plain tuples of strings, read back without json)."""
        return marshal.dumps(tuple(getattr(self, f) for f in self._FIELDS))

    @classmethod
    def from_bytes(cls, data: bytes) -> Card:
        return cls(*marshal.loads(data))

    def code(self, framework: str) -> str | None:
        return next((code for fw, code in self.snippets if fw == framework), None)
