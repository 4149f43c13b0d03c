"""The architecture the code must keep: one table names the frameworks, and the layers import downward.

- Only :mod:`fwcheat.frameworks` (and its in-kernel twin,
  :mod:`fwcheat.kernels.in_kernel`) spell a framework's name in code; every
  other module asks the table. Docstrings and comments may name frameworks;
  code and messages may not. Knowledge files and tests are not scanned.
- Layers: front ends (CLI commands, rendering, TUI, REPL) -> engine and
  search (kernels, comparison, verification, index) -> knowledge (schema,
  loading). A layer imports only from layers below it and from the base
  modules everyone may use; the core never imports Textual, prompt_toolkit
  or rich.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import fwcheat

PACKAGE = Path(fwcheat.__file__).parent
#: The table, and the two tables keyed by it: the hooks that run inside each
#: kernel, and how each framework's API shows in source code (for the scanner).
TABLE_MODULES = {"fwcheat.frameworks", "fwcheat.kernels.in_kernel", "fwcheat.scan.profiles"}

BASE = (
    "fwcheat",
    "fwcheat.frameworks",
    "fwcheat.pair",
    "fwcheat.paths",
    "fwcheat.sanitize",
    "fwcheat.userfiles",
)
#: ``requires`` reads which modules an entry's snippets import (its kernel check
#: takes the pool as an argument and imports no engine module).
KNOWLEDGE = ("fwcheat.knowledge", "fwcheat.requires", "fwcheat.userfiles")
ENGINE = (
    "fwcheat.kernels",
    "fwcheat.compare",
    "fwcheat.run",
    "fwcheat.verify",
    "fwcheat.record",
    "fwcheat.outputs",
    "fwcheat.devices",
    "fwcheat.search",
    "fwcheat.store",
    "fwcheat.load",
    "fwcheat.apinames",
    "fwcheat.apimap",
    "fwcheat.scan",
    "fwcheat.porting",
    "fwcheat.port",
    "fwcheat.text",
    "fwcheat.tracebacks",
)
FRONT_ENDS = (
    "fwcheat.__main__",
    "fwcheat.cli",
    "fwcheat.commands",
    "fwcheat.render",
    "fwcheat.render_run",
    "fwcheat.fastcards",
    "fwcheat.layout",
    "fwcheat.launch",
    "fwcheat.quickrun",
    "fwcheat.resident",
    "fwcheat.run_cards",
    "fwcheat.highlight",
    "fwcheat.tui",
    "fwcheat.repl",
)
UI_LIBRARIES = ("textual", "prompt_toolkit", "rich")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield module_name(path), ast.parse(path.read_text(encoding="utf-8"), str(path))


def within(name: str, layer: tuple[str, ...]) -> bool:
    return any(name == top or name.startswith(top + ".") for top in layer)


def layer_of(name: str) -> str:
    for label, layer in (("front end", FRONT_ENDS), ("engine", ENGINE), ("knowledge", KNOWLEDGE)):
        if within(name, layer):
            return label
    if name in BASE:
        return "base"
    raise AssertionError(f"{name} belongs to no layer: add it to {__name__}")


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node, less the bodies of ``if TYPE_CHECKING:`` (imports for annotations only)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from (n for child in node.orelse for n in _runtime_nodes_and_self(child))
            continue
        yield node
        yield from _runtime_nodes(node)


def _runtime_nodes_and_self(node: ast.AST) -> Iterator[ast.AST]:
    yield node
    yield from _runtime_nodes(node)


def imports(tree: ast.Module) -> set[str]:
    """Every module imported at run time, anywhere in the file (lazy imports inside functions too)."""
    found: set[str] = set()
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            if node.module == "fwcheat":  # `from fwcheat import frameworks`
                found.update(f"fwcheat.{alias.name}" for alias in node.names if alias.name != "__version__")
    return found


ALLOWED = {
    "base": ("base",),
    "knowledge": ("base", "knowledge"),
    "engine": ("base", "knowledge", "engine"),
    "front end": ("base", "knowledge", "engine", "front end"),
}


def test_every_module_has_a_layer() -> None:
    for name, _ in modules():
        layer_of(name)


def test_layers_import_only_downward() -> None:
    wrong = []
    for name, tree in modules():
        mine = layer_of(name)
        for imported in imports(tree):
            top = imported.split(".")[0]
            if top == "fwcheat":
                if layer_of(imported) not in ALLOWED[mine]:
                    wrong.append(f"{name} ({mine}) imports {imported} ({layer_of(imported)})")
            elif top in UI_LIBRARIES and mine != "front end":
                wrong.append(f"{name} ({mine}) imports {imported}")
    assert wrong == []


def test_the_contract_catches_an_upward_import() -> None:
    tree = ast.parse("def f():\n    from fwcheat.tui.app import FwcheatApp\n")
    assert "fwcheat.tui.app" in imports(tree)
    typing_only = ast.parse("if TYPE_CHECKING:\n    from fwcheat.tui.app import FwcheatApp\n")
    assert imports(typing_only) == set()
    assert layer_of("fwcheat.tui.app") not in ALLOWED[layer_of("fwcheat.kernels.session")]


# -- framework names ---------------------------------------------------------------

#: Keys, labels and module names of the frameworks, in any case, between
#: anything but letters and digits (``torch_name`` is caught). The search
#: index's field names (``api_pytorch``) are the index layout's, not a spelling.
NAMES = re.compile(
    r"(?<![a-z0-9])(?<!api_)(?:pytorch|torch|mxnet|gluon|tensorflow|keras)(?![a-z0-9])", re.IGNORECASE
)


def documentation(tree: ast.Module) -> set[int]:
    """ids of string nodes that are documentation (docstrings, bare string statements)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            found.add(id(node.value))
    return found


def spelled_names(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, text) of each framework name in code: strings, identifiers, attributes, arguments."""
    docs = documentation(tree)
    found = []
    for node in ast.walk(tree):
        texts: list[str] = []
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            texts.append(node.value)
        elif isinstance(node, ast.Name):
            texts.append(node.id)
        elif isinstance(node, ast.Attribute):
            texts.append(node.attr)
        elif isinstance(node, ast.arg) or (isinstance(node, ast.keyword) and node.arg):
            texts.append(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.alias)):
            texts.append(node.name)
        for text in texts:
            match = NAMES.search(text)
            if match:
                found.append((getattr(node, "lineno", 0), match[0]))
    return found


def test_only_the_table_spells_a_framework_name() -> None:
    found = [
        f"{name}:{line}: {word}"
        for name, tree in modules()
        if name not in TABLE_MODULES
        for line, word in spelled_names(tree)
    ]
    assert found == [], "ask fwcheat.frameworks instead:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("code", "spelled"),
    [
        ("x = 'pytorch'", True),
        ("SIDES = ('PyTorch', 'x')", True),
        ("import torch", True),
        ("def f(mxnet=None): pass", True),
        ("f(keras=1)", True),
        ("def torch_name(self): pass", True),
        ("x = f'{a} sees TensorFlow'", True),
        ("'''A docstring about PyTorch.'''", False),
        ("x = 1  # a comment about MXNet", False),
        ("FIELD = 'api_pytorch'", False),
    ],
)
def test_the_scan_finds_names_in_code_not_in_documentation(code: str, spelled: bool) -> None:
    assert bool(spelled_names(ast.parse(code))) is spelled
