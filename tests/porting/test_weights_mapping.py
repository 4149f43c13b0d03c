"""The rename rules, the matching passes and the mapping file, without kernels."""

from __future__ import annotations

from pathlib import Path

import pytest

from fwcheat.porting.mapping import MapLine, MappingError, dump_mapping, load_mapping, match
from fwcheat.porting.rules import (
    ALL_RULES,
    RULE_AFFINE,
    RULE_FIX_GAMMA,
    RULE_ORDER,
    RULE_RNN,
    RULE_STATS,
    TargetParam,
    creation_order,
    split_source,
)

KNOWLEDGE = Path(__file__).parents[2] / "knowledge" / "checkpoints"


@pytest.mark.parametrize(
    ("name", "module", "leaf", "rule"),
    [
        ("features.1.gamma", "features.1", "weight", RULE_AFFINE),
        ("features.1.beta", "features.1", "bias", RULE_AFFINE),
        ("bn0_moving_mean", "bn0", "running_mean", RULE_STATS),
        ("resnetv10_batchnorm0_moving_var", "resnetv10_batchnorm0", "running_var", RULE_STATS),
        ("resnetv10_conv0_weight", "resnetv10_conv0", "weight", None),
        ("dense1_bias", "dense1", "bias", None),
        ("lstm0_l0_i2h_weight", "lstm0", "weight_ih_l0", RULE_RNN),
        ("lstm0_r1_h2h_bias", "lstm0", "bias_hh_l1_reverse", RULE_RNN),
        ("enc.lstm.l0_h2h_weight", "enc.lstm", "weight_hh_l0", RULE_RNN),
        ("lstm._unfused.1.r_cell.i2h_weight", "lstm", "weight_ih_l1_reverse", RULE_RNN),
        ("gru._unfused.0.h2h_bias", "gru", "bias_hh_l0", RULE_RNN),
    ],
)
def test_names_read_through_the_rules(name: str, module: str, leaf: str, rule: str | None) -> None:
    param = split_source(name, (3,))
    assert (param.module, param.leaf) == (module, leaf)
    assert (rule in param.rules) if rule else param.rules == ()


def test_every_rule_the_converter_cites_has_a_knowledge_entry() -> None:
    for rule in ALL_RULES:
        assert (KNOWLEDGE / f"{rule}.yaml").is_file(), rule


def _targets(*items: tuple[str, tuple[int, ...]]) -> list[TargetParam]:
    return [TargetParam(n, s) for n, s in items]


def test_structural_names_match_by_name_and_the_rest_by_order() -> None:
    sources = [
        split_source("0.weight", (4, 2)),
        split_source("0.bias", (4,)),
        split_source("1.gamma", (4,)),
        split_source("1.beta", (4,)),
        split_source("1.running_mean", (4,)),
        split_source("1.running_var", (4,)),
        split_source("dense9_weight", (3, 4)),
    ]
    targets = _targets(
        ("0.weight", (4, 2)),
        ("0.bias", (4,)),
        ("1.weight", (4,)),
        ("1.bias", (4,)),
        ("1.running_mean", (4,)),
        ("1.running_var", (4,)),
        ("1.num_batches_tracked", ()),
        ("head.weight", (3, 4)),
    )
    mapping = match(sources, targets)
    got = {p.source.name: (p.target.name, p.how) for p in mapping.pairs}
    assert got["1.gamma"] == ("1.weight", "name")
    assert got["dense9_weight"] == ("head.weight", "order")
    assert RULE_ORDER in next(p for p in mapping.pairs if p.how == "order").rules
    assert mapping.kept == ["1.num_batches_tracked"]
    assert mapping.modules() == [("0", "0"), ("1", "1"), ("dense9", "head")]


def test_a_layer_that_does_not_fit_is_an_error_with_the_map_lines() -> None:
    sources = [split_source("conv0_weight", (8, 3, 3, 3)), split_source("conv1_weight", (16, 8, 3, 3))]
    targets = _targets(("a.weight", (8, 3, 3, 3)), ("b.weight", (16, 8, 1, 1)))
    with pytest.raises(MappingError) as caught:
        match(sources, targets, map_path="m.yaml")
    message = str(caught.value)
    assert "'conv1'" in message and "'b'" in message and "shape mismatch" in message
    assert "conv1_weight: TARGET_NAME" in message and "m.yaml" in message


