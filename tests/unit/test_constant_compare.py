"""`compare` values a snippet never computes are flagged: statically by validate."""

from __future__ import annotations

from pathlib import Path

import pytest

from fwcheat.cli import main
from fwcheat.knowledge.constant_compare import constant_reason


@pytest.mark.parametrize(
    ("source", "name", "reason"),
    [
        ("a = f()\nsame = True\n", "same", "only ever sets `same` to a constant (True)"),
        ("same = None\nprint(same)\n", "same", "only ever sets `same` to a constant (None)"),
        ("n = 3\nif x:\n    n = -3\n", "n", "only ever sets `n` to a constant (3, -3)"),
        ("n, m = 2, f()\n", "n", "only ever sets `n` to a constant (2)"),
        ("n: int = 4\nprint(n)\n", "n", "only ever sets `n` to a constant (4)"),
        ("v = [1.0, 2.0]\nprint(v, len(v))\n", "v", "only ever sets `v` to a constant ([1.0, 2.0])"),
        ("same = True\ncheck(same)\n", "same", "only ever sets `same` to a constant (True)"),
        ("print(n)  # n\n", "n", "never assigns `n`"),
        ("def f(n):\n    return n\n", "n", "never assigns `n`"),
    ],
)
def test_constants_and_unassigned_names_are_flagged(source: str, name: str, reason: str) -> None:
    assert constant_reason(source, name) == reason


@pytest.mark.parametrize(
    "source",
    [
        "n = x.sum()\n",
        "n = a * 2\n",
        "n = other\n",
        "n = 0\nfor v in data:\n    n += v\n",
        "n, m = pair()\n",
        "a, *n = f()\n",
        "for n in range(3):\n    pass\n",
        "with open(p) as n:\n    pass\n",
        "n = []\nfor s in range(3):\n    n.append(s * 0.1)\n",
        "n = [0, 0]\nn[0] = f()\n",
        "n = {}\nfill(n)\n",
        "n = None\nif c:\n    n = compute()\n",
        "if (n := f()) > 0:\n    pass\n",
        "%time n = 1\n",  # not Python: cannot tell, no warning
    ],
)
def test_computed_values_pass(source: str) -> None:
    assert constant_reason(source, "n") == ""


ENTRY = """\
id: e
title: E
title_zh: E
category: test
summary: s
compare: same
snippets:
  pytorch:
    setup: |
      import torch
    code: |
      a = torch.ones(2)
      same = True
  mxnet:
    setup: |
      from mxnet import nd
    code: |
      same = (nd.ones(2) == 1).min()
"""


def test_validate_warns_with_file_line_and_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "e.yaml"
    path.write_text(ENTRY, encoding="utf-8")
    assert main(["validate", str(path)]) == 0  # a warning does not fail validate
    captured = capsys.readouterr()
    err = captured.err
    assert f"{path}:6: warning: entry `e`: `compare: same`: the pytorch snippet only ever sets" in err
    assert "(fix: compare a value the snippet computes" in err
    assert "the mxnet snippet" not in err  # computed there
    assert "1 file, 1 entry: 0 errors, 1 warning" in captured.out


def test_weak_values_found_at_run_time() -> None:
    import numpy as np

    from fwcheat.compare import Fetched, weak_value

    assert weak_value("v", Fetched(error="non-numeric", type_name="builtins.NoneType"), "PyTorch") == (
        "PyTorch's 'v' is None"
    )
    flag = Fetched(array=np.asarray(True), type_name="builtins.bool")
    assert "is a Python bool" in weak_value("same", flag, "PyTorch")
    scalar = Fetched(array=np.asarray(np.bool_(True)), type_name="torch.Tensor")
    assert "single True/False (torch.Tensor)" in weak_value("same", scalar, "PyTorch")
    mask = Fetched(array=np.array([True, False]), type_name="torch.Tensor")
    assert weak_value("mask", mask, "PyTorch") == ""  # a boolean mask is a real result
    assert weak_value("x", Fetched(array=np.asarray(1.0), type_name="builtins.float"), "MXNet") == ""


def test_no_bundled_entry_compares_a_constant() -> None:
    from fwcheat.knowledge.constant_compare import constant_compare_problems
    from fwcheat.load import load_knowledge

    kb = load_knowledge(include_user=False)
    assert [str(p) for p in constant_compare_problems(kb)] == []
