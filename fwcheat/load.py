"""Where the commands get the knowledge base: through the search index, or from the files.

It sits above both :mod:`fwcheat.knowledge` (schema, loading, merging) and
:mod:`fwcheat.store` (the on-disk index), so the knowledge package never
imports the index built on top of it.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing itself is not imported on the search path
if TYPE_CHECKING:
    from fwcheat.knowledge.base import KnowledgeBase


def load_knowledge(*, include_user: bool = True, use_cache: bool = True) -> KnowledgeBase:
    """The bundled knowledge base merged with the user's files (same id = override).

    With ``use_cache`` it is read through the on-disk index, so that only a
    changed knowledge file costs a YAML parse; without, straight from the files.
    """
    from fwcheat.knowledge.sources import layers

    if use_cache:
        from fwcheat.store import open_store

        return open_store(include_user=include_user).knowledge()
    from fwcheat.knowledge.merge import build_knowledge

    return build_knowledge(layers(include_user=include_user))
