"""`requires:`: which kernel must import which module, and how the probe reports it."""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

import msgspec
import pytest

from fwcheat.knowledge.model import Entry
from fwcheat.requires import imported_modules, needed_in, probe_code, reason, unimported


def make(requires: list[str], pytorch: str, mxnet: str = "from mxnet import nd\n") -> Entry:
    return msgspec.convert(
        {
            "id": "t",
            "title": "T",
            "title_zh": "T",
            "category": "test",
            "summary": "s",
            "requires": requires,
            "snippets": {"pytorch": {"setup": "import torch\n", "code": pytorch}, "mxnet": {"code": mxnet}},
        },
        Entry,
    )


def test_imported_modules_sees_every_import_form_and_parent_packages() -> None:
    source = "import torch, numpy as np\nfrom torchvision.ops import nms\nfrom . import x\n"
    assert imported_modules(source) == {"torch", "numpy", "torchvision", "torchvision.ops"}
    # Not Python (a magic): the import lines still count.
    assert "PIL" in imported_modules("%time x = 1\nfrom PIL import Image\n")


def test_a_module_is_needed_only_in_the_kernels_that_import_it() -> None:
    entry = make(
        ["torchvision", "PIL"], "from torchvision import ops\n", "import PIL\nfrom mxnet import nd\n"
    )
    assert needed_in(entry) == {"pytorch": ["torchvision"], "mxnet": ["PIL"]}
    assert unimported(entry) == []


def test_a_module_no_snippet_imports_is_needed_everywhere_and_flagged() -> None:
    entry = make(["scipy"], "y = 1\n")
    assert needed_in(entry) == {"pytorch": ["scipy"], "mxnet": ["scipy"]}
    assert unimported(entry) == ["scipy"]


def test_schema_rejects_a_name_that_is_not_a_module() -> None:
    with pytest.raises(msgspec.ValidationError, match="requires"):
        make(["torch vision"], "y = 1\n")


def run_probe(modules: list[str]) -> dict[str, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(probe_code(modules), {})
    return json.loads(out.getvalue())


def test_probe_tells_missing_from_broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "fwcheat_broken_pkg.py").write_text("raise ImportError('built for another torch')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "fwcheat_broken_pkg", raising=False)
    found = run_probe(["json", "fwcheat_no_such_pkg", "fwcheat_broken_pkg"])
    assert found == {
        "fwcheat_no_such_pkg": "not installed",
        "fwcheat_broken_pkg": "ImportError: built for another torch",
    }
    assert reason("torchvision", "pytorch", "not installed") == (
        "needs torchvision, not installed in the pytorch kernel"
    )
    assert reason("tv", "pytorch", found["fwcheat_broken_pkg"]) == (
        "needs tv, which fails to import in the pytorch kernel (ImportError: built for another torch)"
    )


def test_validate_warns_about_a_requirement_no_snippet_imports(tmp_path: Path) -> None:
    from fwcheat.knowledge.loader import parse_file

    path = tmp_path / "e.yaml"
    path.write_text(
        "entries:\n  - id: e\n    title: E\n    title_zh: E\n    category: test\n    summary: s\n"
        "    requires: [scipy]\n    snippets:\n      pytorch:\n        code: y = 1\n",
        encoding="utf-8",
    )
    result = parse_file(path)
    assert [e.entry.id for e in result.entries] == ["e"]  # loaded: only a warning
    [problem] = result.problems
    assert problem.severity == "warning" and problem.line == 7
    assert "`requires` names scipy, which no snippet imports" in problem.message
