"""`fwcheat scan` end to end: the mapping, the four formats, exit statuses, escaping, imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fwcheat.cli import main

MODEL = '''\
"""A small Gluon model and its training step, written for these tests."""
import mxnet as mx
from mxnet import nd, gluon, autograd as ag
from mxnet.gluon import nn


class Net(gluon.HybridBlock):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.conv = nn.Conv2D(16, 3, strides=2, activation="relu")
            self.bn = nn.BatchNorm(momentum=0.9)
            self.out = nn.Dense(10, flatten=True)

    def hybrid_forward(self, F, x):
        return self.out(F.relu(self.bn(self.conv(x))))


net = Net()
net.initialize(ctx=mx.cpu())
net.hybridize()
trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
x = nd.ones((4, 3, 8, 8))
with ag.record():
    loss = net(x).sum()
loss.backward()
trainer.step(4)
print(loss.asscalar(), mx.nd.zzz_not_documented(x), mx.nd.zzz_not_documented(x))
'''


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "model.py").write_text(MODEL, encoding="utf-8")
    (tmp_path / "plain.py").write_text(
        "import numpy as np\nprint(np.ones(3).sum(axis=0))\n", encoding="utf-8"
    )
    return tmp_path


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object]]:
    status = main(["scan", "--json", *args])
    return status, json.loads(capsys.readouterr().out)


def test_each_use_maps_to_its_entry_target_and_trap(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, data = run_json(capsys, str(project / "model.py"))
    assert status == 1
    findings = data["files"][0]["findings"]  # type: ignore[index]
    by_api = {f["api"]: f for f in findings}
    momentum = by_api["mx.gluon.nn.BatchNorm(momentum=)"]
    assert momentum["entry"] == "batchnorm" and "momentum=0.1" in momentum["target"]
    assert "momentum means opposite things" in momentum["note"]
    assert (momentum["line"], momentum["col"]) == (12, 36)
    step = by_api["mx.gluon.Trainer.step"]
    assert step["entry"] == "trainer-step" and "optimizer.step()" in step["target"]
    assert by_api["mx.gluon.nn.Conv2D(strides=)"]["entry"] == "conv2d"
    assert "stride=" in by_api["mx.gluon.nn.Conv2D(strides=)"]["target"]
    assert by_api[".asscalar"]["entry"] is not None
    assert by_api["mx.gluon.HybridBlock.hybrid_forward"]["target"].startswith("def forward")
    unknown = by_api["mx.nd.zzz_not_documented"]
    assert unknown["entry"] is None and unknown["target"] is None and unknown["note"] is None


def test_json_has_exactly_the_documented_shape(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, data = run_json(capsys, str(project))
    assert status == 1
    assert {"files", "summary"} <= set(data)
    files = data["files"]
    assert isinstance(files, list) and [Path(f["path"]).name for f in files] == ["model.py", "plain.py"]
    for file in files:
        assert {"path", "findings"} <= set(file)
        for finding in file["findings"]:
            assert {"line", "col", "api", "entry", "target", "note"} <= set(finding)
            assert isinstance(finding["line"], int) and isinstance(finding["col"], int)
            assert isinstance(finding["api"], str)
            for key in ("entry", "target", "note"):
                assert finding[key] is None or isinstance(finding[key], str)
    summary = data["summary"]
    assert isinstance(summary, dict)
    assert {"uses", "mapped", "distinct", "unmapped"} <= set(summary)
    findings = [f for file in files for f in file["findings"]]
    assert summary["uses"] == len(findings)
    assert summary["mapped"] == sum(1 for f in findings if f["entry"])
    assert summary["distinct"] == len({f["api"] for f in findings})
    assert summary["unmapped"][0] == {"api": "mx.nd.zzz_not_documented", "count": 2}
    counts = [u["count"] for u in summary["unmapped"]]
    assert counts == sorted(counts, reverse=True)


def test_exit_statuses(project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(project / "plain.py")]) == 0  # nothing found
    assert "0 uses" in capsys.readouterr().out
    assert main(["scan", str(project / "model.py")]) == 1  # findings
    capsys.readouterr()
    assert main(["scan", str(tmp_path / "missing.py")]) == 2  # a path that does not exist
    assert "no such file" in capsys.readouterr().err
    assert main(["scan", "--from", "mxnet", "--to", "mxnet", str(project)]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["scan", "--from", "jax", str(project)])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["scan"])
    assert exc.value.code == 2


def test_pytorch_to_mxnet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "t.py").write_text("import torch\nx = torch.zeros(3)\nx.requires_grad_()\n", encoding="utf-8")
    status, data = run_json(capsys, "--from", "pytorch", "--to", "mxnet", str(tmp_path))
    assert status == 1
    by_api = {f["api"]: f for f in data["files"][0]["findings"]}  # type: ignore[index]
    assert "attach_grad" in by_api[".requires_grad_"]["target"]


def test_terminal_report_is_grouped_by_file_then_summarised(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", str(project)]) == 1
    out = capsys.readouterr().out
    assert "\x1b[" not in out  # not a terminal: no colour
    model = str(project / "model.py")
    assert f"{model}:12:36  mx.gluon.nn.BatchNorm(momentum=)  →  PyTorch: " in out
    assert "[batchnorm]" in out and "momentum means opposite things" in out
    assert out.index(f"{model}  (") < out.index(f"{model}:2")
    summary = out[out.index("Summary") :]
    assert "distinct APIs" in summary and "mapped to PyTorch" in summary
    assert "Entries to read" in summary and "fwcheat show batchnorm" in summary
    assert "mx.nd.zzz_not_documented" in summary.split("Unmapped")[1]


def test_summary_counts_one_file_in_the_singular(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "one.py").write_text("import mxnet as mx\nx = mx.nd.ones(3)\n", encoding="utf-8")
    assert main(["scan", str(tmp_path / "one.py")]) == 1
    summary = capsys.readouterr().out.split("Summary")[1]
    assert ": 1 use of MXNet/Gluon API in 1 file (0 not scanned)" in summary
    assert main(["scan", "--format", "markdown", str(tmp_path / "one.py")]) == 1
    assert "1 use in 1 file, " in capsys.readouterr().out


def test_markdown_is_a_checklist_per_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--format", "markdown", str(project)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("# Porting checklist: MXNet/Gluon → PyTorch")
    assert f"## `{project / 'model.py'}`" in out
    assert "- [ ] line 12: `mx.gluon.nn.BatchNorm(momentum=)` → `" in out
    assert "`fwcheat show batchnorm`" in out
    assert "## Entries to read" in out and "## No entry yet" in out


def test_sarif_has_the_schemas_required_fields(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "broken.py").write_text("def f(:\n", encoding="utf-8")
    assert main(["scan", "--format", "sarif", str(project)]) == 1
    log = json.loads(capsys.readouterr().out)
    assert log["version"] == "2.1.0" and "sarif-2.1.0" in log["$schema"]
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "fwcheat"
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert "batchnorm" in rule_ids and "unmapped" in rule_ids
    assert all(rule["shortDescription"]["text"] for rule in driver["rules"])
    assert run["results"]
    for result in run["results"]:
        assert result["message"]["text"]
        assert result["level"] in ("none", "note", "warning", "error")
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == (project / "model.py").as_uri()
        region = physical["region"]
        assert isinstance(region["startLine"], int) and region["startLine"] >= 1
        assert isinstance(region["startColumn"], int) and region["startColumn"] >= 1
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is True
    (note,) = invocation["toolExecutionNotifications"]
    assert "syntax error" in note["message"]["text"]


def test_text_from_files_cannot_reach_the_terminal_raw(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evil = tmp_path / "ev\x1b[2Jil.py"
    evil.write_text("from mxnet import nd\nx = nd.ones(1)\n", encoding="utf-8")
    (tmp_path / "bad\x1b]0;pwned\x07.py").write_text("def f(:\n", encoding="utf-8")
    for fmt in ("text", "markdown"):
        main(["scan", "--format", fmt, str(tmp_path)])
        out = capsys.readouterr().out
        assert "\x1b" not in out and "\x07" not in out
        assert "ev\\x1b[2Jil.py" in out and "bad\\x1b]0;pwned\\x07.py" in out
    main(["scan", "--json", str(tmp_path)])
    data = json.loads(capsys.readouterr().out)
    assert {Path(f["path"]).name for f in data["files"]} >= {"ev\x1b[2Jil.py"}  # JSON stays exact
    assert any(Path(e["path"]).name == "bad\x1b]0;pwned\x07.py" for e in data["errors"])


def test_scan_imports_no_framework_textual_or_jupyter(project: Path) -> None:
    code = (
        "import sys\nfrom fwcheat.cli import main\n"
        f"status = main(['scan', '--json', {str(project)!r}])\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in "
        "('torch', 'mxnet', 'tensorflow', 'keras', 'textual', 'jupyter_client', 'ipykernel',"
        " 'prompt_toolkit')]\n"
        "assert not heavy, heavy\n"
        "sys.exit(0 if status == 1 else 3)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_sarif_uris_of_relative_paths_stay_relative(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    (project / "sub dir").mkdir()
    (project / "sub dir" / "m.py").write_text("from mxnet import nd\nx = nd.ones(1)\n", encoding="utf-8")
    assert main(["scan", "--format", "sarif", "sub dir"]) == 1
    log = json.loads(capsys.readouterr().out)
    (result,) = log["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "sub%20dir/m.py"
