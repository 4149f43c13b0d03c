"""The merged knowledge base: every layer's entries, with problems and origins."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from fwcheat.knowledge.loader import parse_file
from fwcheat.knowledge.model import Entry
from fwcheat.knowledge.problems import Problem
from fwcheat.knowledge.sources import Layer


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


def build_knowledge(layers: list[Layer]) -> KnowledgeBase:
    """Parse every file of every layer and merge them (later layers override by id)."""
    kb = KnowledgeBase()
    for layer in layers:
        seen_in_layer: dict[str, Location] = {}
        for path in layer.files:
            result = parse_file(path)
            kb.problems.extend(result.problems)
            for loaded in result.entries:
                entry = loaded.entry
                here = Location(loaded.path, loaded.line, layer.name)
                first = seen_in_layer.get(entry.id)
                if first is not None:
                    kb.problems.append(
                        Problem(
                            loaded.path,
                            loaded.line,
                            f"duplicate id `{entry.id}` (first defined at {first}); this one is skipped",
                            "give one of the two entries another id",
                        )
                    )
                    continue
                seen_in_layer[entry.id] = here
                if entry.id in kb.locations:
                    kb.overridden[entry.id] = kb.locations[entry.id]
                kb.entries[entry.id] = entry
                kb.locations[entry.id] = here
    for entry_id, entry in kb.entries.items():
        for other in entry.see_also:
            if other not in kb.entries:
                where = kb.locations[entry_id]
                kb.problems.append(
                    Problem(
                        where.path,
                        where.line,
                        f"entry `{entry_id}`: see_also names unknown id `{other}`",
                        "fix the id or remove it from see_also",
                        severity="warning",
                    )
                )
    return kb
