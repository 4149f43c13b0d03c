"""The rewrite behind `fwcheat port`: Gluon code -> a PyTorch draft, on libcst's concrete syntax tree.

libcst keeps comments and formatting, so the draft reads like the source. Names are resolved the
way `fwcheat scan` resolves them (``import mxnet as mx``, ``from mxnet.gluon import nn``, ``F`` in
``hybrid_forward``), through :func:`fwcheat.scan.uses.canonical`. Each rewrite is recorded as an
:class:`Edit` (line, rule, API, entry, flagged or not); a use no rule covers keeps its code under a
``# fwcheat: TODO(entry) trap`` comment. libcst is imported only here, never on the search path.
"""

from __future__ import annotations

import ast
from typing import NamedTuple

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from fwcheat.frameworks import BY_KEY, DEFAULT_PAIR, label
from fwcheat.port import rules
from fwcheat.port.rules import ENTRIES
from fwcheat.scan.profiles import PROFILES
from fwcheat.scan.uses import canonical, display_name, find_uses

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


#: Helpers written into a draft that used Gluon metrics: plain code with the same calls.
_METRIC_HELPERS = {
    "Accuracy": '''
class Accuracy:
    """What mx.metric.Accuracy computed, as plain code (fwcheat: metric-accuracy)."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.correct, self.count = 0, 0

    def update(self, labels, preds):
        labels = labels if isinstance(labels, (list, tuple)) else [labels]
        preds = preds if isinstance(preds, (list, tuple)) else [preds]
        for label, pred in zip(labels, preds):
            if pred.dim() > label.dim():
                pred = pred.argmax(dim=1)
            self.correct += int((pred.long() == label.long()).sum())
            self.count += label.numel()

    def get(self):
        return "accuracy", self.correct / max(self.count, 1)
''',
    "Loss": '''
class Loss:
    """What mx.metric.Loss computed, as plain code (fwcheat: metric-mae-mse)."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.total, self.count = 0.0, 0

    def update(self, labels, preds):
        preds = preds if isinstance(preds, (list, tuple)) else [preds]
        for pred in preds:
            self.total += float(pred.detach().sum())
            self.count += pred.numel()

    def get(self):
        return "loss", self.total / max(self.count, 1)
''',
}


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


