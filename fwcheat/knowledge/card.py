"""A light, display-ready view of an entry, for the paths that must start fast.

Decoding a full :class:`~fwcheat.knowledge.model.Entry` needs msgspec, whose
import alone costs more than a whole warm search. The CLI's search and show
only display an entry, so the index also stores this card as JSON and the
renderer works from it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from fwcheat.knowledge.model import Entry


class Card(NamedTuple):
    id: str
    title: str
    title_zh: str
    category: str
    summary: str
    notes: tuple[str, ...]
    #: (framework, code) pairs in display order.
    snippets: tuple[tuple[str, str], ...]
    see_also: tuple[str, ...] = ()

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
        )

    def to_json(self) -> str:
        return json.dumps(self._asdict(), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Card:
        data = json.loads(text)
        data["notes"] = tuple(data["notes"])
        data["snippets"] = tuple((fw, code) for fw, code in data["snippets"])
        data["see_also"] = tuple(data["see_also"])
        return cls(**data)

    def code(self, framework: str) -> str | None:
        return next((code for fw, code in self.snippets if fw == framework), None)
