"""`fwcheat verify`: skips an entry whose `requires:` module a kernel lacks, and says why;
warns when a `compare` value is a bool or None."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fwcheat.cli import main

pytestmark = [pytest.mark.kernels, pytest.mark.slow, pytest.mark.timeout(300)]

ENTRIES = """\
entries:
  - id: rq-missing
    title: Missing
    title_zh: 缺包
    category: test
    summary: Its PyTorch side imports a package nobody has.
    requires: [fwcheat_no_such_pkg]
    snippets:
      pytorch:
        code: |
          import fwcheat_no_such_pkg
      mxnet:
        code: |
          print("never run")
  - id: rq-present
    title: Present
    title_zh: 有包
    category: test
    summary: Needs only the standard library.
    requires: [json]
    snippets:
      pytorch:
        code: |
          import json
          print(json.dumps([1]))
        output: |
          [1]
  - id: rq-bool
    title: Bool
    title_zh: 布尔
    category: test
    summary: Compares a yes/no, not numbers.
    compare: same
    snippets:
      pytorch:
        code: |
          import torch
          same = torch.equal(torch.ones(2), torch.ones(2))
      mxnet:
        code: |
          from mxnet import nd
          same = (nd.ones(2) == 1).min().asnumpy().all()
  - id: rq-none
    title: None
    title_zh: 空
    category: test
    summary: Compares None.
    compare: v
    snippets:
      pytorch:
        code: |
          v = print("p")
      mxnet:
        code: |
          v = print("m")
"""


def test_verify_skips_an_entry_whose_requirement_is_missing(
    knowledge_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (knowledge_dir / "rq.yaml").write_text(ENTRIES, encoding="utf-8")
    status = main(["verify", "rq-missing", "rq-present", "--json"])
    data = json.loads(capsys.readouterr().out)
    by_id = {e["id"]: e for e in data["entries"]}
    assert by_id["rq-missing"]["status"] == "skip"
    assert by_id["rq-missing"]["skipped"] == "needs fwcheat_no_such_pkg, not installed in the pytorch kernel"
    assert by_id["rq-missing"]["snippets"] == {}  # neither side ran
    assert by_id["rq-present"]["status"] == "pass"
    assert status == 0


def test_verify_warns_about_a_bool_and_fails_on_none(
    knowledge_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (knowledge_dir / "rq.yaml").write_text(ENTRIES, encoding="utf-8")
    status = main(["verify", "rq-bool", "rq-none", "rq-present", "--json"])
    data = json.loads(capsys.readouterr().out)
    by_id = {e["id"]: e for e in data["entries"]}
    weak = by_id["rq-bool"]
    assert weak["status"] == "pass"  # a warning, not a failure
    assert weak["warnings"] == [
        "PyTorch's 'same' is a Python bool; compare the values it was computed from",
        "MXNet/Gluon's 'same' is a single True/False (numpy.bool_); compare the values it was computed from",
    ]
    none = by_id["rq-none"]
    assert none["status"] == "fail" and none["compare"]["agreement"] == "non-numeric"
    assert none["warnings"] == ["PyTorch's 'v' is None", "MXNet/Gluon's 'v' is None"]
    assert by_id["rq-present"]["warnings"] == []
    assert status == 1
