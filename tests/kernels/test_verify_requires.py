"""`fwcheat verify` skips an entry whose `requires:` module a kernel lacks, and says why."""

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
