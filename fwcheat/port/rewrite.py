"""The rewrite behind `fwcheat port`: Gluon code -> a PyTorch draft, on libcst's concrete syntax tree.

libcst keeps comments and formatting, so the draft reads like the source. Names are resolved the
way `fwcheat scan` resolves them (``import mxnet as mx``, ``from mxnet.gluon import nn``, ``F`` in
``hybrid_forward``), through :func:`fwcheat.scan.uses.canonical`. Each rewrite is recorded as an
:class:`Edit` (line, rule, API, entry, flagged or not); a use no rule covers keeps its code under a
``# fwcheat: TODO(entry) trap`` comment. This module holds the statement, class, function and method
rules and :func:`port_code`; the operator rules are in :mod:`fwcheat.port.ops`, the layer and
training-object rules in :mod:`fwcheat.port.layers`, their tables in :mod:`fwcheat.port.rules`.
libcst is imported only by these modules, never on the search path.
"""

from __future__ import annotations

import ast

import libcst as cst
from libcst.metadata import MetadataWrapper

from fwcheat.port import rules
from fwcheat.port.base import (
    PROFILE,
    ROOT,
    SOURCE,
    TARGET_ROOT,
    TL,
    TRAINER_STEP,
    Edit,
    PortResult,
    S,
    T,
    _chain,
    _ClassInfo,
    _comment,
)
from fwcheat.port.layers import LayerRules
from fwcheat.port.ops import OpRules
from fwcheat.port.rules import ENTRIES
from fwcheat.scan.uses import canonical, display_name, find_uses

__all__ = ["Edit", "PortResult", "port_code"]


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


class _Rewriter(OpRules, LayerRules):
    """The statement, class, function and method rules; operators and layers come from the bases."""

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

    def _is_sequential(self, call: cst.Call) -> bool:
        """``X.add(...)`` on a variable assigned a Sequential, or adding Gluon layers (not a set's add)."""
        assert isinstance(call.func, cst.Attribute)
        if self.code(call.func.value) in self.sequentials:
            return True
        return bool(call.args) and all(
            isinstance(a.value, cst.Call) and self.api_of(a.value.func) is not None for a in call.args
        )

    # -- keyword ctx= on calls into the framework ----------------------------------------------------------
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
    kept = _still_needed_imports(tree, code_out)
    if kept:
        with_imports = _insert_helpers(code_out, [statement for _, statement, _ in kept], True)
        try:
            ast.parse(with_imports)
        except SyntaxError:  # never let this step break a draft that parsed
            kept = []
        else:
            code_out = with_imports
        for line, statement, name in kept:
            rewriter.edits.append(
                Edit(
                    line,
                    "imports",
                    ROOT,
                    ENTRIES["imports"],
                    True,
                    f"kept `{statement.rstrip().splitlines()[-1]}`: "
                    f"`{name}` is still used where no rule applied",
                )
            )
    rewriter.edits.sort(key=lambda e: (e.line, e.flagged))
    return PortResult(code_out, rewriter.edits, lines)


def _still_needed_imports(tree: ast.Module, code_out: str) -> list[tuple[int, str, str]]:
    """The source framework's imports the draft still needs: (line, statement, name), one per name.

    A use no rule translated keeps its name (``mx.gluon.metric.MSE()``); the import that bound
    it is put back, marked, so the draft runs as far as it is ported instead of failing on an
    undefined name. A name the draft binds itself (``nn``, now from the target) is not.
    """
    bound_by: dict[str, tuple[int, str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == ROOT:
                    name = alias.asname or alias.name.split(".")[0]
                    text = f"import {alias.name}" + (f" as {alias.asname}" if alias.asname else "")
                    bound_by.setdefault(name, (node.lineno, text))
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module
            and not node.level
            and node.module.split(".")[0] == ROOT
        ):
            for alias in node.names:
                if alias.name != "*":
                    name = alias.asname or alias.name
                    text = f"from {node.module} import {alias.name}" + (
                        f" as {alias.asname}" if alias.asname else ""
                    )
                    bound_by.setdefault(name, (node.lineno, text))
    if not bound_by:
        return []
    out = ast.parse(code_out)
    bound_now: set[str] = set()
    used: list[str] = []
    for node in ast.walk(out):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound_now.update((a.asname or a.name.split(".")[0]) for a in node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in bound_by:
            used.append(node.id)
    needed = [name for name in dict.fromkeys(used) if name not in bound_now]
    return [
        (
            bound_by[n][0],
            f"# fwcheat: TODO({ENTRIES['imports']}) `{n}` is still used where no rule applied; "
            f"drop this import once those lines are ported\n{bound_by[n][1]}\n",
            n,
        )
        for n in sorted(needed, key=lambda n: bound_by[n][0])
    ]


def _insert_helpers(code: str, helpers: list[str], after_imports_only: bool = False) -> str:
    """``helpers`` written after the draft's ``from torch import nn`` (the imports rewritten)."""
    anchor = f"from {TARGET_ROOT} import nn\n"
    # Only a top-level one: a function's own (indented) import is no place for module code.
    if code.startswith(anchor):
        at = len(anchor)
    else:
        found = code.find("\n" + anchor)
        at = found + 1 + len(anchor) if found >= 0 else -1
    if at >= 0:
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
