"""Is an entry's ``compare`` value really computed by its snippet?

A ``compare`` variable that a snippet only ever sets to a literal
(``same = True``, ``n = 3``, ``x = None``) or never assigns at all agrees
across frameworks whatever the code does, so the check proves nothing.
:func:`constant_reason` finds these statically, from the snippet's syntax:

- a binding that runs code (a call, arithmetic, a name, unpacking a call's
  result, ``+=``, a ``for``/``with`` target, an import) makes the value computed;
- so does mutating a container literal (``lrs = []`` then ``lrs.append(v)``,
  ``lrs[0] = v``, or passing the list to a function that may fill it);
- otherwise, if every binding is a literal (``True``, ``None``, ``3``,
  ``(1, 2)``, ``[]``), or there is none, the value is constant.

Run-time values that are a Python ``bool`` or ``None`` are flagged by
``fwcheat verify`` instead (they need the code to run).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING

from fwcheat.knowledge.problems import Problem

if TYPE_CHECKING:
    from fwcheat.knowledge.base import KnowledgeBase

__all__ = ["constant_compare_problems", "constant_reason"]


def _is_literal(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd, ast.Not)):
        return _is_literal(node.operand)
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(_is_literal(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is not None and _is_literal(k) for k in node.keys) and all(
            _is_literal(v) for v in node.values
        )
    return False


def _names_in(target: ast.expr) -> set[str]:
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}


#: Built-ins that never fill a container passed to them.
_READ_ONLY = frozenset(
    [
        "print",
        "len",
        "repr",
        "str",
        "type",
        "id",
        "isinstance",
        "bool",
        "int",
        "float",
        "tuple",
        "list",
        "dict",
        "set",
        "sorted",
        "round",
        "sum",
        "min",
        "max",
        "abs",
        "any",
        "all",
        "iter",
        "enumerate",
        "zip",
    ]
)


class _Bindings(ast.NodeVisitor):
    """Collects how one module-level name gets its value."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.literals: list[ast.expr] = []  # values of `name = <literal>`
        self.computed = False  # some binding or mutation runs code
        self.used_as_argument = False  # passed to a call (a container may be filled)
        self.mutated = False  # name[...] = v, name.attr = v, name.method(...)

    def _bind(self, target: ast.expr, value: ast.expr | None) -> None:
        if isinstance(target, ast.Name):
            if target.id != self.name:
                return
            if value is not None and _is_literal(value):
                self.literals.append(value)
            else:
                self.computed = True
        elif isinstance(target, (ast.Tuple, ast.List)):
            pairs = (
                isinstance(value, (ast.Tuple, ast.List))
                and len(value.elts) == len(target.elts)
                and not any(isinstance(e, ast.Starred) for e in (*target.elts, *value.elts))
            )
            for i, element in enumerate(target.elts):
                if pairs:
                    assert isinstance(value, (ast.Tuple, ast.List))
                    self._bind(element, value.elts[i])
                elif self.name in _names_in(element):
                    self.computed = True  # unpacked from something computed
        elif isinstance(target, ast.Starred):
            self._bind(target.value, None)
        elif isinstance(target, (ast.Subscript, ast.Attribute)) and self._roots_here(target):
            self.mutated = True

    def _roots_here(self, node: ast.expr) -> bool:
        while isinstance(node, (ast.Subscript, ast.Attribute)):
            node = node.value
        return isinstance(node, ast.Name) and node.id == self.name

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._bind(target, node.value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._bind(node.target, node.value)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if self.name in _names_in(node.target):
            self.computed = True
        self.generic_visit(node)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self._bind(node.target, node.value)
        self.generic_visit(node)

    def _loop_or_with(self, target: ast.expr | None) -> None:
        if target is not None and self.name in _names_in(target):
            self.computed = True

    def visit_For(self, node: ast.For) -> None:
        self._loop_or_with(node.target)
        self.generic_visit(node)

    def visit_AsyncFor(self, node: ast.AsyncFor) -> None:
        self._loop_or_with(node.target)
        self.generic_visit(node)

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            self._loop_or_with(item.optional_vars)
        self.generic_visit(node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name == self.name:
            self.computed = True
        self.generic_visit(node)

    def _import(self, node: ast.Import | ast.ImportFrom) -> None:
        for alias in node.names:
            if (alias.asname or alias.name.split(".")[0]) == self.name:
                self.computed = True

    def visit_Import(self, node: ast.Import) -> None:
        self._import(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self._import(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        if node.name == self.name:
            self.computed = True
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if node.name == self.name:
            self.computed = True
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Attribute) and self._roots_here(node.func.value):
            self.mutated = True  # name.append(v), name.update(...)
        arguments = [*node.args, *(k.value for k in node.keywords)]
        reads_only = isinstance(node.func, ast.Name) and node.func.id in _READ_ONLY
        if not reads_only and any(isinstance(a, ast.Name) and a.id == self.name for a in arguments):
            self.used_as_argument = True
        self.generic_visit(node)


def constant_reason(source: str, name: str) -> str:
    """Why ``name`` is not computed by ``source`` ('' when it is, or cannot be told)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ""  # not plain Python (a magic): run-time checks still apply
    found = _Bindings(name)
    found.visit(tree)
    if found.computed:
        return ""
    if not found.literals:
        return f"never assigns `{name}`"
    containers = [v for v in found.literals if isinstance(v, (ast.List, ast.Dict, ast.Set))]
    if containers and (found.mutated or found.used_as_argument):
        return ""  # a list filled by the code
    shown = ", ".join(dict.fromkeys(ast.unparse(v) for v in found.literals))
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"only ever sets `{name}` to a constant ({shown})"


def constant_compare_problems(kb: KnowledgeBase) -> list[Problem]:
    """Warnings for ``compare`` values a snippet does not compute (for ``fwcheat validate``).

    Kept out of loading (parsing every snippet costs about 1 ms each), so
    search and the TUI never pay for it.
    """
    problems: list[Problem] = []
    lines: dict[Path, list[str]] = {}
    for entry_id, entry in kb.entries.items():
        if not entry.compare:
            continue
        where = kb.locations[entry_id]
        for framework, snippet in entry.snippets.items():
            why = constant_reason(snippet.setup + "\n" + snippet.code, entry.compare)
            if not why:
                continue
            if where.path not in lines:
                try:
                    lines[where.path] = where.path.read_text(encoding="utf-8").splitlines()
                except OSError:
                    lines[where.path] = []
            problems.append(
                Problem(
                    where.path,
                    _compare_line(lines[where.path], where.line),
                    f"entry `{entry_id}`: `compare: {entry.compare}`: the {framework} snippet {why}, "
                    "so the check cannot fail",
                    "compare a value the snippet computes from what the entry is about",
                    severity="warning",
                )
            )
    return problems


def _compare_line(text: list[str], start: int) -> int:
    """The line of the entry's ``compare:`` key (the entry's own line if not found)."""
    for number in range(max(start, 1), len(text) + 1):
        stripped = text[number - 1].lstrip(" -")
        if stripped.startswith("compare:"):
            return number
    return start
