"""The knowledge base: schema, loading, validation and merging of YAML idiom files.

Nothing here knows of the search index built on top of it: commands get the
merged knowledge base from :func:`fwcheat.load.load_knowledge`.
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
]
