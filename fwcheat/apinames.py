"""The API names a snippet uses, found by reading its code.

Search must find ``attach_grad`` or ``nn.Dense`` without anyone listing them
by hand, so each snippet is parsed with :mod:`ast` and every attribute chain
rooted at an imported module (``nd.concat``, ``torch.nn.functional.relu``),
every method called on a value (``attach_grad``, ``backward``) and every
keyword argument (``requires_grad``, ``grad_req``) is collected.
Each name comes with its position (:func:`api_name_positions`). Only used when
the index is (re)built, never on the search path.
"""

from __future__ import annotations

import ast
import re
from typing import NamedTuple

_IDENT_CHAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+")
_NOISE = frozenset({"print", "range", "len", "list", "tuple", "dict", "str", "int", "float", "format"})


def _chain(node: ast.expr) -> list[str] | None:
    """``a.b.c`` -> ["a", "b", "c"]; None when the root is not a plain name."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return parts[::-1]
    if parts:  # a method on a call result or subscript: keep the method name
        return ["", *parts[::-1]]
    return None


class ApiName(NamedTuple):
    """One use of an API name: 1-based ``line``, 0-based ``col`` (as :mod:`ast` gives them)."""

    name: str
    line: int
    col: int


def api_names(code: str) -> list[str]:
    """API names used in ``code``, in source order, without duplicates."""
    return list(dict.fromkeys(n.name for n in api_name_positions(code)))


def _regex_positions(code: str) -> list[ApiName]:
    found = []
    for match in _IDENT_CHAIN.finditer(code):
        line = code.count("\n", 0, match.start()) + 1
        col = match.start() - (code.rfind("\n", 0, match.start()) + 1)
        found.append(ApiName(match.group(), line, col))
    return found


def api_name_positions(code: str) -> list[ApiName]:
    """Every use of an API name in ``code`` with where it is, in source order.

    Code that does not parse falls back to dotted names found by a regular expression.
    """
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return _regex_positions(code)
    modules: set[str] = set()
    inner: set[int] = set()
    attributes: list[ast.Attribute] = []
    calls: list[ast.Call] = []
    found: list[ApiName] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            attributes.append(node)
            inner.add(id(node.value))
        elif isinstance(node, ast.Call):
            calls.append(node)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                modules.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                modules.add(alias.asname or alias.name)
            if node.module:
                found.extend(
                    ApiName(f"{node.module}.{alias.name}", node.lineno, node.col_offset)
                    for alias in node.names
                )
    for attribute in attributes:
        if id(attribute) in inner:  # part of a longer chain, visited through its outermost node
            continue
        chain = _chain(attribute)
        if chain is None:
            continue
        root, rest = chain[0], chain[1:]
        # Rooted at a module: `nd.concat`; otherwise a method of a value: `x.attach_grad` -> attach_grad.
        name = ".".join(chain) if root in modules else ".".join(rest)
        found.append(ApiName(name, attribute.lineno, attribute.col_offset))
    for call in calls:
        found.extend(ApiName(k.arg, k.lineno, k.col_offset) for k in call.keywords if k.arg)
        if isinstance(call.func, ast.Name) and call.func.id in modules:
            found.append(ApiName(call.func.id, call.func.lineno, call.func.col_offset))
    found.sort(key=lambda n: (n.line, n.col))
    return [n for n in found if n.name and n.name not in _NOISE]
