"""The other framework's API in the input, and this framework's way from the knowledge base.

Someone porting MXNet code types ``x.attach_grad()`` into a PyTorch session out
of habit; the REPL's toolbar then shows how PyTorch says it. The map from API
name to idiom is read from the snippets themselves
(:func:`fwcheat.apinames.api_names`), so every new knowledge entry teaches it
new names. Only names that one framework's snippets use and the other's never
do can trigger a hint, and generic words (``data``, ``copy``, ``keys``…) never
do, so ordinary Python stays quiet.
"""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Iterable
from dataclasses import dataclass

from fwcheat.knowledge.model import FRAMEWORK_LABELS, RUNNABLE_FRAMEWORKS, Entry

#: Module aliases that are not one framework's API (NumPy exists on both sides).
_SHARED_ROOTS = frozenset({"np", "numpy", "math", "time", "warnings", "os", "sys", "random", "json", "io"})
#: Single words too common to mean one framework, whatever the snippets say.
_GENERIC = frozenset(
    """
    data value values message mode init prefix factor axis axes context activation add apply expand
    squeeze equal eval cpu numpy record relu log max min type copy keys items get name names out
    params param p k t x y z to step size sum mean shape dtype alpha beta gamma eps lr momentum
    betas dims stride strides padding kernel_size hidden weight bias grad label labels net model
    loss output outputs inputs input endswith setattr first last rho temperature repeats reps
    """.split()  # noqa: SIM905 - a word list reads better as text
)
_TOO_COMMON = frozenset(dir(builtins)) | frozenset(dir(str)) | frozenset(dir(list)) | frozenset(dir(dict))

_CHAIN = re.compile(r"(?<![\w.])[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
_METHOD_ON_RESULT = re.compile(r"(?<=[)\]])\.([A-Za-z_]\w*)")
_KEYWORD = re.compile(r"[(,]\s*([A-Za-z_]\w*)\s*=(?!=)")


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


def _import_roots(code: str) -> set[str]:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            roots.update(a.asname or a.name for a in node.names)
    return roots - _SHARED_ROOTS


def _eligible(name: str, roots: set[str]) -> bool:
    """Can ``name`` alone say which framework the code is written for?"""
    if "." in name:
        return name.split(".")[0] in roots
    return len(name) >= 3 and name not in _GENERIC and name not in _TOO_COMMON and not name.startswith("_")


def used_names(code: str) -> list[str]:
    """Dotted names, methods and keyword arguments in ``code``; works on half-typed code."""
    found = _CHAIN.findall(code) + _METHOD_ON_RESULT.findall(code) + _KEYWORD.findall(code)
    return list(dict.fromkeys(found))


class HintIndex:
    """API name -> the entries whose snippets use it, per framework."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        from fwcheat.apinames import api_names

        self.entries = list(entries)
        #: framework -> every API name its snippets use.
        self.names: dict[str, set[str]] = {fw: set() for fw in RUNNABLE_FRAMEWORKS}
        self._users: dict[str, dict[str, list[Entry]]] = {fw: {} for fw in RUNNABLE_FRAMEWORKS}
        roots: set[str] = set()
        for entry in self.entries:
            for fw, snippet in entry.snippets.items():
                if fw not in self.names:
                    continue
                source = snippet.setup + "\n" + snippet.code
                roots |= _import_roots(source)
                for name in api_names(source):
                    self.names[fw].add(name)
                    self._users[fw].setdefault(name, []).append(entry)
        self.roots = roots
        self._made: dict[tuple[str, str], Hint | None] = {}  # the toolbar asks on every key
        #: framework -> names only it uses that may trigger a hint.
        self.specific: dict[str, set[str]] = {}
        for fw in RUNNABLE_FRAMEWORKS:
            others = set().union(*(n for f, n in self.names.items() if f != fw))
            self.specific[fw] = {n for n in self.names[fw] - others if _eligible(n, roots)}

    def _classify(self, name: str, framework: str) -> str | None:
        """The foreign framework ``name`` belongs to, judged by its longest known suffix."""
        parts = name.split(".")
        for i in range(len(parts)):
            candidate = ".".join(parts[i:])
            if candidate in self.names.get(framework, ()):
                return None
            for fw, specific in self.specific.items():
                if fw != framework and candidate in specific:
                    return fw
        return None

    def foreign_names(self, code: str, framework: str) -> list[tuple[str, str, str]]:
        """(as typed, known name, its framework) for each foreign API name in ``code``."""
        found = []
        for typed in used_names(code):
            owner = self._classify(typed, framework)
            if owner is not None:
                found.append((typed, self._known_suffix(typed, owner), owner))
        return found

    def _known_suffix(self, name: str, framework: str) -> str:
        parts = name.split(".")
        for i in range(len(parts)):
            candidate = ".".join(parts[i:])
            if candidate in self.specific[framework]:
                return candidate
        return name

    def hint(self, code: str, framework: str) -> Hint | None:
        """A hint for the first foreign API name in ``code``, or None."""
        for _typed, name, foreign in self.foreign_names(code, framework):
            key = (name, framework)
            if key not in self._made:
                entry = self._best_entry(name, foreign, framework)
                line = "" if entry is None else self._key_line(entry, name, foreign, framework)
                self._made[key] = None if entry is None else Hint(name, foreign, framework, entry, line)
            if self._made[key] is not None:
                return self._made[key]
        return None

    def _best_entry(self, name: str, foreign: str, framework: str) -> Entry | None:
        """The entry that is most about ``name`` and has a snippet for ``framework``."""
        candidates = [e for e in self._users[foreign].get(name, []) if e.snippets.get(framework)]
        if not candidates:
            return None
        short = name.split(".")[-1].lower()

        def about(entry: Entry) -> tuple[int, int]:
            exact = {a.lower().strip(".()") for a in (*entry.aliases, *entry.tags)}
            words = " ".join([entry.title, *entry.aliases, *entry.tags]).lower()
            mentioned = 3 if name.lower() in exact else 2 if name.lower() in words else int(short in words)
            snippet = entry.snippets.get(foreign)
            size = len(snippet.code.splitlines()) if snippet else 99
            return (-mentioned, size)

        return min(candidates, key=about)

    def _key_line(self, entry: Entry, name: str, foreign: str, framework: str) -> str:
        """The line of ``framework``'s snippet that does what ``name``'s line does in ``foreign``'s."""
        from difflib import SequenceMatcher

        theirs = entry.snippets.get(foreign)
        ours = entry.snippets.get(framework)
        assert theirs is not None and ours is not None
        short = name.split(".")[-1]
        anchor = next((line.strip() for line in theirs.code.splitlines() if short in line), "")
        words = {w.lower() for w in (*entry.aliases, *entry.tags)}
        best, best_score = "", -1.0
        for line in ours.code.splitlines():
            stripped = line.strip()
            if not stripped or stripped.startswith(("#", "import ", "from ")):
                continue
            code_part = stripped.split("#")[0]
            names = used_names(code_part)
            score = SequenceMatcher(None, anchor.split("#")[0], code_part).ratio()
            score += 0.3 * sum(1 for n in names if n.lower() in words or n.split(".")[-1].lower() in words)
            score += 0.1 * sum(1 for n in names if self._classify(n, _other(framework)) == framework)
            if score > best_score:
                best, best_score = stripped, score
        return re.sub(r"\s{2,}#", "  #", best or ours.code.strip().splitlines()[0])


def _other(framework: str) -> str:
    return next(fw for fw in RUNNABLE_FRAMEWORKS if fw != framework)