class _Rewriter(cst.CSTTransformer):
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

    # -- bookkeeping -------------------------------------------------------------------------
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

    # -- statements: comments for flagged lines ------------------------------------------------
    def _attach(self, original: cst.CSTNode, updated: cst.CSTNode) -> cst.CSTNode:
        start, end = self.lines(original)
        if isinstance(original, cst.BaseCompoundStatement):
            body = getattr(original, "body", None)
            if body is not None and not isinstance(body, cst.SimpleStatementSuite):
                end = self.lines(body)[0]
        touched = {e.line for e in self.edits}
        for line in range(start, end + 1):
            apis = self.uses_by_line.pop(line, None)
            if apis and line not in touched:
                names = ", ".join(dict.fromkeys(apis))
                self.edits.append(Edit(line, "unmapped", names, "", True, "no rule: port by hand"))
                self.pending.setdefault(line, []).append(
                    (names, "no rule covers this; kept as it was (fwcheat scan names the entry to read)")
                )
        found = [line for line in self.pending if start <= line <= end]
        if not found or not hasattr(updated, "leading_lines"):
            return updated
        comments = []
        for line in sorted(found):
            for entry, trap in self.pending.pop(line):
                comments.append(_comment(entry, trap))
        return updated.with_changes(leading_lines=[*updated.leading_lines, *comments])

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> cst.CSTNode:  # type: ignore[override]
        result = super().on_leave(original_node, updated_node)
        if isinstance(original_node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            if isinstance(result, cst.FlattenSentinel):
                nodes = list(result.nodes)
                if nodes:
                    nodes[0] = self._attach(original_node, nodes[0])
                return cst.FlattenSentinel(nodes)  # type: ignore[return-value]
            if isinstance(result, cst.CSTNode):
                return self._attach(original_node, result)
        return result  # type: ignore[return-value]

    def leave_IndentedBlock(
        self, original: cst.IndentedBlock, updated: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        if not updated.body:
            return updated.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])
        return updated

    # -- imports ---------------------------------------------------------------------------
    def _is_source_import(self, node: cst.Import | cst.ImportFrom) -> bool:
        if isinstance(node, cst.Import):
            return any(self.code(a.name).split(".")[0] == ROOT for a in node.names)
        if node.relative or node.module is None:
            return False
        return self.code(node.module).split(".")[0] == ROOT

    def leave_SimpleStatementLine(
        self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement] | cst.RemovalSentinel:
        first = original.body[0] if original.body else None
        if isinstance(first, (cst.Import, cst.ImportFrom)) and self._is_source_import(first):
            if isinstance(first, cst.Import) and len(first.names) > 1:
                others = [a for a in first.names if self.code(a.name).split(".")[0] != ROOT]
                if others:
                    self.flag(original, "imports", self.code(first), ENTRIES["imports"], "split this import")
                    return updated
            self.done(original, "imports", ROOT, ENTRIES["imports"])
            if self.import_done:
                return cst.RemoveFromParent()
            self.import_done = True
            stmts = cst.parse_module(f"import {TARGET_ROOT}\nfrom {TARGET_ROOT} import nn\n").body
            stmts = [stmts[0].with_changes(leading_lines=updated.leading_lines), *stmts[1:]]
            return cst.FlattenSentinel(stmts)
        if len(updated.body) == 1 and isinstance(updated.body[0], cst.Expr):
            call = original.body[0].value if isinstance(original.body[0], cst.Expr) else None
            if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute):
                return self._statement_call(original, updated, call)
        return updated

    def _statement_call(
        self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine, call: cst.Call
    ) -> cst.BaseStatement | cst.RemovalSentinel:
        assert isinstance(call.func, cst.Attribute)
        method = call.func.attr.value
        receiver_api = self.api_of(call.func.value)
        if not self.aliases:
            return updated
        if receiver_api is not None and method == "waitall":
            self.done(
                original,
                "waitall",
                display_name(receiver_api + ".waitall", SOURCE),
                ENTRIES["context"],
                f"dropped: {TL} on CPU is synchronous",
            )
            return cst.RemoveFromParent()
        if method == "hybridize":
            self.done(
                original, "hybridize", "hybridize", ENTRIES["hybridize"], f"dropped: eager {TL} needs none"
            )
            return cst.RemoveFromParent()
        if method == "initialize" and receiver_api is None:
            given = [a for a in call.args if not (a.keyword and a.keyword.value in ("ctx", "device"))]
            if given:
                self.flag(
                    original,
                    "initialize",
                    "initialize",
                    ENTRIES["initialize"],
                    f"`{self.code(call)}` dropped: {TL} layers initialise themselves when built "
                    f"(kaiming-uniform); apply {T}.nn.init to the weights if the initialiser matters",
                )
                return cst.SimpleStatementLine([cst.Pass()], leading_lines=updated.leading_lines)
            self.done(
                original, "initialize", "initialize", ENTRIES["initialize"], "dropped: built initialised"
            )
            return cst.RemoveFromParent()
        return updated

    # -- classes and functions -------------------------------------------------------------
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        is_block = False
        for base in node.bases:
            api = self.api_of(base.value) or ""
            if api.endswith((".Block", ".HybridBlock")) or (base.value and self._chain_is_block_class(base)):
                is_block = True
        if is_block:
            self.block_classes.add(node.name.value)
        self.class_stack.append(_ClassInfo(is_block, set()))
        if is_block:
            for stmt in node.body.body:
                self._collect_params(stmt)

    def _chain_is_block_class(self, base: cst.Arg) -> bool:
        parts = _chain(base.value)
        return parts is not None and bool(parts) and parts[-1] in self.block_classes

    def _collect_params(self, node: cst.CSTNode) -> None:
        class Finder(cst.CSTVisitor):
            def __init__(self, found: set[str]) -> None:
                self.found = found

            def visit_Assign(self, assign: cst.Assign) -> None:
                value = assign.value
                if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute):
                    inner = value.func.value
                    if value.func.attr.value in ("get", "get_constant") and self_params(inner):
                        for target in assign.targets:
                            t = target.target
                            if isinstance(t, cst.Attribute) and isinstance(t.value, cst.Name):
                                self.found.add(t.attr.value)

        def self_params(inner: cst.BaseExpression) -> bool:
            return isinstance(inner, cst.Attribute) and inner.attr.value == "params"

        found = self.class_stack[-1].params
        node.visit(Finder(found))

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        info = self.class_stack.pop()
        if not info.is_block:
            return updated
        bases = []
        for base in updated.bases:
            api = self.api_of(base.value) if base in updated.bases else None
            if api and api.endswith((".Block", ".HybridBlock")):
                self.needs_nn = True
                self.done(original, "block", display_name(api, SOURCE), ENTRIES["block"])
                bases.append(base.with_changes(value=self.expr("nn.Module")))
            else:
                bases.append(base)
        return updated.with_changes(bases=bases)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.function_stack.append(node.name.value)
        in_block = bool(self.class_stack) and self.class_stack[-1].is_block
        params = node.params.params
        if node.name.value in PROFILE.op_namespace_functions and in_block and len(params) >= 2:
            self.op_namespace.append(params[1].name.value)
            injected = set(self.class_stack[-1].params)
            self.injected.append(injected)
            for p in params[2:]:
                self.skip_names.add(id(p.name))
            for p in node.params.kwonly_params:
                self.skip_names.add(id(p.name))
        else:
            self.op_namespace.append("")
            self.injected.append(set())

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        self.function_stack.pop()
        namespace = self.op_namespace.pop()
        injected = self.injected.pop()
        if not namespace:
            return updated
        params = updated.params
        kept = [p for i, p in enumerate(params.params) if i != 1 and p.name.value not in injected]
        kwonly = [p for p in params.kwonly_params if p.name.value not in injected]
        star_kwarg = params.star_kwarg
        if star_kwarg is not None and injected:
            star_kwarg = None
        self.done(original, "hybrid_forward", "hybrid_forward", ENTRIES["hybrid_forward"])
        if kept:
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        new_params = params.with_changes(params=kept, kwonly_params=kwonly, star_kwarg=star_kwarg)
        if not kwonly and isinstance(new_params.star_arg, cst.ParamStar):
            new_params = new_params.with_changes(star_arg=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(name=cst.Name("forward"), params=new_params)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.skip_names.add(id(node.attr))

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self.skip_names.add(id(node.keyword))

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        if id(original) in self.skip_names or not self.injected or not self.injected[-1]:
            return updated
        if original.value in self.injected[-1]:
            return self.expr(f"self.{original.value}")
        return updated

    # -- with statements ---------------------------------------------------------------------
    def leave_With(
        self, original: cst.With, updated: cst.With
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
        if len(original.items) != 1 or not isinstance(original.items[0].item, cst.Call):
            return updated
        call = original.items[0].item
        api = self.api_of(call.func) or ""
        body = list(updated.body.body) if isinstance(updated.body, cst.IndentedBlock) else []
        if isinstance(call.func, cst.Attribute) and call.func.attr.value == "name_scope" and self.aliases:
            self.done(original, "name_scope", "name_scope", ENTRIES["name_scope"], "dropped")
            return self._flatten(updated, body)
        if api.endswith("autograd.record"):
            if call.args:
                self.flag(
                    original,
                    "record",
                    "autograd.record",
                    ENTRIES["train_mode"],
                    "record(train_mode=...) chose the layers' mode: call net.train() or net.eval()",
                )
            line = self.line(original)
            following = [name for at, name, _ in self.step_calls if at > line and self._is_trainer(name)]
            trainers = following[:1] or list(self.trainers)
            stmt_text = f"{trainers[0]}.zero_grad()" if len(trainers) == 1 else "pass"
            if len(trainers) != 1:
                self.flag(
                    original,
                    "record",
                    "autograd.record",
                    ENTRIES["record"],
                    f"call optimizer.zero_grad() here: {TL} accumulates gradients",
                )
            else:
                self.done(original, "record", "autograd.record", ENTRIES["record"], "zero_grad + plain code")
            if self.mode_layers and not call.args:
                self.flag(
                    original,
                    "record",
                    "autograd.record",
                    ENTRIES["train_mode"],
                    f"{S} ran Dropout/BatchNorm in training mode only inside record(); {TL} modules "
                    "stay in the mode last set: call net.train() here and net.eval() before predicting",
                )
            first = cst.parse_statement(stmt_text)
            return self._flatten(updated, [first, *body])
        if api.endswith("autograd.pause"):
            self.done(original, "pause", "autograd.pause", ENTRIES["pause"])
            return updated.with_changes(items=[cst.WithItem(self.expr(f"{T}.no_grad()"))])
        return updated

    @staticmethod
    def _flatten(updated: cst.With, body: list[cst.BaseStatement]) -> cst.FlattenSentinel[cst.BaseStatement]:
        if body:
            first = body[0]
            if isinstance(first, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                body[0] = first.with_changes(leading_lines=[*updated.leading_lines, *first.leading_lines])
        return cst.FlattenSentinel(body)

    # -- assignments: remember trainers and metrics ------------------------------------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        value = node.value
        if isinstance(value, cst.Call) and len(node.targets) == 1:
            target = node.targets[0].target
            api = self.api_of(value.func) or ""
            if isinstance(target, cst.Name) and api.endswith("Trainer"):
                self.trainers[target.value] = api
            if ".metric." in api and isinstance(target, cst.Name):
                self.metric_vars.add(target.value)
            if api.endswith(("nn.Sequential", "nn.HybridSequential")):
                self.sequentials.add(self.code(target))
            if api.endswith(("rnn.LSTM", "rnn.GRU", "rnn.RNN")) and self.class_stack:
                self.rnns.setdefault(self.code(target), set()).add(api.rsplit(".", 1)[-1])

    # -- calls -----------------------------------------------------------------------------
    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if not self.aliases:
            return updated
        api = self.api_of(original.func)
        if api is not None:
            return self._api_call(original, self._device_keyword(original, updated), api)
        if isinstance(original.func, cst.Attribute):
            if self.code(original.func) in self.rnns:
                return self._rnn_call(original, updated)
            return self._method_call(original, updated, original.func.attr.value)
        return updated

    def _rnn_call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        pos, kw = self._args(updated)
        kinds = self.rnns[self.code(original.func)]
        shown = "rnn." + "/".join(sorted(kinds)) + "()"
        if len(pos) == 1 and not kw:
            self.done(original, "rnn", shown, ENTRIES["lstm"], f"{TL} also returns the states: [0]")
            return self.expr(f"{self.code(updated)}[0]")
        if len(pos) == 2 and not kw and kinds == {"LSTM"}:
            self.done(original, "rnn", shown, ENTRIES["lstm"], "states as a tuple")
            return self.expr(f"{self.code(updated.func)}({pos[0]}, tuple({pos[1]}))")
        self.flag(
            original,
            "rnn",
            shown,
            ENTRIES["lstm"],
            f"{S} passes and returns the states as a list ([h, c] for LSTM, [h] for GRU/RNN); "
            f"{TL} takes (h, c) for LSTM and h alone for GRU/RNN",
        )
        return updated

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

    def _api_call(self, original: cst.Call, updated: cst.Call, api: str) -> cst.BaseExpression:
        name = api.rsplit(".", 1)[-1]
        shown = display_name(api, SOURCE)
        pos, kw = self._args(updated)
        module = api.rsplit(".", 1)[0]
        if module.endswith("nn") or module.endswith("rnn"):
            return self._layer(original, updated, name, shown, pos, kw)
        if module.endswith("loss"):
            return self._loss(original, updated, name, shown, pos, kw)
        if api.endswith("Trainer"):
            return self._trainer(original, updated, shown, pos, kw)
        if module.endswith(".metric") and name in _METRIC_HELPERS:
            self.metrics.add(name)
            self.done(original, "metric", shown, ENTRIES["metric"], "plain-code helper class")
            return self.expr(f"{name}({self._join(pos, kw)})")
        if api.endswith("data.DataLoader"):
            return self._dataloader(original, shown, pos, kw)
        if api.endswith("data.ArrayDataset"):
            self.done(original, "dataset", shown, ENTRIES["dataset"])
            return self.expr(f"{T}.utils.data.TensorDataset({self._join(pos, kw)})")
        if module.endswith("data.vision") and name in rules.VISION_DATASETS:
            return self._vision_dataset(original, shown, name, pos, kw)
        if api in (f"{ROOT}.cpu", f"{ROOT}.gpu"):
            self.done(original, "context", shown, ENTRIES["context"])
            if name == "cpu":
                return self.expr(f"{T}.device('cpu')")
            return self.expr(f"{T}.device('cuda', {pos[0] if pos else 0})")
        if api.endswith("utils.split_and_load"):
            return self._split_and_load(original, updated, shown, pos, kw)
        if api.endswith("autograd.backward") and len(pos) == 1 and not kw:
            self.done(
                original,
                "backward",
                shown,
                ENTRIES["record"],
                f"each head summed, as {S}'s ones head-gradient",
            )
            return self.expr(f"{T}.autograd.backward([h.sum() for h in {pos[0]}])")
        if api in (f"{ROOT}.random.seed", f"{ROOT}.np.random.seed"):
            self.done(original, "seed", shown, ENTRIES["seed"])
            return self.expr(f"{T}.manual_seed({self._join(pos, {})})")
        if module.endswith((".nd", ".sym", ".np", ".npx")):
            return self._op(original, updated, name, shown, pos, kw)
        if module.endswith(".nd.random") or module.endswith(".random"):
            return self._random(original, updated, name, shown, pos, kw)
        return updated

    # -- operators ---------------------------------------------------------------------------
    def _device_kw(self, kw: dict[str, str]) -> dict[str, str]:
        if "ctx" in kw:
            kw = dict(kw)
            kw["device"] = kw.pop("ctx")
        return kw

    def _op(
        self, original: cst.Call, updated: cst.Call, name: str, shown: str, pos: list[str], kw: dict[str, str]
    ) -> cst.BaseExpression:
        op = rules.OPS.get(name)
        if op is not None:
            renames = dict(op.renames)
            kw = {renames.get(k, k): v for k, v in kw.items()}
            if name in ("max", "min") and "dim" not in kw and len(pos) < 2:
                target = f"{T}.max" if name == "max" else f"{T}.min"
            else:
                target = op.target
            if name == "flatten":
                pos = [*pos, "1"]
            self.done(original, "operator", shown, op.entry)
            return self.expr(f"{target}({self._join(pos, kw)})")
        x = pos[0] if pos else kw.pop("data", "")
        if name == "waitall":
            return updated  # the statement is dropped (see _statement_call)
        if name == "array":
            kw = self._device_kw(kw)
            kw.setdefault("dtype", f"{T}.float32")
            if kw["dtype"] in ("'float32'", '"float32"', "np.float32"):
                kw["dtype"] = f"{T}.float32"
            self.done(original, "array", shown, ENTRIES["array"], f"{S} arrays default to float32")
            return self.expr(f"{T}.tensor({self._join(pos, kw)})")
        if name in ("zeros", "ones", "full", "arange", "empty"):
            kw = self._device_kw(kw)
            if "dtype" in kw and kw["dtype"].strip("'\"") in (
                "float32",
                "float64",
                "int32",
                "int64",
                "uint8",
            ):
                kw["dtype"] = f"{T}." + kw["dtype"].strip("'\"")
            if name == "full" and "val" in kw:
                kw["fill_value"] = kw.pop("val")
            if name == "arange" and "stop" in kw:
                kw["end"] = kw.pop("stop")
            self.done(original, "creation", shown, ENTRIES["zeros"])
            return self.expr(f"{T}.{name}({self._join(pos, kw)})")
        if name in ("concat", "Concat"):
            dim = kw.pop("dim", None) or "1"
            self.done(original, "concat", shown, ENTRIES["concat"], f"{S}'s default axis is 1")
            return self.expr(f"{T}.cat([{', '.join(pos)}], dim={dim})")
        if name == "stack":
            dim = kw.pop("axis", "") or "0"
            self.done(original, "stack", shown, ENTRIES["stack"])
            return self.expr(f"{T}.stack([{', '.join(pos)}], dim={dim})")
        if name in ("dot",):
            self.done(original, "dot", shown, ENTRIES["dot"], "matmul is nd.dot for 1-D and 2-D inputs")
            if kw.get("transpose_b") == "True":
                return self.expr(f"{T}.matmul({pos[0]}, {pos[1]}.t())")
            return self.expr(f"{T}.matmul({self._join(pos, kw)})")
        if name == "expand_dims":
            axis = kw.get("axis", pos[1] if len(pos) > 1 else "0")
            self.done(original, "expand_dims", shown, ENTRIES["expand_dims"])
            return self.expr(f"{T}.unsqueeze({x}, {axis})")
        if name == "slice_axis":
            axis, begin, end = (
                kw.get(k, pos[i + 1] if len(pos) > i + 1 else "None")
                for i, k in enumerate(("axis", "begin", "end"))
            )
            if end == "None":
                self.done(original, "slice_axis", shown, ENTRIES["slice_axis"])
                return self.expr(f"{T}.narrow({x}, {axis}, {begin}, {x}.shape[{axis}] - ({begin}))")
            self.done(original, "slice_axis", shown, ENTRIES["slice_axis"])
            return self.expr(f"{T}.narrow({x}, {axis}, {begin}, ({end}) - ({begin}))")
        if name == "broadcast_to":
            shape = kw.get("shape", pos[1] if len(pos) > 1 else "")
            self.done(original, "broadcast_to", shown, ENTRIES["broadcast_to"])
            return self.expr(f"{x}.expand({shape})")
        if name in ("transpose",):
            axes = kw.get("axes", pos[1] if len(pos) > 1 else None)
            self.done(original, "transpose", shown, ENTRIES["transpose"])
            if axes is None:
                return self.expr(f"{x}.permute(*reversed(range({x}.dim())))")
            return self.expr(f"{x}.permute({axes})")
        if name == "swapaxes":
            self.done(original, "transpose", shown, ENTRIES["transpose"])
            return self.expr(f"{T}.transpose({self._join(pos, kw)})")
        if name in ("reshape", "Reshape"):
            shape_text = kw.get("shape", pos[1] if len(pos) > 1 else None)
            return self._reshape(original, shown, x, shape_text)
        if name == "Activation":
            act = _literal(cst.parse_expression(kw.get("act_type", pos[1] if len(pos) > 1 else "None")))
            if isinstance(act, str) and act in ("relu", "sigmoid", "tanh"):
                self.done(original, "activation", shown, ENTRIES["activation"])
                return self.expr(f"{T}.{act}({x})")
            if act == "softrelu":
                self.done(original, "activation", shown, ENTRIES["activation"])
                return self.expr(f"{T}.nn.functional.softplus({x})")
        if name == "LeakyReLU":
            act = _literal(cst.parse_expression(kw.get("act_type", "'leaky'")))
            if act == "leaky":
                self.done(original, "leaky", shown, ENTRIES["leaky"])
                return self.expr(f"{T}.nn.functional.leaky_relu({x}, {kw.get('slope', '0.25')})")
        if name == "Dropout":
            p = kw.get("p", pos[1] if len(pos) > 1 else "0.5")
            self.done(original, "dropout", shown, ENTRIES["dropout"])
            return self.expr(f"{T}.nn.functional.dropout({x}, p={p}, training=self.training)")
        self.flag(original, "unmapped", shown, "", f"{shown}: no rule; port by hand")
        return updated

    def _reshape(self, original: cst.Call, shown: str, x: str, shape_text: str | None) -> cst.BaseExpression:
        shape = _shape_items(shape_text) if shape_text else None
        if shape is None:
            if shape_text is not None:
                self.flag(
                    original,
                    "reshape",
                    shown,
                    ENTRIES["reshape"],
                    f"the shape is not written out: {S}'s codes 0, -2, -3, -4 mean "
                    "copy/rest/merge/split there",
                )
                return self.expr(f"{x}.reshape({shape_text})")
            self.flag(original, "reshape", shown, ENTRIES["reshape"], "reshape without a shape")
            return self.expr(f"{x}.reshape(-1)")
        out: list[str] = []
        src = 0
        simple = _chain(cst.parse_expression(x)) is not None
        if not simple:
            flat = _flatten_form(shape) if all(isinstance(c, int) for c in shape) else None
            if flat is not None:
                self.done(original, "reshape", shown, ENTRIES["reshape"], "special codes as flatten()")
                return self.expr(f"{x}.flatten({flat})")
        i = 0
        while i < len(shape):
            code = shape[i]
            if isinstance(code, str):  # a size computed at run time (taken as a size, not a code)
                out.append(code)
                src += 1
            elif code > 0 or code == -1:
                out.append(str(code))
                src += 1
            elif code == 0 and simple:
                out.append(f"{x}.shape[{src}]")
                src += 1
            elif code == -3 and simple:
                out.append(f"{x}.shape[{src}] * {x}.shape[{src + 1}]")
                src += 2
            elif code == -2 and simple and i == len(shape) - 1:
                out.append(f"*{x}.shape[{src}:]")
            else:
                self.flag(
                    original,
                    "reshape",
                    shown,
                    ENTRIES["reshape"],
                    f"reshape code {code} left for a hand port",
                )
                return self.expr(f"{x}.reshape({shape_text})")
            i += 1
        self.done(original, "reshape", shown, ENTRIES["reshape"], "special codes expanded")
        inner = ", ".join(out) + ("," if len(out) == 1 and not out[0].startswith("*") else "")
        return self.expr(f"{x}.reshape(({inner}))")

    def _split_and_load(
        self, original: cst.Call, updated: cst.Call, shown: str, pos: list[str], kw: dict[str, str]
    ) -> cst.BaseExpression:
        names = ("data", "ctx_list", "batch_axis", "even_split")
        args = dict(zip(names, pos, strict=False))
        args.update({("ctx_list" if k == "device_list" else k): v for k, v in kw.items()})
        if "data" not in args or "ctx_list" not in args or set(args) - set(names):
            self.flag(
                original, "split_and_load", shown, "split-and-load", "arguments not understood: port by hand"
            )
            return updated
        data, devices, axis = args["data"], args["ctx_list"], args.get("batch_axis", "0")
        self.done(original, "split_and_load", shown, "split-and-load", "one slice of the batch per device")
        parts = f"{T}.tensor_split({data}, len({devices}), dim={axis})"
        return self.expr(f"[part.to(d) for part, d in zip({parts}, {devices})]")

    def _random(
        self, original: cst.Call, updated: cst.Call, name: str, shown: str, pos: list[str], kw: dict[str, str]
    ) -> cst.BaseExpression:
        kw = self._device_kw(kw)
        if name == "uniform":
            low, high, shape = (
                kw.pop(k, pos[i] if len(pos) > i else d)
                for i, (k, d) in enumerate((("low", "0"), ("high", "1"), ("shape", "(1,)")))
            )
            extra = "".join(f", {k}={v}" for k, v in kw.items())
            self.done(original, "random", shown, ENTRIES["random"])
            return self.expr(f"{T}.empty({shape}{extra}).uniform_({low}, {high})")
        if name == "normal":
            loc, scale, shape = (
                kw.pop(k, pos[i] if len(pos) > i else d)
                for i, (k, d) in enumerate((("loc", "0"), ("scale", "1"), ("shape", "(1,)")))
            )
            extra = "".join(f", {k}={v}" for k, v in kw.items())
            self.done(original, "random", shown, ENTRIES["normal"])
            return self.expr(f"{T}.empty({shape}{extra}).normal_({loc}, {scale})")
        self.flag(original, "unmapped", shown, "", f"{shown}: no rule; port by hand")
        return updated

    # -- layers ----------------------------------------------------------------------------
    def _act(self, original: cst.Call, act_text: str | None, layer: str) -> str:
        if act_text is None or act_text == "None":
            return layer
        act = _literal(cst.parse_expression(act_text))
        module = rules.ACTIVATIONS.get(act) if isinstance(act, str) else None
        if module is None:
            self.flag(
                original,
                "activation",
                "activation=",
                ENTRIES["activation"],
                f"activation {act_text}: no rule",
            )
            return layer
        self.done(original, "activation", "activation=", ENTRIES["activation"], "a separate module")
        if layer.startswith("nn.Sequential(") and layer.endswith(")"):
            return f"{layer[:-1]}, {module})"
        return f"nn.Sequential({layer}, {module})"

    def _layer(
        self, original: cst.Call, updated: cst.Call, name: str, shown: str, pos: list[str], kw: dict[str, str]
    ) -> cst.BaseExpression:
        self.needs_nn = True
        kw = dict(kw)
        kw.pop("prefix", None)
        shared = kw.pop("params", None)
        if shared is not None:
            self.flag(
                original,
                "params",
                f"{shown}(params=)",
                ENTRIES["params_get"],
                f"params={shared} shared parameters in {S}: after building, assign the shared tensor "
                "(e.g. self.decoder.weight = self.encoder.weight)",
            )
        if name in ("Sequential", "HybridSequential"):
            self.done(original, "sequential", shown, ENTRIES["sequential"])
            return self.expr("nn.Sequential()")
        if name in rules.LAYERS:
            return self._dense_conv(original, name, shown, pos, kw)
        if name == "BatchNorm":
            momentum = kw.pop("momentum", None)
            eps = kw.pop("epsilon", None)
            channels = kw.pop("in_channels", None)
            axis = kw.pop("axis", "1")
            seen = self._recorded(original, name) if not channels else None
            dims_seen = None
            if seen is not None and axis == "1" and len(seen) >= 2:
                channels = str(seen[1])
                dims_seen = {2: "1d", 3: "1d", 4: "2d", 5: "3d"}.get(len(seen))
            out: dict[str, str] = {}
            if eps is not None:
                out["eps"] = eps
            if momentum is not None:
                value = _literal(cst.parse_expression(momentum))
                out["momentum"] = (
                    f"{round(1 - value, 10)!r}" if isinstance(value, float) else f"1 - ({momentum})"
                )
            for key in ("center", "scale"):
                if kw.pop(key, "True") != "True":
                    out["affine"] = "False"
            dims = "2d" if self.uses_conv else "1d"
            if seen is not None and dims_seen:
                dims = dims_seen
            if axis not in ("1",):
                self.flag(
                    original,
                    "batchnorm",
                    shown,
                    ENTRIES["batchnorm"],
                    f"axis={axis}: {TL} normalises dim 1; permute",
                )
            cls = f"nn.BatchNorm{dims}" if channels else f"nn.LazyBatchNorm{dims}"
            args = self._join([channels] if channels else [], out)
            self.done(original, "batchnorm", shown, ENTRIES["batchnorm"], f"momentum is 1 - {S}'s")
            if kw:
                self.flag(
                    original,
                    "batchnorm",
                    shown,
                    ENTRIES["batchnorm"],
                    f"arguments {', '.join(kw)} not carried",
                )
            return self.expr(f"{cls}({args})")
        if name == "Dropout":
            rate = kw.pop("rate", pos[0] if pos else "0.5")
            self.done(original, "dropout", shown, ENTRIES["dropout"], "rate -> p")
            return self.expr(f"nn.Dropout(p={rate})")
        if name == "Activation":
            act = _literal(cst.parse_expression(kw.get("activation", pos[0] if pos else "None")))
            module = rules.ACTIVATIONS.get(act) if isinstance(act, str) else None
            if module is not None:
                self.done(original, "activation", shown, ENTRIES["activation"])
                return self.expr(module)
        if name == "LeakyReLU":
            alpha = kw.get("alpha", pos[0] if pos else "0.01")
            self.done(original, "leaky", shown, ENTRIES["leaky"])
            return self.expr(f"nn.LeakyReLU({alpha})")
        if name == "Flatten":
            self.done(original, "flatten", shown, ENTRIES["flatten"])
            return self.expr("nn.Flatten()")
        if name in rules.POOLS:
            out = {}
            size = kw.pop("pool_size", pos[0] if pos else "2")
            out["kernel_size"] = size
            strides = kw.pop("strides", pos[1] if len(pos) > 1 else None)
            if strides not in (None, "None"):
                out["stride"] = strides
            padding = kw.pop("padding", pos[2] if len(pos) > 2 else None)
            if padding is not None:
                out["padding"] = padding
            if kw.pop("ceil_mode", "False") == "True":
                out["ceil_mode"] = "True"
            if name.startswith("Avg") and kw.pop("count_include_pad", "True") == "False":
                out["count_include_pad"] = "False"
            kw.pop("layout", None)
            self.done(original, "pooling", shown, ENTRIES["pooling"], "pool_size/strides renamed")
            return self.expr(f"{rules.POOLS[name]}({self._join([], out)})")
        if name in rules.GLOBAL_POOLS:
            self.done(original, "pooling", shown, ENTRIES["pooling"])
            return self.expr(rules.GLOBAL_POOLS[name])
        if name == "Embedding":
            num = kw.pop("input_dim", pos[0] if pos else None)
            dim = kw.pop("output_dim", pos[1] if len(pos) > 1 else None)
            self.done(original, "embedding", shown, ENTRIES["embedding"])
            self._not_carried(original, shown, ENTRIES["embedding"], kw)
            return self.expr(f"nn.Embedding({num}, {dim})")
        if name in ("LSTM", "GRU", "RNN"):
            return self._rnn(original, updated, name, shown, pos, kw)
        self.flag(original, "unmapped", shown, "", f"{shown}: no rule; port by hand")
        return updated

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

    def _dense_conv(
        self, original: cst.Call, name: str, shown: str, pos: list[str], kw: dict[str, str]
    ) -> cst.BaseExpression:
        plain, lazy, entry = rules.LAYERS[name]
        act = kw.pop("activation", None)
        out: dict[str, str] = {}
        if name == "Dense":
            units = kw.pop("units", pos[0] if pos else "")
            flatten = kw.pop("flatten", "True")
            inputs = kw.pop("in_units", pos[3] if len(pos) > 3 else None)
            if pos[1:2]:
                act = pos[1]
            if kw.pop("use_bias", "True") != "True":
                out["bias"] = "False"
            for key in ("dtype", "weight_initializer", "bias_initializer"):
                if key in kw:
                    self.flag(original, "dense", shown, entry, f"{key}= not carried")
                    kw.pop(key)
            seen = self._recorded(original, name) if not inputs else None
            if seen is not None and len(seen) >= 2:
                size = 1
                for dim in seen[1:] if flatten == "True" else seen[-1:]:
                    size *= dim
                inputs = str(size)
                if flatten == "True" and len(seen) == 2:
                    flatten = "False"  # already (batch, features): no Flatten needed
            args = [inputs, units] if inputs else [units]
            layer = f"{plain if inputs else lazy}({self._join(args, out)})"
            if flatten == "True":
                layer = f"nn.Sequential(nn.Flatten(), {layer})"
                self.done(original, "dense", shown, ENTRIES["flatten"], "flatten=True: Flatten + Linear")
            else:
                self.done(original, "dense", shown, entry)
            return self.expr(self._act(original, act, layer))
        order: tuple[str, ...] = ("channels", "kernel_size", "strides", "padding")
        order += ("output_padding", "dilation", "groups") if "Transpose" in name else ("dilation", "groups")
        for i, value in enumerate(pos[: len(order)]):
            kw.setdefault(order[i], value)
        channels = kw.pop("channels", "")
        out["kernel_size"] = kw.pop("kernel_size", "1")
        renames = {
            "strides": "stride",
            "padding": "padding",
            "dilation": "dilation",
            "groups": "groups",
            "output_padding": "output_padding",
        }
        for old, new in renames.items():
            if old in kw:
                out[new] = kw.pop(old)
        if kw.pop("use_bias", "True") != "True":
            out["bias"] = "False"
        inputs = kw.pop("in_channels", None)
        seen = self._recorded(original, name) if not inputs or inputs == "0" else None
        if seen is not None and len(seen) >= 2:
            inputs = str(seen[1])
        kw.pop("layout", None) if kw.get("layout") in ("'NCHW'", "'NCW'", "'NCDHW'") else None
        if kw:
            self.flag(original, "conv", shown, entry, f"arguments {', '.join(kw)} not carried")
        args = [inputs, channels] if inputs and inputs != "0" else [channels]
        layer = f"{plain if len(args) == 2 else lazy}({self._join(args, out)})"
        self.done(original, "conv", shown, entry, "channels/strides renamed")
        return self.expr(self._act(original, act, layer))

    def _rnn(
        self, original: cst.Call, updated: cst.Call, name: str, shown: str, pos: list[str], kw: dict[str, str]
    ) -> cst.BaseExpression:
        order = (
            ("hidden_size", "num_layers", "activation", "layout")
            if name == "RNN"
            else ("hidden_size", "num_layers", "layout")
        )
        for i, value in enumerate(pos[: len(order)]):
            kw.setdefault(order[i], value)
        hidden = kw.pop("hidden_size", None)
        layers = kw.pop("num_layers", "1")
        inputs = kw.pop("input_size", None)
        out = {"num_layers": layers}
        layout = kw.pop("layout", "'TNC'")
        if layout.strip("'\"") == "NTC":
            out["batch_first"] = "True"
        for key in ("dropout", "bidirectional"):
            if key in kw:
                out[key] = kw.pop(key)
        if name == "RNN":  # Gluon's default is relu, PyTorch's tanh
            out["nonlinearity"] = kw.pop("activation", "'relu'")
        if not inputs or inputs == "0":
            self.flag(
                original,
                "rnn",
                shown,
                ENTRIES["lstm"],
                f"input_size unknown: {TL} needs it (pass input_size=)",
            )
            return updated
        self.done(original, "rnn", shown, ENTRIES["lstm"], "gates in the same order; (h, c) a tuple")
        if kw:
            self.flag(original, "rnn", shown, ENTRIES["lstm"], f"arguments {', '.join(kw)} not carried")
        return self.expr(f"nn.{name}({inputs}, {hidden}, {self._join([], out)})")

    def _loss(
        self, original: cst.Call, updated: cst.Call, name: str, shown: str, pos: list[str], kw: dict[str, str]
    ) -> cst.BaseExpression:
        target = rules.LOSSES.get(name)
        if target is None:
            self.flag(original, "loss", shown, ENTRIES["loss"], f"{shown}: no rule; port by hand")
            return updated
        cls, entry = target
        if name.startswith("Softmax"):
            if kw.pop("from_logits", "False") == "True":
                cls = "nn.NLLLoss"
                self.done(original, "loss", shown, entry, "from_logits=True: inputs are log-probabilities")
            if kw.pop("sparse_label", "True") == "False":
                self.flag(
                    original, "loss", shown, entry, "sparse_label=False: targets are probabilities (float)"
                )
            kw.pop("axis", None)
        if name.startswith("Sigmoid") and kw.pop("from_sigmoid", "False") == "True":
            cls = "nn.BCELoss"
        if name == "L2Loss":
            self.flag(
                original,
                "loss",
                shown,
                entry,
                f"{S}'s L2Loss is 0.5 * squared error, averaged over all but the batch axis: multiply by 0.5",
            )
        elif name == "L1Loss" or name.startswith("Sigmoid"):
            self.flag(
                original,
                "loss",
                shown,
                entry,
                f"{S} averages over every axis but the batch one: add .mean(dim=...) for >1-D outputs",
            )
        else:
            self.done(original, "loss", shown, entry, "reduction='none' (one loss per sample), int64 labels")
        if kw.pop("weight", None) is not None:
            self.flag(original, "loss", shown, entry, f"weight= scales the loss in {S}; not carried")
        if cls == "nn.CrossEntropyLoss":
            return self.expr(
                "lambda pred, label: nn.functional.cross_entropy(pred, label.long(), reduction='none')"
            )
        return self.expr(f"{cls}(reduction='none')")

    def _trainer(
        self, original: cst.Call, updated: cst.Call, shown: str, pos: list[str], kw: dict[str, str]
    ) -> cst.BaseExpression:
        params = pos[0] if pos else kw.get("params", "")
        opt_text = pos[1] if len(pos) > 1 else kw.get("optimizer")
        hyper_text = pos[2] if len(pos) > 2 else kw.get("optimizer_params")
        opt = _literal(cst.parse_expression(opt_text)) if opt_text else _UNKNOWN
        hyper = _dict_codes(hyper_text) if hyper_text else {}
        if not isinstance(opt, str) or opt.lower() not in rules.OPTIMIZERS or hyper is None:
            self.flag(
                original,
                "trainer",
                shown,
                ENTRIES["trainer"],
                "optimizer or its settings not literal: map by hand",
            )
            return updated
        cls, renames = rules.OPTIMIZERS[opt.lower()]
        out = {}
        if "learning_rate" not in hyper and opt.lower() in ("sgd", "nag"):
            out["lr"] = "0.01"
        betas = (hyper.pop("beta1", None), hyper.pop("beta2", None))
        for key, value in hyper.items():
            new = renames.get(key)
            if not new:
                self.flag(original, "trainer", shown, ENTRIES["trainer"], f"{key} not mapped")
                continue
            out[new] = value
        if any(b is not None for b in betas):
            out["betas"] = (
                f"({0.9 if betas[0] is None else betas[0]}, {0.999 if betas[1] is None else betas[1]})"
            )
        if opt.lower() == "nag":
            out["nesterov"] = "True"
        if opt.lower() == "rmsprop":
            out.setdefault("alpha", "0.9")
            out.setdefault("eps", "1e-08")
        self.done(original, "trainer", shown, ENTRIES["trainer"], "hyperparameters renamed")
        return self.expr(f"{cls}({params}, {self._join([], out)})")

    def _dataloader(
        self, original: cst.Call, shown: str, pos: list[str], kw: dict[str, str]
    ) -> cst.BaseExpression:
        kw = dict(kw)
        last = kw.pop("last_batch", None)
        if last is not None:
            value = _literal(cst.parse_expression(last))
            if value == "discard":
                kw["drop_last"] = "True"
            elif value == "rollover":
                self.flag(
                    original,
                    "dataloader",
                    shown,
                    ENTRIES["dataloader"],
                    "last_batch='rollover' has no counterpart",
                )
        if "batchify_fn" in kw:
            kw["collate_fn"] = kw.pop("batchify_fn")
        if "thread_pool" in kw:
            kw.pop("thread_pool")
        self.done(original, "dataloader", shown, ENTRIES["dataloader"])
        return self.expr(f"{T}.utils.data.DataLoader({self._join(pos, kw)})")

    def _vision_dataset(
        self, original: cst.Call, shown: str, name: str, pos: list[str], kw: dict[str, str]
    ) -> cst.BaseExpression:
        kw = dict(kw)
        if not pos:
            kw.setdefault("root", "'data'")
        kw["download"] = "True"
        self.flag(
            original,
            "dataset",
            shown,
            ENTRIES["transform_first"],
            f"torchvision's dataset yields PIL images ({S}'s: HWC uint8 arrays): add "
            "transform=torchvision.transforms.ToTensor() (CHW, scaled to [0, 1]) or an equivalent",
        )
        return self.expr(f"torchvision.datasets.{name}({self._join(pos, kw)})")

    # -- methods on MXNet objects ---------------------------------------------------------------
    def _method_call(self, original: cst.Call, updated: cst.Call, method: str) -> cst.BaseExpression:
        func = updated.func
        assert isinstance(func, cst.Attribute)
        receiver = self.code(func.value)
        pos, kw = self._args(updated)
        line_api = f".{method}()"
        if method == "asnumpy" and not pos and not kw:
            self.done(original, "asnumpy", line_api, ENTRIES["asnumpy"])
            return self.expr(f"{receiver}.detach().cpu().numpy()")
        if method == "asscalar" and not pos and not kw:
            self.done(original, "asscalar", line_api, ENTRIES["asscalar"])
            return self.expr(f"{receiver}.item()")
        if method in ("as_in_context", "as_in_ctx", "copyto") and len(pos) == 1:
            self.done(original, "context", line_api, ENTRIES["context"])
            return self.expr(f"{receiver}.to({pos[0]})")
        if method in ("reset", "update", "get") and receiver in self.metric_vars:
            self.done(original, "metric", f"metric.{method}()", ENTRIES["metric"], "the helper class has it")
            return updated
        if method in ("as_np_ndarray", "as_nd_ndarray") and not pos and not kw:
            self.done(original, "asnumpy", line_api, ENTRIES["asnumpy"], f"one tensor type in {TL}")
            return func.value
        if method == "attach_grad" and not pos:
            self.done(original, "attach_grad", line_api, ENTRIES["attach_grad"])
            return self.expr(f"{receiver}.requires_grad_()")
        if method == "collect_params" and not pos:
            self.done(original, "collect_params", line_api, ENTRIES["collect_params"])
            return self.expr(f"{receiver}.parameters()")
        if (
            method == "__init__"
            and isinstance(func.value, cst.Call)
            and self.class_stack
            and self.class_stack[-1].is_block
        ):
            inner = func.value.func
            if isinstance(inner, cst.Name) and inner.value == "super" and (pos or kw):
                self.done(
                    original, "block", "Block.__init__", ENTRIES["block"], "prefix/params arguments dropped"
                )
                return self.expr("super().__init__()")
        if (
            method in ("get", "get_constant")
            and self.class_stack
            and self.class_stack[-1].is_block
            and receiver.endswith(".params")
        ):
            shape = kw.get("shape", pos[1] if len(pos) > 1 else None)
            if shape is None:
                self.flag(
                    original,
                    "params_get",
                    ".params.get()",
                    ENTRIES["params_get"],
                    f"no shape given: write nn.Parameter({T}.empty(shape))",
                )
                return updated
            grad = (
                ", requires_grad=False" if method == "get_constant" or kw.get("grad_req") == "'null'" else ""
            )
            init = kw.get("init")
            self.done(original, "params_get", ".params.get()", ENTRIES["params_get"], "nn.Parameter")
            if init is not None:
                self.flag(
                    original,
                    "params_get",
                    ".params.get()",
                    ENTRIES["initialize"],
                    f"init={init} not carried: initialise with {T}.nn.init",
                )
            return self.expr(f"nn.Parameter({T}.empty({shape}).uniform_(-0.07, 0.07){grad})")
        if method == "add" and self._is_sequential(original):
            self.done(original, "sequential", ".add()", ENTRIES["sequential"], "add -> append")
            if len(pos) == 1:
                return self.expr(f"{receiver}.append({pos[0]})")
            return self.expr(f"{receiver}.extend([{', '.join(pos)}])")
        if method in ("save_parameters", "save_params") and len(pos) == 1:
            self.done(original, "save", line_api, ENTRIES["save"])
            return self.expr(f"{T}.save({receiver}.state_dict(), {pos[0]})")
        if method in ("load_parameters", "load_params") and pos:
            self.done(original, "save", line_api, ENTRIES["save"])
            if len(pos) > 1 or kw:
                self.flag(
                    original,
                    "save",
                    line_api,
                    ENTRIES["save"],
                    "ctx/allow_missing arguments dropped: use map_location / strict=False",
                )
            return self.expr(f"{receiver}.load_state_dict({T}.load({pos[0]}))")
        if method == "step" and self._is_trainer(receiver):
            self.done(
                original,
                "step",
                TRAINER_STEP,
                ENTRIES["step"],
                "the loss is divided by batch_size at backward()",
            )
            if pos and self.step_batch is None:
                self.step_batch = pos[0]
            return self.expr(f"{receiver}.step()")
        steps = {arg for name, arg in self.step_args.items() if self._is_trainer(name)}
        if method == "backward" and not pos and len(steps) == 1:
            self.done(
                original,
                "step",
                ".backward()",
                ENTRIES["step"],
                "sum loss / batch_size, as trainer.step(batch_size) did",
            )
            return self.expr(f"({receiver}.sum() / {next(iter(steps))}).backward()")
        if method == "backward" and not pos and steps:
            self.flag(
                original,
                "step",
                ".backward()",
                ENTRIES["step"],
                f"{S} summed a vector loss and trainer.step(n) divided by n: backward on loss.sum() / n",
            )
            return updated
        if method == "set_learning_rate" and self._is_trainer(receiver) and len(pos) == 1:
            self.done(original, "trainer", line_api, "set-learning-rate")
            return self.expr(f"[g.__setitem__('lr', {pos[0]}) for g in {receiver}.param_groups]")
        if receiver in self.rnns and method == "begin_state":
            self.flag(
                original,
                "rnn",
                ".begin_state()",
                ENTRIES["lstm"],
                f"{TL} starts from zeros when no state is passed; otherwise build "
                f"{T}.zeros(num_layers * directions, batch, hidden) (a pair for LSTM)",
            )
            return updated
        if method == "transform_first" and len(pos) == 1 and receiver.startswith("torchvision.datasets."):
            self.done(original, "transform_first", line_api, ENTRIES["transform_first"], "transform=")
            return self.expr(f"{receiver[:-1]}, transform={pos[0]})")
        if method == "transform" and receiver.startswith("torchvision.datasets."):
            self.flag(
                original,
                "transform_first",
                ".transform()",
                ENTRIES["transform_first"],
                f"{S}'s dataset.transform(fn) calls fn(data, label); wrap the dataset in one whose "
                "__getitem__ applies fn, or use transform=/target_transform=",
            )
            return updated
        if method == "transform_first":
            self.flag(
                original,
                "transform_first",
                line_api,
                ENTRIES["transform_first"],
                "pass the transform as transform= to the dataset",
            )
            return updated
        if method in rules.TENSOR_METHODS and any(k in kw for k in ("axis", "keepdims")):
            renamed = {{"axis": "dim", "keepdims": "keepdim"}.get(k, k): v for k, v in kw.items()}
            if method in ("max", "min") and "dim" in renamed:
                method = "amax" if method == "max" else "amin"
            self.done(original, "operator", f".{method}(axis=)", "reduction-axis")
            return self.expr(f"{receiver}.{method}({self._join(pos, renamed)})")
        if method == "reshape" and (pos or kw):
            shape_text = pos[0] if len(pos) == 1 else ("(" + ", ".join(pos) + ")" if pos else kw.get("shape"))
            return self._reshape(original, ".reshape()", receiver, shape_text)
        if method in ("expand_dims",) and (pos or kw):
            self.done(original, "expand_dims", ".expand_dims()", ENTRIES["expand_dims"])
            return self.expr(f"{receiver}.unsqueeze({pos[0] if pos else kw['axis']})")
        if method == "transpose" and (pos or kw):
            axes = kw.get("axes", ", ".join(pos))
            self.done(original, "transpose", ".transpose()", ENTRIES["transpose"])
            return self.expr(f"{receiver}.permute({axes})")
        if method == "astype" and len(pos) == 1:
            dtype = pos[0].strip("'\"")
            if dtype in ("float32", "float64", "int32", "int64", "uint8", "float16"):
                self.done(original, "astype", ".astype()", "dtype-cast")
                return self.expr(f"{receiver}.to({T}.{dtype})")
            if dtype.startswith("np."):
                self.done(original, "astype", ".astype()", "dtype-cast")
                return self.expr(f"{receiver}.to({T}.{dtype[3:]})")
        return updated

    def _is_trainer(self, name: str) -> bool:
        """A variable assigned from ``gluon.Trainer``, or one stepped with a batch size and named so."""
        return name in self.trainers or (name in self.step_args and "trainer" in name.lower())

    def _is_sequential(self, call: cst.Call) -> bool:
        """``X.add(...)`` on a variable assigned a Sequential, or adding Gluon layers (not a set's add)."""
        assert isinstance(call.func, cst.Attribute)
        if self.code(call.func.value) in self.sequentials:
            return True
        return bool(call.args) and all(
            isinstance(a.value, cst.Call) and self.api_of(a.value.func) is not None for a in call.args
        )

    # -- keyword ctx= on anything ----------------------------------------------------------
    def _device_keyword(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        """``ctx=`` -> ``device=`` on a call into MXNet (a user's own ``ctx=`` parameter is left alone)."""
        if not any(a.keyword is not None and a.keyword.value == "ctx" for a in updated.args):
            return updated
        self.done(original, "context", "ctx=", ENTRIES["context"])
        args = [
            a.with_changes(keyword=cst.Name("device"))
            if a.keyword is not None and a.keyword.value == "ctx"
            else a
            for a in updated.args
        ]
        return updated.with_changes(args=args)


def _step_calls(tree: ast.Module, code: str) -> list[tuple[int, str, str]]:
    """Every ``trainer.step(ARG)`` in the file: (line, receiver name, ARG's source text), in order."""
    found: list[tuple[int, str, str]] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "step"
            and isinstance(node.func.value, ast.Name)
            and len(node.args) == 1
            and not node.keywords
        ):
            arg = ast.get_source_segment(code, node.args[0]) or ""
            found.append((node.lineno, node.func.value.id, arg))
    return sorted(found)


def _aliases(tree: ast.Module) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = alias.name if alias.asname else alias.name.split(".", 1)[0]
                bound = alias.asname or alias.name.split(".", 1)[0]
                if canonical(target, PROFILE) is not None:
                    aliases[bound] = target
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                target = f"{node.module}.{alias.name}"
                if alias.name != "*" and canonical(target, PROFILE) is not None:
                    aliases[alias.asname or alias.name] = target
    return aliases


def port_code(code: str, shapes: dict[tuple[int, int, str], tuple[int, ...]] | None = None) -> PortResult:
    """``code`` (a Gluon file's text) rewritten as a PyTorch draft, with every edit recorded.

    Never raises on Python text: a syntax error comes back in ``error`` with the code unchanged.
    """
    lines = len(code.splitlines())
    try:
        tree = ast.parse(code)
        module = cst.parse_module(code)
    except (SyntaxError, ValueError, cst.ParserSyntaxError, RecursionError, MemoryError) as exc:
        line = getattr(exc, "lineno", None) or getattr(exc, "raw_line", None)
        where = f"line {line}: " if line else ""
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return PortResult(code, [], lines, f"{where}{message}")
    aliases = _aliases(tree)
    if not aliases:
        return PortResult(code, [], lines)
    uses = find_uses(tree, SOURCE)
    uses_conv = any(".Conv" in u.api and "D" in u.api.rsplit(".", 1)[-1] for u in uses)
    rewriter = _Rewriter(aliases, uses_conv)
    rewriter.shapes = shapes or {}
    rewriter.mode_layers = any(u.api.endswith((".Dropout", ".BatchNorm")) for u in uses)
    rewriter.step_calls = _step_calls(tree, code)
    rewriter.step_args = {name: arg for _, name, arg in rewriter.step_calls}
    for use in uses:
        if not use.api.endswith("=)"):
            rewriter.uses_by_line.setdefault(use.line, []).append(display_name(use.api, SOURCE))
    try:
        new = MetadataWrapper(module).visit(rewriter)
        code_out = new.code
        ast.parse(code_out)
    except Exception as exc:  # a rule that fails must not lose the user's file: report it, change nothing
        last = max((e.line for e in rewriter.edits), default=0)
        near = f" (near line {last})" if last else ""
        return PortResult(
            code, [], lines, f"a rewrite rule failed{near}: {type(exc).__name__}: {exc}; nothing was changed"
        )
    if rewriter.metrics:
        code_out = _insert_helpers(code_out, [_METRIC_HELPERS[m] for m in sorted(rewriter.metrics)])
    if "torchvision." in code_out and "import torchvision" not in code_out:
        code_out = _insert_helpers(code_out, ["import torchvision\n"], after_imports_only=True)
    rewriter.edits.sort(key=lambda e: (e.line, e.flagged))
    return PortResult(code_out, rewriter.edits, lines)


def _insert_helpers(code: str, helpers: list[str], after_imports_only: bool = False) -> str:
    """``helpers`` written after the draft's ``from torch import nn`` (the imports rewritten)."""
    anchor = f"from {TARGET_ROOT} import nn\n"
    at = code.find(anchor)
    if at >= 0:
        at += len(anchor)
        block = "".join(helpers)
        if not after_imports_only:
            block = "\n\n" + block.strip("\n") + "\n\n"
        return code[:at] + block + code[at:]
    return _insert_after_imports(code, helpers, after_imports_only)


def _insert_after_imports(code: str, helpers: list[str], after_imports_only: bool) -> str:
    tree = ast.parse(code)
    last = 0
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)) or (
            isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and node is tree.body[0]
        ):
            last = node.end_lineno or last
        else:
            break
    lines = code.splitlines(keepends=True)
    block = "".join(helpers)
    if not after_imports_only:
        block = block.rstrip("\n") + "\n\n"
    return "".join(lines[:last]) + block + "".join(lines[last:])
