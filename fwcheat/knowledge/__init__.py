"""The knowledge base: schema, loading, validation and merging of YAML idiom files.

``load_knowledge()`` is the entry point; it reads through the on-disk index
(:mod:`fwcheat.store`) so that only a changed knowledge file costs a YAML parse.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing itself is not imported on the search path
if TYPE_CHECKING:
    from typing import Any

    from fwcheat.knowledge.base import KnowledgeBase, Location
    from fwcheat.knowledge.model import FRAMEWORK_LABELS, FRAMEWORKS, Entry, Snippet
    from fwcheat.knowledge.problems import Problem

_LAZY = {
    "KnowledgeBase": "fwcheat.knowledge.base",
    "Location": "fwcheat.knowledge.base",
    "FRAMEWORKS": "fwcheat.knowledge.model",
    "FRAMEWORK_LABELS": "fwcheat.knowledge.model",
    "Entry": "fwcheat.knowledge.model",
    "Snippet": "fwcheat.knowledge.model",
    "Problem": "fwcheat.knowledge.problems",
}


def __getattr__(name: str) -> Any:
    # Lazy (PEP 562): importing a submodule must not drag in YAML parsing.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'fwcheat.knowledge' has no attribute {name!r}")


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
    from fwcheat.knowledge.merge import build_knowledge

    return build_knowledge(layers(include_user=include_user))
