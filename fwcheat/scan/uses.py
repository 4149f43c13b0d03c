"""Every use of one framework's API in a piece of Python, with its position.

The scanner reads code the way a porting engineer does: it follows how the
file imported the framework (``import mxnet as mx``, ``from mxnet.gluon import
nn``, ``F`` inside ``hybrid_forward``), so ``nn.Dense`` and
``mx.gluon.nn.Dense`` are one API, and NumPy's ``np.array`` is none. Methods
only the framework's objects have (``x.asnumpy()``) count on any receiver;
other methods count on variables the code assigned from the framework
(``trainer.step`` after ``trainer = gluon.Trainer(...)``). Keyword arguments
whose meaning changes across frameworks (``axis=``, ``momentum=`` on
BatchNorm) are uses of their own.

API names are canonical (``mxnet.gluon.nn.Dense``, ``.asnumpy``,
``mxnet.gluon.nn.BatchNorm(momentum=)``) so the knowledge base's snippets and
the user's code meet on the same names; :func:`display_name` turns them into
what people write (``mx.gluon.nn.Dense``).
"""

from __future__ import annotations

import ast
from typing import Any, NamedTuple

from fwcheat.scan.profiles import PROFILES, Profile


class Use(NamedTuple):
    """One use of the API: canonical ``api`` at 1-based ``line`` and 0-based character ``col``."""

    api: str
    line: int
    col: int


#: Fields that never hold a node worth visiting: names, numbers, operators and load/store markers.
_SKIPPED_FIELDS = frozenset(
    {"ctx", "id", "attr", "arg", "asname", "module", "level", "kind", "type_comment", "op", "ops", "is_async"}
    | {"conversion", "tag"}
)
_LEAVES = (ast.Name, ast.Constant, ast.Pass, ast.Break, ast.Continue, ast.Global, ast.Nonlocal)


def _child_fields() -> dict[type, tuple[str, ...]]:
    fields: dict[type, tuple[str, ...]] = {}
    stack: list[type] = [ast.AST]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        names = tuple(f for f in getattr(cls, "_fields", ()) if f not in _SKIPPED_FIELDS)
        if cls in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.ExceptHandler, ast.alias):
            names = tuple(f for f in names if f != "name")
        if issubclass(cls, _LEAVES):
            names = ()
        fields[cls] = names
    return fields


#: node type -> the fields that may hold child nodes (a faster :func:`ast.walk`).
_CHILD_FIELDS = _child_fields()


_WANTED = (ast.Attribute, ast.Call, ast.Assign, ast.Import, ast.ImportFrom, ast.ClassDef, ast.FunctionDef)


def _collect(tree: ast.AST) -> dict[type, list[Any]]:
    """The nodes of ``tree`` the scanner reads, by type (a faster :func:`ast.walk` that skips leaves)."""
    child_fields = _CHILD_FIELDS
    found: dict[type, list[Any]] = {kind: [] for kind in _WANTED}
    bucket_of = found.get
    stack: list[ast.AST] = [tree]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        node = pop()
        if node is None:  # list fields may hold None: the ``**x`` of a dict display, a missing default
            continue
        kind = type(node)
        bucket = bucket_of(kind)
        if bucket is not None:
            bucket.append(node)
        for name in child_fields[kind]:
            value = getattr(node, name)
            if value is None:
                continue
            if type(value) is list:
                extend(value)
            else:
                push(value)
    return found


def _chain(node: ast.expr) -> list[str] | None:
    """``a.b.c`` -> ["a", "b", "c"]; None when the root is not a plain name."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        parts.reverse()
        return parts
    return None


_CANONICAL: dict[tuple[str, str], str | None] = {}


def canonical(name: str, profile: Profile) -> str | None:
    """``name`` with module synonyms rewritten, or None when it is not ``profile``'s API."""
    key = (profile.framework, name)
    if key in _CANONICAL:
        return _CANONICAL[key]
    if len(_CANONICAL) > 50_000:
        _CANONICAL.clear()
    found = _CANONICAL[key] = _canonical(name, profile)
    return found


