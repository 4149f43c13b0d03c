"""`fwcheat port` on Gluon sources written for the tests: the drafts are exactly the expected ones,
and the expected drafts run under PyTorch and compute what the Gluon models compute.

The weights cross between frameworks as .npz files: ``gluon_side.py`` runs every Gluon fixture in
one MXNet process, ``torch_side.py`` loads the weights into every draft in one PyTorch process
(never both frameworks in one process; two interpreter starts for the whole module).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from fwcheat.port.rewrite import port_code

HERE = Path(__file__).parent
SOURCES = HERE / "gluon_src"
EXPECTED = HERE / "expected"
NAMES = sorted(p.stem for p in SOURCES.glob("*.py"))


def test_every_fixture_has_an_expected_draft() -> None:
    assert NAMES == ["cnn", "dcgan", "lstm_lm", "mlp", "resnet_block", "train_loop"]
    assert sorted(p.stem for p in EXPECTED.glob("*.py")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_draft_is_the_expected_one(name: str) -> None:
    result = port_code((SOURCES / f"{name}.py").read_text())
    assert result.error == ""
    assert result.code == (EXPECTED / f"{name}.py").read_text()
    # Written for the tests to be fully covered: nothing is left for a hand edit.
    assert [e for e in result.edits if e.flagged] == []
    assert "mxnet" not in result.code and "gluon." not in result.code


@pytest.mark.parametrize("name", NAMES)
def test_draft_keeps_comments_and_docstrings(name: str) -> None:
    source = (SOURCES / f"{name}.py").read_text()
    draft = (EXPECTED / f"{name}.py").read_text()
    assert draft.splitlines()[0] == source.splitlines()[0]  # the module docstring
    comments = [line.split("#", 1)[1] for line in source.splitlines() if "#" in line]
    for comment in comments:
        assert comment in draft


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


@pytest.fixture(scope="module")
def agreement(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, float]]:
    if not (_installed("mxnet") and _installed("torch")):
        pytest.skip("needs both MXNet and PyTorch installed (in separate processes)")
    npz = tmp_path_factory.mktemp("npz")
    python = sys.executable
    gluon = subprocess.run(
        [python, str(HERE / "gluon_side.py"), str(SOURCES), str(npz)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert gluon.returncode == 0, gluon.stderr[-2000:]
    torch_run = subprocess.run(
        [python, str(HERE / "torch_side.py"), str(EXPECTED), str(npz)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert torch_run.returncode == 0, torch_run.stderr[-2000:]
    # The drafts' own prints (the training loop's epochs) come first; the verdict is the last line.
    # Both sides printed the same training log: same losses, same accuracy.
    assert gluon.stdout.splitlines()[:-1] == torch_run.stdout.splitlines()[:-1]
    result: dict[str, dict[str, float]] = json.loads(torch_run.stdout.splitlines()[-1])
    return result


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_draft_agrees_with_the_gluon_model(agreement: dict[str, dict[str, float]], name: str) -> None:
    verdict = agreement[name]
    assert "error" not in verdict, verdict
    assert verdict["output"] < 1e-4
    if name == "train_loop":
        # Same optimiser, hyperparameters, loss reduction and batch order: the same weights after two epochs.
        assert verdict["trained"] < 1e-4


@pytest.mark.parametrize("name", NAMES)
def test_porting_a_draft_again_changes_nothing(name: str) -> None:
    draft = (EXPECTED / f"{name}.py").read_text()
    result = port_code(draft)
    assert result.code == draft and result.edits == []
