"""The merged knowledge base: every layer's entries, with problems and origins.

Kept free of YAML so that reading the knowledge base from the index is cheap.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from fwcheat.knowledge.model import Entry
from fwcheat.knowledge.problems import Problem


@dataclass(frozen=True)
class Location:
    """Where an entry is defined."""

    path: Path
    line: int
    layer: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class KnowledgeBase:
    """All entries by id (in file order), where each came from, and what is wrong."""

    entries: dict[str, Entry] = field(default_factory=dict)
    locations: dict[str, Location] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: Entries replaced by a later layer (user files), by id: where the replaced one was.
    overridden: dict[str, Location] = field(default_factory=dict)

    def get(self, entry_id: str) -> Entry | None:
        return self.entries.get(entry_id)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries.values())

    def categories(self) -> Counter[str]:
        return Counter(entry.category for entry in self.entries.values())
