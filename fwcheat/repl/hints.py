"""The other framework's API in the input, and this framework's way from the knowledge base.

Someone porting MXNet code types ``x.attach_grad()`` into a PyTorch session out
of habit; the REPL's toolbar then shows how PyTorch says it. The names are
looked up in the same API map ``fwcheat scan`` uses (:mod:`fwcheat.apimap`,
built with the index from the snippets themselves), so every new knowledge
entry teaches both. A name triggers a hint only when the other framework's
snippets use it and this framework's never do (``zero_grad`` exists on both
sides, ``data`` is everybody's), so ordinary Python stays quiet. Input is
read with regular expressions, not :mod:`ast`: it is usually half typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fwcheat.frameworks import FRAMEWORK_LABELS, RUNNABLE_FRAMEWORKS, TABLE
from fwcheat.knowledge.model import Entry

if TYPE_CHECKING:
    from fwcheat.apimap import ApiMap
    from fwcheat.store import Store

_CHAIN = re.compile(r"(?<![\w.])[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
_METHOD_ON_RESULT = re.compile(r"(?<=[)\]])\.([A-Za-z_]\w*)")
_KEYWORD = re.compile(r"[(,]\s*([A-Za-z_]\w*)\s*=(?!=)")

#: How a REPL session usually names each framework's modules (its imports were typed long ago).
SESSION_ALIASES: dict[str, dict[str, str]] = {
    row.key: dict(row.module_aliases) for row in TABLE if row.module_aliases
}


@dataclass(frozen=True)
class Hint:
    """``name`` is ``foreign`` API; ``entry`` shows it in ``framework`` as ``line``."""

    name: str
    foreign: str
    framework: str
    entry: Entry
    line: str

    def text(self) -> str:
        foreign = FRAMEWORK_LABELS.get(self.foreign, self.foreign)
        here = FRAMEWORK_LABELS.get(self.framework, self.framework)
        line = self.line.split("  #")[0].rstrip()
        return f"{self.name} is {foreign} · {here}: {line} · :load {self.entry.id}"


def used_names(code: str) -> list[str]:
    """Dotted names, methods and keyword arguments in ``code``; works on half-typed code."""
    found = _CHAIN.findall(code) + _METHOD_ON_RESULT.findall(code) + _KEYWORD.findall(code)
    return list(dict.fromkeys(found))


def _keywords(code: str) -> set[str]:
    return set(_KEYWORD.findall(code))


def session_api(typed: str, framework: str, *, keyword: bool = False) -> tuple[str, str] | None:
    """(as shown, canonical API name) of ``typed`` read as ``framework``'s API, or None.

    ``nd.array`` -> ("nd.array", "mxnet.nd.array"); ``x.asnumpy`` -> ("asnumpy", ".asnumpy");
    a keyword ``ctx`` -> ("ctx", "(ctx=)").
    """
    from fwcheat.scan.profiles import PROFILES
    from fwcheat.scan.uses import canonical

    profile = PROFILES[framework]
    if keyword:
        return (typed, f"({typed}=)") if typed in profile.keywords else None
    root, _, rest = typed.partition(".")
    base = SESSION_ALIASES.get(framework, {}).get(root)
    if base is not None:
        name = canonical(f"{base}.{rest}" if rest else base, profile)
        if name is not None:
            return typed, name
    method = typed.rsplit(".", 1)[-1]
    if method in profile.methods:
        return method, "." + method
    return None


class HintIndex:
    """Foreign API names in REPL input -> this framework's way, through the index's API map."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._maps: dict[tuple[str, str], ApiMap] = {}
        self._made: dict[tuple[str, str], Hint | None] = {}  # the toolbar asks on every key

    def api_map(self, source: str, target: str) -> ApiMap:
        key = (source, target)
        if key not in self._maps:
            self._maps[key] = self.store.api_map(source, target)
        return self._maps[key]

    def _ours(self, typed: str, framework: str, keyword: bool) -> bool:
        """Is ``typed`` also API this framework's snippets use (so it says nothing about the other)?"""
        if framework not in SESSION_ALIASES:
            return False
        mine = session_api(typed, framework, keyword=keyword)
        return mine is not None and any(
            self.api_map(framework, other).get(mine[1]) is not None
            or (mine[1].startswith(".") and mine[1][1:] in _method_names(framework))
            for other in RUNNABLE_FRAMEWORKS
            if other != framework
        )

    def foreign_names(self, code: str, framework: str) -> list[tuple[str, str, str]]:
        """(as shown, canonical name, its framework) for each foreign API name in ``code``."""
        keywords = _keywords(code)
        found = []
        for typed in used_names(code):
            keyword = typed in keywords and "." not in typed
            for foreign in RUNNABLE_FRAMEWORKS:
                if foreign == framework or foreign not in SESSION_ALIASES:
                    continue
                theirs = session_api(typed, foreign, keyword=keyword)
                if theirs is None or self._ours(typed, framework, keyword):
                    continue
                if self.api_map(foreign, framework).get(theirs[1]) is not None:
                    found.append((theirs[0], theirs[1], foreign))
                    break
        return found

    def hint(self, code: str, framework: str) -> Hint | None:
        """A hint for the first foreign API name in ``code``, or None."""
        for shown, name, foreign in self.foreign_names(code, framework):
            key = (name, framework)
            if key not in self._made:
                mapping = self.api_map(foreign, framework).get(name)
                entry = self.store.entry(mapping.entry) if mapping else None
                self._made[key] = (
                    None
                    if entry is None or mapping is None
                    else Hint(shown, foreign, framework, entry, mapping.target)
                )
            if self._made[key] is not None:
                return self._made[key]
        return None


def _method_names(framework: str) -> frozenset[str]:
    from fwcheat.scan.profiles import PROFILES

    return PROFILES[framework].methods
