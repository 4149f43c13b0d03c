"""Does a snippet use a framework's module (``torch``, ``nd``, ``np``) without importing it?

Each snippet runs in its own namespace: a name its setup or code never binds
fails at run time with ``NameError``. The module names come from the framework
table (:data:`fwcheat.frameworks.MODULE_NAMES`); this check finds them statically
so `validate` can warn before anything runs.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING

from fwcheat.frameworks import MODULE_NAMES
from fwcheat.knowledge.problems import Problem

if TYPE_CHECKING:
    from fwcheat.knowledge.base import KnowledgeBase

__all__ = ["unimported_name_problems", "unimported_names"]

_ANY_FRAMEWORK = {name: binding for names in MODULE_NAMES.values() for name, binding in names.items()}


def _bound_names(tree: ast.AST) -> set[str]:
    """Every name the code binds anywhere (imports, assignments, defs, parameters, targets)."""
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bound.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            bound.update(node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return bound


def unimported_names(setup: str, code: str) -> list[str]:
    """The framework module names ``code`` (after ``setup``) reads but never binds, in order of use."""
    try:
        tree = ast.parse(f"{setup}\n{code}")
    except SyntaxError:
        return []  # the run reports a syntax error better than a guess here
    bound = _bound_names(tree)
    used: list[str] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Name)
            and isinstance(node.ctx, ast.Load)
            and node.id in _ANY_FRAMEWORK
            and node.id not in bound
            and node.id not in used
        ):
            used.append(node.id)
    return used


def unimported_name_problems(kb: KnowledgeBase) -> list[Problem]:
    """A warning for every snippet that uses a framework module it does not import."""
    problems: list[Problem] = []
    for entry_id, entry in kb.entries.items():
        location = kb.locations.get(entry_id)
        path = location.path if location else Path(entry_id)
        line = location.line if location else 0
        for framework, snippet in entry.snippets.items():
            for name in unimported_names(snippet.setup, snippet.code):
                problems.append(
                    Problem(
                        path,
                        line,
                        f"entry `{entry_id}`: the {framework} snippet uses `{name}` without importing it "
                        "(it would fail with NameError when run)",
                        f"add `{MODULE_NAMES.get(framework, {}).get(name) or _ANY_FRAMEWORK[name]}` "
                        f"to snippets.{framework}.setup",
                        severity="warning",
                    )
                )
    return problems