def test_leftovers_on_either_side_are_errors() -> None:
    with pytest.raises(MappingError, match=r"left over.*\n  extra_weight \(2,\)(.|\n)*extra_weight: null"):
        match(
            [split_source("a_weight", (1,)), split_source("extra_weight", (2,))], _targets(("a.weight", (1,)))
        )
    with pytest.raises(MappingError, match=r"no checkpoint parameter fills(.|\n)*CHECKPOINT_NAME: b.weight"):
        match([split_source("a_weight", (1,))], _targets(("a.weight", (1,)), ("b.weight", (2,))))


def test_user_lines_come_first_and_can_drop() -> None:
    sources = [
        split_source("x_weight", (2,)),
        split_source("y_weight", (2,)),
        split_source("junk_bias", (9,)),
    ]
    targets = _targets(("first.weight", (2,)), ("second.weight", (2,)))
    user = {
        "x_weight": MapLine("second.weight", "none", 3),
        "junk_bias": MapLine(None, "none", 4),
    }
    mapping = match(sources, targets, user)
    assert {p.source.name: p.target.name for p in mapping.pairs} == {
        "x_weight": "second.weight",
        "y_weight": "first.weight",
    }
    assert mapping.dropped == ["junk_bias"]
    with pytest.raises(MappingError, match=r"m.yaml:7: the target has no parameter 'nope'"):
        match(sources, targets, {"x_weight": MapLine("nope", "none", 7)}, "m.yaml")


def test_a_symbol_file_goes_back_to_creation_order_within_each_scope() -> None:
    graph_order = [
        "net_conv0_weight",
        "net_stage2_conv2_weight",  # the shortcut, first in graph order
        "net_stage2_batchnorm2_gamma",
        "net_stage2_conv0_weight",
        "net_stage2_batchnorm0_gamma",
        "net_stage2_conv1_weight",
        "net_stage2_batchnorm1_gamma",
        "net_dense0_weight",
    ]
    ordered = creation_order([split_source(n, (1,)) for n in graph_order])
    assert [s.name for s in ordered] == [
        "net_conv0_weight",
        "net_stage2_conv0_weight",
        "net_stage2_batchnorm0_gamma",
        "net_stage2_conv1_weight",
        "net_stage2_batchnorm1_gamma",
        "net_stage2_conv2_weight",
        "net_stage2_batchnorm2_gamma",
        "net_dense0_weight",
    ]


def test_fix_gamma_loads_ones() -> None:
    gamma = split_source("bn0_gamma", (4,), fixed=True)
    mapping = match([gamma], _targets(("bn.weight", (4,))))
    assert mapping.pairs[0].transform == "ones"
    assert RULE_FIX_GAMMA in mapping.pairs[0].rules


def test_the_mapping_file_round_trips(tmp_path: Path) -> None:
    sources = [split_source("bn0_gamma", (4,), fixed=True), split_source("bn0_beta", (4,))]
    targets = _targets(("bn.weight", (4,)), ("bn.bias", (4,)))
    mapping = match(sources, targets)
    path = tmp_path / "m.yaml"
    path.write_text(dump_mapping(mapping, "a b.params", "t.py:f"), encoding="utf-8")
    user = load_mapping(path)
    assert user["bn0_gamma"].target == "bn.weight" and user["bn0_gamma"].transform == "ones"
    assert user["bn0_beta"] == MapLine("bn.bias", "none", user["bn0_beta"].line)
    again = match(sources, targets, user)
    assert [(p.target.name, p.transform, p.how) for p in again.pairs] == [
        ("bn.weight", "ones", "map"),
        ("bn.bias", "none", "map"),
    ]


def test_a_bad_mapping_file_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("mapping:\n  a_weight: x.weight\n  b_weight: {target: y.weight, transform: flip}\n")
    with pytest.raises(MappingError, match=r"m.yaml:3: unknown transform 'flip'"):
        load_mapping(path)
    path.write_text("mapping:\n  a_weight: [x\n")
    with pytest.raises(MappingError, match=r"m.yaml:\d+: not valid YAML"):
        load_mapping(path)
