"""What every rewrite rule of `fwcheat port` shares: the names, the records, the bookkeeping.

The framework spellings come from the table (:mod:`fwcheat.frameworks`, :mod:`fwcheat.scan.profiles`);
:class:`RewriterBase` holds what a rule needs to record an edit or a flag at a source line and to
build the code it writes. The rules themselves are in :mod:`fwcheat.port.ops` (operators),
:mod:`fwcheat.port.layers` (layers, losses, training objects) and :mod:`fwcheat.port.rewrite`.
"""

from __future__ import annotations

import ast
from typing import NamedTuple

import libcst as cst
from libcst.metadata import PositionProvider

from fwcheat.frameworks import BY_KEY, DEFAULT_PAIR, label
from fwcheat.scan.profiles import PROFILES
from fwcheat.scan.uses import canonical, display_name

SOURCE, TARGET = DEFAULT_PAIR
PROFILE = PROFILES[SOURCE]
ROOT = BY_KEY[SOURCE].module
TARGET_ROOT = BY_KEY[TARGET].module
#: Spellings used in the code and messages written: the target's module, the frameworks' labels.
T, S, TL = TARGET_ROOT, label(SOURCE), label(TARGET)
#: ``trainer.step`` as the scan names it (the class that owns hybrid_forward lives beside Trainer).
TRAINER_STEP = display_name(PROFILE.op_namespace_owner.rsplit(".", 1)[0] + ".Trainer.step", SOURCE)


class Edit(NamedTuple):
    """One rule applied (or one use flagged) at a 1-based source line."""

    line: int
    rule: str
    api: str
    entry: str
    flagged: bool
    note: str = ""


class PortResult(NamedTuple):
    code: str
    edits: list[Edit]
    source_lines: int
    error: str = ""


def _chain(node: cst.BaseExpression) -> list[str] | None:
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return parts[::-1]
    return None


def _literal(node: cst.BaseExpression) -> object:
    try:
        return ast.literal_eval(cst.Module([]).code_for_node(node))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return _UNKNOWN


_UNKNOWN = object()


def _shape_items(text: str) -> list[int | str] | None:
    """``(0, -1, n)`` -> [0, -1, "n"]: literal codes as ints, computed sizes as code; None if no tuple."""
    try:
        node = cst.parse_expression(text)
    except cst.ParserSyntaxError:
        return None
    elements = [e.value for e in node.elements] if isinstance(node, (cst.Tuple, cst.List)) else [node]
    if isinstance(node, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)):
        return None  # a whole shape held in a variable: its codes are unknown here
    items: list[int | str] = []
    for element in elements:
        if isinstance(element, cst.StarredElement):
            return None
        value = _literal(element)
        items.append(value if isinstance(value, int) and not isinstance(value, bool) else _code(element))
    return items


def _flatten_form(shape: list[int | str]) -> str | None:
    """Gluon reshape codes that are a flatten, whatever the sizes: (0, 0, -1) and (-3, 0, 0)."""
    if len(shape) >= 2 and shape[-1] == -1 and all(c == 0 for c in shape[:-1]):
        return str(len(shape) - 1)
    if shape and shape[0] == -3 and all(c == 0 for c in shape[1:]):
        return "0, 1"
    return None


def _dict_codes(text: str) -> dict[str, str] | None:
    """``{'learning_rate': opt.lr}`` -> {"learning_rate": "opt.lr"}; None unless a dict with string keys."""
    try:
        node = cst.parse_expression(text)
    except cst.ParserSyntaxError:
        return None
    if isinstance(node, cst.Call) and _chain(node.func) == ["dict"]:
        if any(a.keyword is None for a in node.args):
            return None
        return {a.keyword.value: _code(a.value) for a in node.args if a.keyword is not None}
    if not isinstance(node, cst.Dict):
        return None
    found: dict[str, str] = {}
    for element in node.elements:
        if not isinstance(element, cst.DictElement) or not isinstance(element.key, cst.SimpleString):
            return None
        key = element.key.evaluated_value
        if not isinstance(key, str):
            return None
        found[key] = _code(element.value)
    return found


def _code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


def _comment(entry: str, text: str) -> cst.EmptyLine:
    text = " ".join(text.split())
    return cst.EmptyLine(comment=cst.Comment(f"# fwcheat: TODO({entry}) {text}"))


class _ClassInfo(NamedTuple):
    is_block: bool
    params: set[str]


