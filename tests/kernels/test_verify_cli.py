"""`fwcheat verify` / `fwcheat run` / `fwcheat doctor` on a private knowledge file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from fwcheat.cli import main

pytestmark = [pytest.mark.kernels, pytest.mark.slow, pytest.mark.timeout(300)]

ENTRIES = """\
entries:
  # checked entries for the verify tests
  - id: vt-good
    title: Good
    title_zh: 好
    category: test
    summary: Matches its recorded output and agrees.
    compare: y
    snippets:
      pytorch:
        setup: |
          import torch
        code: |
          y = torch.arange(3.0, device=device) * 2
          print(y)
        output: |
          tensor([0., 2., 4.])
      mxnet:
        setup: |
          from mxnet import nd
        code: |
          y = nd.arange(3, ctx=ctx) * 2
          print(y)
        output: |

          [0. 2. 4.]
          <NDArray 3 @cpu(0)>
  - id: vt-wrong-output
    title: Wrong output
    title_zh: 输出不对
    category: test
    summary: Its recorded output is stale.
    snippets:
      pytorch:
        code: |
          print("actual")
          40 + 2
        output: |
          stale
      mxnet:   # no output recorded: only has to run
        code: |
          print("mx")
  - id: vt-differ
    title: Differ
    title_zh: 不同
    category: test
    summary: The two values disagree.
    compare: v
    tolerance: {rtol: 1.0e-3, atol: 1.0e-3}
    snippets:
      pytorch:
        code: |
          v = [1.0, 2.0]
      mxnet:
        code: |
          v = [1.0, 2.5]
  - id: vt-crash
    title: Crash
    title_zh: 崩溃
    category: test
    summary: Kills its kernel.
    snippets:
      pytorch:
        code: |
          import os
          os._exit(3)
      mxnet:
        code: |
          while True:
              pass
  - id: vt-gpu
    title: GPU only
    title_zh: 仅GPU
    category: test
    summary: Needs two GPUs.
    gpus: 2
    snippets:
      pytorch:
        code: |
          print(device)
