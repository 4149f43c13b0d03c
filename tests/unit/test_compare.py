"""Comparing values from the two frameworks."""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import pytest

from fwcheat.compare import Agreement, Fetched, compare_arrays, compare_values


def test_equal_arrays_agree() -> None:
    v = compare_arrays("x", np.arange(6.0).reshape(2, 3), np.arange(6.0).reshape(2, 3))
    assert v.ok and v.agreement is Agreement.AGREE
    assert v.max_abs_diff == 0 and v.max_rel_diff == 0
    assert v.shapes == ((2, 3), (2, 3))


def test_within_tolerance_agrees_and_reports_difference() -> None:
    a = np.array([1.0, 2.0], dtype=np.float32)
    b = np.array([1.0, 2.0 + 1e-6], dtype=np.float64)
    v = compare_arrays("x", a, b)
    assert v.ok
    assert v.max_abs_diff == pytest.approx(1e-6, rel=1e-3)
    assert v.dtypes == ("float32", "float64")
    assert "dtypes float32 vs float64" in v.message


def test_beyond_tolerance_differs() -> None:
    v = compare_arrays("loss", np.array([1.0]), np.array([1.1]), rtol=1e-3, atol=1e-3)
    assert v.agreement is Agreement.DIFFER and not v.ok
    assert v.max_abs_diff == pytest.approx(0.1)
    assert v.max_rel_diff == pytest.approx(0.1 / 1.1)
    assert "rtol 0.001" in v.message


def test_tolerance_is_taken_from_arguments() -> None:
    a, b = np.array([100.0]), np.array([100.5])
    assert not compare_arrays("x", a, b).ok
    assert compare_arrays("x", a, b, rtol=1e-2).ok


def test_shape_mismatch_is_a_verdict() -> None:
    v = compare_arrays("y", np.zeros((2, 3)), np.zeros((3, 2)), ("PyTorch", "MXNet"))
    assert v.agreement is Agreement.SHAPE_MISMATCH
    assert "(2, 3) in PyTorch but (3, 2) in MXNet" in v.message


def test_nan_in_same_place_agrees_but_not_elsewhere() -> None:
    assert compare_arrays("x", np.array([np.nan, 1.0]), np.array([np.nan, 1.0])).ok
    assert not compare_arrays("x", np.array([np.nan, 1.0]), np.array([1.0, 1.0])).ok


def test_infinities_and_ints_and_bools() -> None:
    assert compare_arrays("x", np.array([np.inf, 1]), np.array([np.inf, 1])).ok
    assert not compare_arrays("x", np.array([np.inf]), np.array([-np.inf])).ok
    assert compare_arrays("n", np.array(3), np.array(3.0)).ok
    assert compare_arrays("b", np.array([True, False]), np.array([1, 0])).ok


def test_empty_arrays_agree() -> None:
    assert compare_arrays("e", np.zeros((0, 3)), np.zeros((0, 3))).ok


def _npy(array: np.ndarray) -> str:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return json.dumps({"type": "torch.Tensor", "npy": base64.b64encode(buffer.getvalue()).decode()})


def test_fetched_round_trip() -> None:
    fetched = Fetched.from_json(_npy(np.arange(3, dtype=np.int64)))
    assert fetched.array is not None
    assert fetched.array.dtype == np.int64 and fetched.type_name == "torch.Tensor"


@pytest.mark.parametrize(
    ("payload", "agreement", "text"),
    [
        ({"error": "missing", "message": "w is not defined"}, Agreement.MISSING, "did not define"),
        (
            {"error": "non-numeric", "type": "builtins.str", "message": "dtype <U5"},
            Agreement.NON_NUMERIC,
            "not numeric (builtins.str",
        ),
    ],
)
def test_missing_or_non_numeric_side(payload: dict[str, str], agreement: Agreement, text: str) -> None:
    good = Fetched.from_json(_npy(np.ones(2)))
    bad = Fetched.from_json(json.dumps(payload))
    v = compare_values("w", good, bad, ("PyTorch", "MXNet"))
    assert v.agreement is agreement
    assert text in v.message and "MXNet" in v.message
    assert not v.ok


def test_unreadable_reply_is_not_run() -> None:
    v = compare_values("w", Fetched.from_json("garbage"), Fetched(array=np.ones(1)))
    assert v.agreement is Agreement.NOT_RUN


def test_verdict_to_dict_is_json_ready() -> None:
    v = compare_arrays("x", np.ones((2,)), np.ones((2,)))
    data = json.loads(json.dumps(v.to_dict()))
    assert data["agreement"] == "agree" and data["shapes"] == [[2], [2]]
