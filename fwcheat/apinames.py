"""The API names a snippet uses, found by reading its code.

Search must find ``attach_grad`` or ``nn.Dense`` without anyone listing them
by hand, so each snippet is parsed with :mod:`ast` and every attribute chain
rooted at an imported module (``nd.concat``, ``torch.nn.functional.relu``),
every method called on a value (``attach_grad``, ``backward``) and every
keyword argument (``requires_grad``, ``grad_req``) is collected.
Only used when the index is (re)built, never on the search path.
"""

from __future__ import annotations

import ast
import re

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


def api_names(code: str) -> list[str]:
    """API names used in ``code``, in first-seen order, without duplicates."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return list(dict.fromkeys(_IDENT_CHAIN.findall(code)))
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                modules.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                modules.add(alias.asname or alias.name)
    inner = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and id(node) not in inner:
            chain = _chain(node)
            if chain is None:
                continue
            root, rest = chain[0], chain[1:]
            if root in modules:
                found.append(".".join(chain))
            else:  # a method or attribute of a value: `x.attach_grad`, `net.collect_params`
                found.append(".".join(rest))
        elif isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg:
                    found.append(keyword.arg)
            if isinstance(node.func, ast.Name) and node.func.id in modules:
                found.append(node.func.id)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return [n for n in dict.fromkeys(found) if n and n not in _NOISE]
