"""Merging the knowledge layers: bundled, then user files (same id = override).

Duplicate ids inside one layer are errors (the later one is skipped); an id
repeated by a later layer replaces the earlier entry and is recorded in
``KnowledgeBase.overridden``.
"""

from __future__ import annotations

from fwcheat.knowledge.base import KnowledgeBase, Location
from fwcheat.knowledge.loader import parse_file
from fwcheat.knowledge.problems import Problem
from fwcheat.knowledge.sources import Layer


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
