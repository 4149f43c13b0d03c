"""The knowledge-base schema: what one idiom entry may contain.

These structs are the single definition of the YAML format documented in
``knowledge/README.md``. They reject unknown keys and wrong types, so a typo in
a knowledge file is reported instead of silently ignored. msgspec keeps them
cheap to import and lets the search index store entries as compact msgpack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import msgspec

from fwcheat.frameworks import FRAMEWORK_LABELS, FRAMEWORKS, RUNNABLE_FRAMEWORKS

__all__ = [
    "FRAMEWORKS",
    "FRAMEWORK_LABELS",
    "RUNNABLE_FRAMEWORKS",
    "Entry",
    "Snippet",
    "Snippets",
    "Tolerance",
]

KebabCase = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*\Z")]
Identifier = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z_][A-Za-z0-9_]*\Z")]
NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]
ModuleName = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z")]


class Snippet(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """One framework's way of writing the idiom."""

    code: NonEmpty
    #: Hidden code run before ``code`` (imports, data); not shown by default.
    setup: str = ""
    #: What running ``setup`` + ``code`` prints, as recorded on CPU.
    output: str | None = None


class _SnippetsBase(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    def items(self) -> list[tuple[str, Snippet]]:
        """The (framework, snippet) pairs present, in display order."""
        pairs = ((fw, getattr(self, fw)) for fw in FRAMEWORKS)
        return [(fw, s) for fw, s in pairs if s is not None]

    def get(self, framework: str) -> Snippet | None:
        return getattr(self, framework, None) if framework in FRAMEWORKS else None


if TYPE_CHECKING:

    class Snippets(_SnippetsBase):
        """One optional :class:`Snippet` per framework of :data:`FRAMEWORKS`."""

        def __init__(self, **snippets: Snippet | None) -> None: ...

        def __getattr__(self, framework: str) -> Snippet | None: ...

else:
    #: One optional field per framework of the table, in its order.
    Snippets = msgspec.defstruct(
        "Snippets",
        [(fw, Snippet | None, None) for fw in FRAMEWORKS],
        bases=(_SnippetsBase,),
        module=__name__,
        forbid_unknown_fields=True,
        omit_defaults=True,
    )


class Tolerance(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """How close the two ``compare`` values must be (as in numpy.allclose)."""

    rtol: Annotated[float, msgspec.Meta(ge=0)] = 1e-5
    atol: Annotated[float, msgspec.Meta(ge=0)] = 1e-6


class Entry(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """One idiom: the same task written in each framework."""

    id: KebabCase
    title: NonEmpty
    title_zh: NonEmpty
    category: KebabCase
    summary: NonEmpty
    snippets: Snippets
    tags: list[NonEmpty] = []
    aliases: list[NonEmpty] = []
    notes: list[NonEmpty] = []
    #: A variable both snippets define; its values must agree across frameworks.
    compare: Identifier | None = None
    tolerance: Tolerance | None = None
    #: GPUs the entry needs: 0 runs anywhere, 1 needs a GPU, 2+ needs several.
    gpus: Annotated[int, msgspec.Meta(ge=0, le=1024)] = 0
    #: Modules the snippets import beyond their framework (``torchvision``);
    #: verify skips the entry, with the reason, where one cannot be imported.
    requires: list[ModuleName] = []
    #: Ids of related entries.
    see_also: list[KebabCase] = []