def _canonical(name: str, profile: Profile) -> str | None:
    dotted = name + "."
    for old, new in profile.synonyms:
        if dotted.startswith(old):
            dotted = new + dotted[len(old) :]
            break
    name = dotted[:-1]
    root = name.split(".", 1)[0]
    return name if root in profile.roots else None


def display_name(api: str, framework: str) -> str:
    """``mxnet.gluon.nn.Dense`` -> ``mx.gluon.nn.Dense`` (the spelling people write)."""
    profile = PROFILES.get(framework)
    if profile is None:
        return api
    root, dot, rest = api.partition(".")
    short = profile.short.get(root)
    return f"{short}{dot}{rest}" if short else api


class Names:
    """What earlier code bound: imports, classes built on the framework, variables assigned from it.

    One per file; a notebook passes one through all its cells, as its kernel would.
    """

    def __init__(self) -> None:
        self.aliases: dict[str, str] = {}
        self.types: dict[str, str] = {}
        self.user_classes: dict[str, str] = {}


class _Scanner:
    def __init__(self, tree: ast.Module, profile: Profile, names: Names) -> None:
        self.profile = profile
        self.aliases = names.aliases
        self.types = names.types
        self.user_classes = names.user_classes
        self.uses: list[Use] = []
        self._scan(tree)

    def _bind_imports(self, imports: list[ast.Import | ast.ImportFrom]) -> None:
        profile = self.profile
        for node in imports:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        target = alias.name
                        bound = alias.asname
                    else:
                        target = bound = alias.name.split(".", 1)[0]
                    if canonical(target, profile) is not None:
                        self.aliases[bound] = target
            elif node.module and not node.level:
                for alias in node.names:
                    if alias.name == "*":
                        continue
                    target = f"{node.module}.{alias.name}"
                    if canonical(target, profile) is not None:
                        self.aliases[alias.asname or alias.name] = target

    def _resolve(self, parts: list[str]) -> str | None:
        base = self.aliases.get(parts[0])
        if base is None:
            return None
        if len(parts) > 1:
            base = base + "." + ".".join(parts[1:])
        return canonical(base, self.profile)

    def _resolve_expr(self, node: ast.expr) -> str | None:
        parts = _chain(node)
        return None if parts is None else self._resolve(parts)

    def _scan(self, tree: ast.Module) -> None:
        found = _collect(tree)
        self._bind_imports(found[ast.Import] + found[ast.ImportFrom])
        if not self.aliases:
            return
        attributes: list[ast.Attribute] = found[ast.Attribute]
        calls: list[ast.Call] = found[ast.Call]
        classes: list[ast.ClassDef] = found[ast.ClassDef]
        assigns: list[ast.Assign] = found[ast.Assign]
        namespace_functions = self.profile.op_namespace_functions
        functions = [f for f in found[ast.FunctionDef] if f.name in namespace_functions]
        inner = {id(a.value) for a in attributes}
        uses = self.uses
        # Classes built on the framework's (a user's Block) and variables assigned from it.
        user_classes = self.user_classes
        for cls in classes:
            for base in cls.bases:
                resolved = self._resolve_expr(base)
                if resolved is not None:
                    user_classes[cls.name] = resolved
                    if isinstance(base, ast.Name):
                        uses.append(Use(resolved, base.lineno, base.col_offset))
                    break
        assigns.sort(key=lambda a: (a.lineno, a.col_offset))
        ambiguous: set[str] = set()
        for assign in assigns:
            value = assign.value
            if not isinstance(value, ast.Call):
                continue
            callee = self._resolve_expr(value.func)
            if callee is None and isinstance(value.func, ast.Name):
                callee = user_classes.get(value.func.id)
            if callee is None or not callee.rsplit(".", 1)[-1][:1].isupper():
                continue
            for target in assign.targets:
                parts = _chain(target)
                if parts is None:
                    continue
                key = ".".join(parts)
                # Assigned from two classes (a Conv2D in one branch, a Sequential in the other):
                # its methods cannot be named, so none are reported.
                if self.types.get(key, callee) != callee or key in ambiguous:
                    ambiguous.add(key)
                    self.types.pop(key, None)
                else:
                    self.types[key] = callee
        # The op namespace (`F` in hybrid_forward) inside its functions only: (first, last line, name).
        namespaces: list[tuple[int, int, str]] = []
        for function in functions:
            params = function.args.args
            if len(params) < 2:
                continue
            owner = f"{self.profile.op_namespace_owner}.{function.name}"
            uses.append(Use(owner, function.lineno, function.col_offset))
            namespaces.append((function.lineno, function.end_lineno or function.lineno, params[1].arg))
        namespace_names = {name for _, _, name in namespaces}
        op_namespace = self.profile.op_namespace
        resolved_attributes: dict[int, str] = {}
        for attribute in attributes:
            if id(attribute) in inner:
                continue
            parts = _chain(attribute)
            if parts is None:
                continue
            api = self._resolve(parts)
            if api is None:
                if parts[0] not in namespace_names:
                    continue
                line = attribute.lineno
                if not any(first <= line <= last and name == parts[0] for first, last, name in namespaces):
                    continue
                api = canonical(f"{op_namespace}.{'.'.join(parts[1:])}", self.profile)
                if api is None:
                    continue
            resolved_attributes[id(attribute)] = api
            uses.append(Use(api, attribute.lineno, attribute.col_offset))
        self._calls(calls, resolved_attributes)

    def _calls(self, calls: list[ast.Call], resolved: dict[int, str]) -> None:
        profile = self.profile
        uses = self.uses
        methods = profile.methods
        keywords = profile.keywords
        for call in calls:
            func = call.func
            callee: str | None = None
            if isinstance(func, ast.Attribute):
                callee = resolved.get(id(func))
                if callee is None:
                    method = func.attr
                    line, col = func.end_lineno or func.lineno, (func.end_col_offset or 0) - len(method)
                    if method in methods:
                        callee = "." + method
                        uses.append(Use(callee, line, col))
                    else:
                        parts = _chain(func.value)
                        owner = self.types.get(".".join(parts)) if parts else None
                        if owner is not None:
                            callee = f"{owner}.{method}"
                            uses.append(Use(callee, line, col))
            elif isinstance(func, ast.Name) and func.id in self.aliases:
                callee = self._resolve([func.id])
                if callee is not None:
                    uses.append(Use(callee, func.lineno, func.col_offset))
            if callee is None or not call.keywords:
                continue
            last = callee.rsplit(".", 1)[-1]
            for keyword in call.keywords:
                arg = keyword.arg
                if arg is None or arg not in keywords:
                    continue
                only = keywords[arg]
                if only and last not in only:
                    continue
                uses.append(Use(f"{callee}({arg}=)", keyword.lineno, keyword.col_offset))


def find_uses(tree: ast.Module, framework: str, names: Names | None = None) -> list[Use]:
    """Every use of ``framework``'s API in ``tree``, in source order (columns in UTF-8 bytes).

    ``names`` carries what earlier cells of a notebook imported and assigned.
    """
    uses = _Scanner(tree, PROFILES[framework], names or Names()).uses
    uses.sort(key=lambda u: (u.line, u.col))
    return uses


def uses_in_code(code: str, framework: str) -> list[Use]:
    """:func:`find_uses` on source text, columns in characters; [] when it does not parse."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return []
    return to_characters(find_uses(tree, framework), code)


def to_characters(uses: list[Use], code: str) -> list[Use]:
    """Byte columns (what :mod:`ast` gives) turned into character columns."""
    if code.isascii():
        return uses
    lines = code.splitlines()
    fixed = []
    for use in uses:
        text = lines[use.line - 1] if 0 < use.line <= len(lines) else ""
        if text.isascii():
            fixed.append(use)
        else:
            fixed.append(use._replace(col=len(text.encode()[: use.col].decode(errors="replace"))))
    return fixed
