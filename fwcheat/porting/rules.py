"""The rename and layout rules that turn a checkpoint's parameter names into the target's.

Each rule has an id that is also a knowledge entry
(``knowledge/checkpoints/<id>.yaml``), so the converter's report and
``fwcheat search`` cite the same text. Pure functions of names and shapes:
nothing here runs a framework.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: gamma/beta -> weight/bias.
RULE_AFFINE = "weights-rule-batchnorm-gamma-beta"
#: moving_mean/moving_var -> running_mean/running_var.
RULE_STATS = "weights-rule-batchnorm-moving-stats"
#: l0_i2h_weight -> weight_ih_l0, h2h -> hh, r0_ -> _reverse.
RULE_RNN = "weights-rule-rnn-names"
#: LSTM and GRU gates are stacked in the same order on both sides.
RULE_GATES = "weights-rule-rnn-gate-order"
#: symbol BatchNorm fix_gamma=True: gamma is ignored, loads as ones.
RULE_FIX_GAMMA = "weights-rule-fix-gamma"
#: Dense weights are (out, in) on both sides; flatten=True flattens the input first.
RULE_DENSE = "weights-rule-dense-flatten"
#: Conv2DTranspose and ConvTranspose2d weights are both (in, out/groups, kh, kw).
RULE_DECONV = "weights-rule-conv-transpose-layout"
#: The three checkpoint forms and how their names read.
RULE_FORMS = "weights-rule-checkpoint-forms"
#: Modules left after matching by name are paired in order, when their shapes agree.
RULE_ORDER = "weights-rule-module-order"

ALL_RULES = (
    RULE_FORMS,
    RULE_AFFINE,
    RULE_STATS,
    RULE_RNN,
    RULE_GATES,
    RULE_FIX_GAMMA,
    RULE_DENSE,
    RULE_DECONV,
    RULE_ORDER,
)

#: Checkpoint leaf -> (target leaf, rule or "").
LEAVES: dict[str, tuple[str, str]] = {
    "running_mean": ("running_mean", ""),
    "running_var": ("running_var", ""),
    "moving_mean": ("running_mean", RULE_STATS),
    "moving_var": ("running_var", RULE_STATS),
    "gamma": ("weight", RULE_AFFINE),
    "beta": ("bias", RULE_AFFINE),
    "weight": ("weight", ""),
    "bias": ("bias", ""),
}
_RNN_LEAF = re.compile(r"(?P<dir>[lr])(?P<layer>\d+)_(?P<kind>i2h|h2h)_(?P<what>weight|bias)")
#: Gluon 1.x saves RNN layers in the old unfused-cell form: `lstm._unfused.0.l_cell.i2h_weight`.
_UNFUSED_RNN = re.compile(
    r"^(?P<module>.*?)\.?_unfused\.(?P<layer>\d+)\.(?:(?P<dir>[lr])_cell\.)?(?P<kind>i2h|h2h)_(?P<what>weight|bias)$"
)
_PREFIXED_RNN = re.compile(r"^(?P<module>.+)_(?P<leaf>" + _RNN_LEAF.pattern + r")$")
#: Target buffers no checkpoint carries (PyTorch's BatchNorm step counter).
TARGET_ONLY_LEAVES = ("num_batches_tracked",)


@dataclass(frozen=True)
class SourceParam:
    """One checkpoint parameter, read through the rules."""

    name: str
    shape: tuple[int, ...]
    module: str  # the layer it belongs to: `features.0` or `resnetv10_conv0`
    leaf: str  # its name on the target side: weight, running_mean, weight_ih_l0, ...
    rules: tuple[str, ...] = field(default=())
    fixed_gamma: bool = False

    @property
    def target_name(self) -> str:
        """The target name when the checkpoint is structural (module paths carry over)."""
        return f"{self.module}.{self.leaf}" if self.module else self.leaf


@dataclass(frozen=True)
class TargetParam:
    """One entry of the target's state_dict."""

    name: str
    shape: tuple[int, ...]
    owner: str = ""  # class name of the module that holds it

    @property
    def module(self) -> str:
        return self.name.rpartition(".")[0]

    @property
    def leaf(self) -> str:
        return self.name.rpartition(".")[2]


