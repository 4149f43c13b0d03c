"""The text report of `fwcheat check` and the comparison it rests on, without kernels."""

from __future__ import annotations

import numpy as np

from fwcheat.commands._porting_report import check_lines
from fwcheat.porting.check import CheckReport, LayerDiff, compare


def test_compare_is_relative_to_the_scale_of_the_source() -> None:
    s = np.array([1000.0, 0.0], dtype=np.float32)
    assert compare(s, s + np.float32(1e-3), 1e-5)[2]  # 1e-6 of the largest value
    max_abs, max_rel, agree, _ = compare(s, s + np.float32(0.1), 1e-5)
    assert not agree and max_abs is not None and abs(max_abs - 0.1) < 1e-3 and max_rel is not None
    assert compare(s, s.reshape(2, 1), 1e-5)[3] == "shape (2,) vs (2, 1)"
    assert not compare(s, np.array([np.nan, 0.0], dtype=np.float32), 1e-5)[2]


def test_the_report_names_the_first_divergence() -> None:
    report = CheckReport(
        agree=False,
        layers=[
            LayerDiff("conv0", "conv1", 1e-7, 1e-8, True),
            LayerDiff("bn0", "bn1", 6e-3, 8e-4, False),
            LayerDiff("<output>", "<output>", 4e-3, 1e-3, False, "output"),
        ],
        conversion=None,
        mode="eval",
        tolerance=1e-5,
    )
    lines = check_lines(report)
    assert lines[0].startswith("layer (MXNet/Gluon -> PyTorch)")
    assert "bn0 -> bn1" in lines[2] and "DIFFERS" in lines[2] and "6.00e-03" in lines[2]
    assert "first divergence: bn0 -> bn1: max abs 6.00e-03, max rel 8.00e-04" in lines[-2]
    assert lines[-1].startswith("agree: no (eval mode, float32")
    assert report.to_dict()["first_divergence"] == {
        "mxnet": "bn0",
        "pytorch": "bn1",
        "max_abs": 6e-3,
        "max_rel": 8e-4,
        "agree": False,
        "kind": "layer",
    }