"""


@pytest.fixture
def kb_file(knowledge_dir: Path) -> Path:
    path = knowledge_dir / "vt.yaml"
    path.write_text(ENTRIES, encoding="utf-8")
    return path


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    status = main(list(argv))
    return status, json.loads(capsys.readouterr().out)


def test_verify_reports_each_kind_of_outcome(kb_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, data = run_json(capsys, "verify", "vt-good", "vt-wrong-output", "vt-differ", "vt-gpu", "--json")
    assert status == 1
    by_id = {e["id"]: e for e in data["entries"]}
    assert by_id["vt-good"]["status"] == "pass"
    assert by_id["vt-good"]["compare"]["agreement"] == "agree"
    wrong = by_id["vt-wrong-output"]
    assert wrong["status"] == "fail"
    assert wrong["snippets"]["pytorch"]["problem"] == "output differs"
    assert "+actual" in wrong["snippets"]["pytorch"]["diff"]
    assert wrong["snippets"]["mxnet"]["passed"]  # nothing recorded: running is enough
    differ = by_id["vt-differ"]
    assert differ["status"] == "fail"
    assert differ["compare"]["agreement"] == "differ"
    assert differ["compare"]["max_abs_diff"] == pytest.approx(0.5)
    assert by_id["vt-gpu"]["status"] == "skip"
    assert "needs 2 GPUs" in by_id["vt-gpu"]["skipped"]
    assert (data["passed"], data["failed"], data["skipped"]) == (1, 2, 1)


def test_verify_update_records_outputs_and_keeps_the_rest(
    kb_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["verify", "--update", "vt-wrong-output", "vt-good"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "recorded 2 outputs in 1 file" in out
    text = kb_file.read_text(encoding="utf-8")
    data = {e["id"]: e for e in yaml.safe_load(text)["entries"]}
    snippets = data["vt-wrong-output"]["snippets"]
    assert snippets["pytorch"]["output"] == "actual\n42\n"
    assert snippets["mxnet"]["output"] == "mx\n"
    assert "# checked entries for the verify tests" in text
    assert "mxnet:   # no output recorded: only has to run" in text
    assert data["vt-good"]["snippets"] == yaml.safe_load(ENTRIES)["entries"][0]["snippets"]
    assert main(["verify", "vt-wrong-output", "vt-good"]) == 0


def test_run_prints_both_outputs_and_the_verdict(kb_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "vt-good"]) == 0
    out = capsys.readouterr().out
    assert "PyTorch" in out and "MXNet/Gluon" in out
    assert "tensor([0., 2., 4.])" in out and "<NDArray 3 @cpu(0)>" in out
    assert "compare MXNet/Gluon vs PyTorch: agree" in out


def test_run_json_single_framework(kb_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, data = run_json(capsys, "run", "vt-wrong-output", "--framework", "pytorch", "--json")
    assert status == 0
    assert list(data["results"]) == ["pytorch"]
    assert data["results"]["pytorch"]["output"] == "actual\n42\n"
    assert data["results"]["pytorch"]["result"] == "42"


def test_run_on_missing_gpu_fails_clearly(kb_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from fwcheat.devices import host_gpu_count

    gpus = host_gpu_count()
    if gpus is None or gpus >= 2:
        pytest.skip("this machine has two GPUs, or cannot tell how many")
    # Refused up front, with the reason, before any kernel starts (exit 2: a usage error).
    assert main(["run", "vt-good", "--device", "cuda:1", "--json"]) == 2
    captured = capsys.readouterr()
    assert "cuda:1" in captured.err and "--device cpu" in captured.err
    assert captured.out == ""


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "no-such-entry"], "no entry 'no-such-entry'"),
        (["run", "vt-good", "--device", "tpu"], "unknown device 'tpu'"),
        (["run", "vt-gpu", "--framework", "mxnet"], "has no MXNet/Gluon snippet"),
        (["verify", "vt-good", "nope"], "no such entry: nope"),
        (["verify", "--timeout", "0"], "--timeout must be positive"),
    ],
)
def test_bad_input_is_a_clear_error(
    kb_file: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_doctor_reports_every_framework(capsys: pytest.CaptureFixture[str]) -> None:
    status, data = run_json(capsys, "doctor", "--json")
    assert set(data["frameworks"]) == {"pytorch", "mxnet", "tensorflow", "keras"}
    assert data["frameworks"]["tensorflow"]["version"] == "2.17.1"
    assert data["frameworks"]["keras"]["version"].startswith("3.")
    assert data["frameworks"]["mxnet"]["version"] == "1.9.1"
    assert status == (0 if not data["problems"] else 1)


def test_doctor_names_a_missing_kernelspec_and_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[kernels]\nmxnet = "no-such-legacy-kernel"\n', encoding="utf-8")
    monkeypatch.setenv("FWCHEAT_CONFIG", str(config))
    status, data = run_json(capsys, "doctor", "--json")
    assert status == 1
    assert not data["frameworks"]["mxnet"]["ok"]
    assert data["frameworks"]["pytorch"]["ok"]
    problem = next(p for p in data["problems"] if p["problem"].startswith("mxnet"))
    assert "no-such-legacy-kernel" in problem["problem"]
    assert "ipykernel install --user --name no-such-legacy-kernel" in problem["fix"]


def test_verify_survives_a_dead_kernel_and_a_hang(kb_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Private kernels: the exit status of a warm kernel (not our child) cannot be read.
    status, data = run_json(capsys, "verify", "--fresh", "vt-crash", "vt-good", "--timeout", "2", "--json")
    assert status == 1
    crash, good = data["entries"]
    assert crash["status"] == "fail"
    assert crash["snippets"]["pytorch"]["result"]["status"] == "died"
    assert "exited with status 3" in crash["snippets"]["pytorch"]["problem"]
    assert crash["snippets"]["mxnet"]["result"]["status"] == "timed out"
    assert good["status"] == "pass"  # both kernels answer again for the next entry