class RewriterBase(cst.CSTTransformer):
    """The bookkeeping the rules share (see the module docstring)."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, aliases: dict[str, str], uses_conv: bool) -> None:
        super().__init__()
        self.aliases = aliases
        self.uses_conv = uses_conv
        self.edits: list[Edit] = []
        self.pending: dict[int, list[tuple[str, str]]] = {}
        self.import_done = False
        self.block_classes: set[str] = set()
        self.class_stack: list[_ClassInfo] = []
        self.function_stack: list[str] = []
        self.op_namespace: list[str] = []
        self.injected: list[set[str]] = []
        self.skip_names: set[int] = set()
        self.trainers: dict[str, str] = {}
        self.step_batch: str | None = None
        self.metrics: set[str] = set()
        self.needs_nn = False
        self.uses_by_line: dict[int, list[str]] = {}
        self.step_args: dict[str, str] = {}
        self.step_calls: list[tuple[int, str, str]] = []
        self.rnns: dict[str, set[str]] = {}
        self.metric_vars: set[str] = set()
        self.sequentials: set[str] = set()
        self.shapes: dict[tuple[int, int, str], tuple[int, ...]] = {}
        #: The file builds layers whose behaviour depends on the training mode.
        self.mode_layers = False

    def line(self, node: cst.CSTNode) -> int:
        try:
            return self.get_metadata(PositionProvider, node).start.line
        except KeyError:
            return 0

    def lines(self, node: cst.CSTNode) -> tuple[int, int]:
        try:
            pos = self.get_metadata(PositionProvider, node)
        except KeyError:
            return (0, -1)
        return pos.start.line, pos.end.line

    def done(self, node: cst.CSTNode, rule: str, api: str, entry: str, note: str = "") -> None:
        self.edits.append(Edit(self.line(node), rule, api, entry, False, note))

    def flag(self, node: cst.CSTNode, rule: str, api: str, entry: str, trap: str) -> None:
        line = self.line(node)
        self.edits.append(Edit(line, rule, api, entry, True, trap))
        self.pending.setdefault(line, []).append((entry or api, trap))

    def api_of(self, node: cst.BaseExpression) -> str | None:
        parts = _chain(node)
        if not parts:
            return None
        if self.op_namespace and parts[0] == self.op_namespace[-1] and len(parts) > 1:
            return canonical(PROFILE.op_namespace + "." + ".".join(parts[1:]), PROFILE)
        base = self.aliases.get(parts[0])
        if base is None:
            return None
        return canonical(".".join([base, *parts[1:]]), PROFILE)

    @staticmethod
    def code(node: cst.CSTNode) -> str:
        return cst.Module([]).code_for_node(node)

    def expr(self, text: str) -> cst.BaseExpression:
        return cst.parse_expression(text)

    def _args(self, updated: cst.Call) -> tuple[list[str], dict[str, str]]:
        positional = [
            self.code(a.value) if not a.star else a.star + self.code(a.value)
            for a in updated.args
            if not a.keyword
        ]
        keywords = {a.keyword.value: self.code(a.value) for a in updated.args if a.keyword}
        return positional, keywords

    @staticmethod
    def _join(positional: list[str], keywords: dict[str, str]) -> str:
        return ", ".join([*positional, *(f"{k}={v}" for k, v in keywords.items())])

    def _device_kw(self, kw: dict[str, str]) -> dict[str, str]:
        if "ctx" in kw:
            kw = dict(kw)
            kw["device"] = kw.pop("ctx")
        return kw

    def _recorded(self, original: cst.Call, name: str) -> tuple[int, ...] | None:
        """The input shape the layer built here received when the Gluon model ran (--input-shape)."""
        try:
            start = self.get_metadata(PositionProvider, original).start
        except KeyError:
            return None
        found = self.shapes.get((start.line, start.column, name))
        return found if found is not None else self.shapes.get((start.line, -1, name))

    def _not_carried(self, original: cst.Call, shown: str, entry: str, kw: dict[str, str]) -> None:
        if kw:
            given = ", ".join(f"{k}={v}" for k, v in kw.items())
            self.flag(original, "arguments", shown, entry, f"{given} not carried: port by hand")

    def _is_trainer(self, name: str) -> bool:
        """A variable assigned from ``gluon.Trainer``, or one stepped with a batch size and named so."""
        return name in self.trainers or (name in self.step_args and "trainer" in name.lower())
