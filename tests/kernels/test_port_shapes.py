"""`fwcheat port --input-shape`: the Gluon model runs once in the MXNet kernel and the layers' input
sizes land in the draft (one kernel start)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from fwcheat.cli import main

pytestmark = [pytest.mark.kernels, pytest.mark.timeout(180)]
MLP = Path(__file__).resolve().parents[1] / "porting" / "gluon_src" / "mlp.py"


@pytest.mark.skipif(importlib.util.find_spec("mxnet") is None, reason="needs MXNet")
def test_input_shape_fills_in_the_sizes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "mlp_torch.py"
    assert main(["port", str(MLP), "-o", str(out), "--input-shape", "4,1,28,28"]) == 0
    draft = out.read_text()
    # The first Dense sees (4, 1, 28, 28): Flatten + 784 inputs; the next ones see 2-D inputs.
    assert "nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU())" in draft
    assert "net.extend([nn.Sequential(nn.Linear(64, 32), nn.Tanh()), nn.Linear(32, 10)])" in draft
    assert "Lazy" not in draft


@pytest.mark.slow
@pytest.mark.skipif(
    importlib.util.find_spec("mxnet") is None or importlib.util.find_spec("torch") is None,
    reason="needs MXNet and PyTorch",
)
def test_check_chains_into_fwcheat_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    # As on a machine that writes bytecode: the kernel leaves a __pycache__ beside the wrapper.
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    cnn = MLP.parent / "cnn.py"
    out = tmp_path / "cnn_torch.py"
    argv = ["port", str(cnn), "-o", str(out), "--input-shape", "2,3,16,16", "--check", "--json"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    check = json.loads(text[text.rindex('{\n  "check"') :])["check"]
    assert check["agree"] is True and check["first_divergence"] is None
    pairs = [(layer["mxnet"], layer["pytorch"]) for layer in check["layers"]]
    assert ("conv2", "conv2.0") in pairs  # the activation= split into a Sequential, still matched
    assert not list(scratch.glob("fwcheat-port-check-*"))  # its scratch folder is gone
