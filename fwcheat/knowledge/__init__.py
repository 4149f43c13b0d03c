"""The knowledge base: schema, loading, validation and merging of YAML idiom files.

``load_knowledge()`` is the entry point; it reads through the on-disk index
(:mod:`fwcheat.store`) so that only a changed knowledge file costs a YAML parse.
"""

from __future__ import annotations

from fwcheat.knowledge.base import KnowledgeBase, Location
from fwcheat.knowledge.model import FRAMEWORK_LABELS, FRAMEWORKS, Entry, Snippet
from fwcheat.knowledge.problems import Problem

__all__ = [
    "FRAMEWORKS",
    "FRAMEWORK_LABELS",
    "Entry",
    "KnowledgeBase",
    "Location",
    "Problem",
    "Snippet",
    "load_knowledge",
]


def load_knowledge(*, include_user: bool = True, use_cache: bool = True) -> KnowledgeBase:
    """The bundled knowledge base merged with the user's files (same id = override)."""
    from fwcheat.knowledge.sources import layers

    if use_cache:
        from fwcheat.store import open_store

        return open_store(include_user=include_user).knowledge()
    from fwcheat.knowledge.base import build_knowledge

    return build_knowledge(layers(include_user=include_user))