def rename_leaf(raw: str) -> tuple[str, tuple[str, ...]] | None:
    """A checkpoint leaf name -> (target leaf, rules applied); None when no rule knows it."""
    if raw in LEAVES:
        leaf, rule = LEAVES[raw]
        return leaf, (rule,) if rule else ()
    match = _RNN_LEAF.fullmatch(raw)
    if match:
        kind = "ih" if match["kind"] == "i2h" else "hh"
        reverse = "_reverse" if match["dir"] == "r" else ""
        return f"{match['what']}_{kind}_l{match['layer']}{reverse}", (RULE_RNN, RULE_GATES)
    return None


def split_source(name: str, shape: tuple[int, ...], fixed: bool = False) -> SourceParam:
    """Read a checkpoint name (structural ``a.b.weight`` or prefixed ``conv0_weight``)."""
    rules: tuple[str, ...] = ()
    unfused = _UNFUSED_RNN.match(name)
    if unfused:
        raw = f"{unfused['dir'] or 'l'}{unfused['layer']}_{unfused['kind']}_{unfused['what']}"
        renamed = rename_leaf(raw)
        assert renamed is not None
        module, (leaf, rules) = unfused["module"], renamed
    elif "." in name:
        module, _, raw = name.rpartition(".")
        renamed = rename_leaf(raw)
        leaf, rules = renamed if renamed else (raw, ())
    else:
        module, leaf = name, ""
        rnn = _PREFIXED_RNN.match(name)
        if rnn:
            module, renamed = rnn["module"], rename_leaf(rnn["leaf"])
            assert renamed is not None
            leaf, rules = renamed
        else:
            for raw in sorted(LEAVES, key=len, reverse=True):
                if name.endswith("_" + raw) and len(name) > len(raw) + 1:
                    module = name[: -len(raw) - 1]
                    leaf, rule = LEAVES[raw]
                    rules = (rule,) if rule else ()
                    break
    if fixed:
        rules = (*rules, RULE_FIX_GAMMA)
    return SourceParam(name, tuple(shape), module, leaf, rules, fixed)


def layout_rules(source: SourceParam, target: TargetParam) -> tuple[str, ...]:
    """Layout rules worth citing for a pair, from the target module's class."""
    if target.leaf != "weight":
        return ()
    if target.owner == "Linear":
        return (RULE_DENSE,)
    if target.owner.startswith("ConvTranspose"):
        return (RULE_DECONV,)
    return ()


_COUNTED = re.compile(r"^(?P<scope>.*?)(?P<kind>[a-z]+)(?P<n>\d+)$")


def creation_order(sources: list[SourceParam]) -> list[SourceParam]:
    """Layers of a symbol-ordered checkpoint put back in the order they were created.

    A symbol file lists parameters in graph order, where a residual block's
    shortcut (`stage2_conv2`) comes before its body (`stage2_conv0`, `conv1`).
    Gluon's prefixed names count each layer kind per name scope in creation
    order, and a target module registers its layers in creation order too. So
    within each run of layers from one scope, the places each kind holds
    (conv, batchnorm, ...) are refilled with that kind's layers sorted by their
    counter; names without a counter keep their place.
    """
    modules: dict[str, list[SourceParam]] = {}
    for s in sources:
        modules.setdefault(s.module, []).append(s)
    runs: list[list[str]] = []
    last_scope: str | None = None
    for name in modules:
        found = _COUNTED.match(name)
        scope = found["scope"] if found else None
        if scope is None or scope != last_scope or not runs:
            runs.append([])
        runs[-1].append(name)
        last_scope = scope
    ordered: list[str] = []
    for run in runs:
        kinds: dict[str, list[str]] = {}
        for name in run:
            found = _COUNTED.match(name)
            kinds.setdefault(found["kind"] if found else name, []).append(name)
        queues = {
            kind: sorted(names, key=lambda n: int(_COUNTED.match(n)["n"]) if _COUNTED.match(n) else 0)  # type: ignore[index]
            for kind, names in kinds.items()
        }
        for name in run:
            found = _COUNTED.match(name)
            ordered.append(queues[found["kind"] if found else name].pop(0))
    return [s for name in ordered for s in modules[name]]
