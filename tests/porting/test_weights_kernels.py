"""`fwcheat weights convert` and `fwcheat check` against real kernels.

One pair of kernels serves the whole module: the checkpoints are written in the
MXNet kernel, every conversion and check reuses the same two kernels.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from fwcheat.kernels.session import KernelPool
from fwcheat.porting.check import check_async
from fwcheat.porting.convert import convert_async
from fwcheat.porting.rules import RULE_FIX_GAMMA, RULE_RNN
from fwcheat.porting.sides import PortingError

pytestmark = [pytest.mark.kernels, pytest.mark.asyncio(loop_scope="module")]

HERE = Path(__file__).parent
G = f"{HERE / 'gluon_models.py'}"
T = f"{HERE / 'torch_twins.py'}"

#: model -> (checkpoint, Gluon factory, twin, input shape, form, parameters)
MODELS = {
    "mlp": ("mlp.params", "mlp", "mlp", (4, 2, 3, 3), "structural", 6),
    "cnn": ("cnn.params", "cnn", "cnn", (2, 3, 8, 8), "prefixed", 14),
    "symbol": ("symbol", "symbol_block", "symbol_twin", (2, 3, 6, 6), "module", 8),
    "rnn": ("rnn.params", "lstm", "lstm", (5, 2, 4), "structural", 22),
    "resnet": ("resnet.params", "resnet", "resnet", (2, 3, 8, 8), "prefixed", 32),
    "resnet-export": ("resnet-export", "resnet", "resnet", (2, 3, 8, 8), "module", 32),
    "gan": ("gan", "gan", "gan", (2, 10, 1, 1), "module", 11),
}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def pool() -> AsyncIterator[KernelPool]:
    async with KernelPool("cpu") as p:
        infos = await p.start("pytorch", "mxnet")
        for info in infos.values():
            if info.error:
                pytest.skip(info.error)
        yield p


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("checkpoints")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def saved(pool: KernelPool, checkpoints: Path) -> Path:
    code = (
        "import importlib.util as _u\n"
        f"_s = _u.spec_from_file_location('gluon_models_for_tests', {G!r})\n"
        "_m = _u.module_from_spec(_s); _s.loader.exec_module(_m)\n"
        f"_m.save_all({str(checkpoints)!r})\n"
    )
    result = await pool.run("mxnet", code, fresh=False, timeout=120)
    assert result.ok, result.error
    return checkpoints


def _factory(name: str, folder: Path) -> str:
    if name == "symbol_block":  # SymbolBlock.imports needs the folder: a one-line wrapper file
        wrapper = folder / "symbol_factory.py"
        wrapper.write_text(
            "import importlib.util as u\n"
            f"s = u.spec_from_file_location('gm', {G!r})\n"
            "m = u.module_from_spec(s)\ns.loader.exec_module(m)\n"
            f"def symbol_block():\n    return m.symbol_block({str(folder)!r})\n"
        )
        return f"{wrapper}:symbol_block"
    return f"{G}:{name}"


@pytest.mark.parametrize("model", list(MODELS))
async def test_every_checkpoint_form_converts(
    pool: KernelPool, saved: Path, tmp_path: Path, model: str
) -> None:
    ckpt, _, twin, _, form, count = MODELS[model]
    out = tmp_path / f"{model}.pt"
    result = await convert_async(saved / ckpt, f"{T}:{twin}", out, pool=pool)
    assert result.form == form
    assert len(result.mapping.pairs) == count
    assert out.is_file() and (tmp_path / f"{model}.map.yaml").is_file()
    # The mapping file written goes back in through --map and gives the same pairs, all by map.
    again = await convert_async(
        saved / ckpt, f"{T}:{twin}", tmp_path / "again.pt", tmp_path / f"{model}.map.yaml", pool=pool
    )
    assert [(p.source.name, p.target.name, p.transform) for p in again.mapping.pairs] == [
        (p.source.name, p.target.name, p.transform) for p in result.mapping.pairs
    ]
    assert {p.how for p in again.mapping.pairs} == {"map"}
    if model == "symbol":
        gamma = next(p for p in result.mapping.pairs if p.source.name == "bn0_gamma")
        assert gamma.transform == "ones" and RULE_FIX_GAMMA in gamma.rules
        loaded = await pool.run(
            "pytorch",
            f"import torch\nsd = torch.load({str(out)!r})\nprint(sorted(set(sd['1.weight'].tolist())))",
            fresh=False,
        )
        assert loaded.stdout.strip() == "[1.0]"  # the checkpoint's gamma was 2..3
    if model == "rnn":
        assert all(RULE_RNN in p.rules for p in result.mapping.pairs if "lstm" in p.source.name)


@pytest.mark.parametrize("model", list(MODELS))
@pytest.mark.parametrize("train", [False, True], ids=["eval", "train"])
async def test_twins_agree_in_both_modes_and_on_gradients(
    pool: KernelPool, saved: Path, model: str, train: bool
) -> None:
    ckpt, factory, twin, shape, _, _ = MODELS[model]
    # MXNet 1.9.1's oneDNN max pooling gives wrong gradients when recorded in eval mode
    # (see docs/weights.md), so the CNN's gradients are compared in training mode only.
    grad = train or model != "cnn"
    report = await check_async(
        _factory(factory, saved),
        f"{T}:{twin}",
        params=saved / ckpt,
        input_shape=shape,
        train=train,
        grad=grad,
        pool=pool,
    )
    assert report.agree, [d for d in report.layers if not d.agree]
    kinds = {d.kind for d in report.layers}
    assert "output" in kinds and ("grad" in kinds) == grad
    if model != "symbol":  # a SymbolBlock has no child blocks to hook
        assert "layer" in kinds and not report.not_hooked
    assert all(d.max_abs is not None and d.max_abs <= 1e-4 for d in report.layers)


async def test_random_weights_without_a_checkpoint(pool: KernelPool) -> None:
    report = await check_async(f"{G}:mlp", f"{T}:mlp", input_shape=(3, 2, 3, 3), grad=True, pool=pool)
    assert report.agree and report.conversion is not None
    assert len(report.conversion.mapping.pairs) == 6
    output = next(d for d in report.layers if d.kind == "output")
    assert output.max_abs is not None and output.max_abs < 1e-5


@pytest.mark.parametrize(
    ("twin", "source", "target", "raised"),
    [
        ("cnn_default_eps", "cnn_batchnorm0", "bn1", False),
        ("cnn_swapped", "cnn_batchnorm0", "bn1", False),
        ("mlp_no_flatten", "0", "0", True),
    ],
)
async def test_a_faulty_twin_is_caught_at_the_right_layer(
    pool: KernelPool, saved: Path, twin: str, source: str, target: str, raised: bool
) -> None:
    model = "mlp" if twin.startswith("mlp") else "cnn"
    ckpt, factory, _, shape, _, _ = MODELS[model]
    report = await check_async(
        f"{G}:{factory}", f"{T}:{twin}", params=saved / ckpt, input_shape=shape, pool=pool
    )
    first = report.first_divergence
    assert not report.agree and first is not None
    assert (first.source, first.target) == (source, target)
    if raised:
        assert "the target raised" in first.error and first.max_abs is None
    else:
        assert first.max_abs is not None and first.max_abs > 1e-4
        assert all(d.agree for d in report.layers[: report.layers.index(first)])


async def test_bad_input_is_a_clear_error_and_writes_nothing(
    pool: KernelPool, saved: Path, tmp_path: Path
) -> None:
    truncated = tmp_path / "cut.params"
    truncated.write_bytes((saved / "cnn.params").read_bytes()[:300])
    out = tmp_path / "out.pt"
    cases = [
        (truncated, f"{T}:cnn", r"cut.params \(300 bytes\) cannot be read as an MXNet .params file"),
        (saved / "cnn.params", f"{HERE / 'broken_import.py'}:model", r"fails to import: ModuleNotFoundError"),
        (saved / "mlp.params", f"{T}:wrong_shape", r"shape mismatch"),
        (saved / "mlp.params", f"{T}:raises", r"the factory raised RuntimeError: this factory is broken"),
        (saved / "nothing-here", f"{T}:mlp", r"no such file"),
    ]
    for checkpoint, target, message in cases:
        with pytest.raises(PortingError, match=message):
            await convert_async(checkpoint, target, out, pool=pool)
        assert list(tmp_path.iterdir()) == [truncated]
    with pytest.raises(PortingError, match=r"source factory .* the factory raised"):
        await check_async(f"{T}:raises", f"{T}:mlp", input_shape=(1, 2), pool=pool)


async def test_the_command_line_exit_codes_and_json(tmp_path: Path) -> None:
    """One run of the real CLI (its own kernels): a fault gives exit 1 and the JSON report."""
    ckpt = tmp_path / "m.params"
    subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys; sys.path.insert(0, {str(HERE)!r}); import gluon_models as g;"
            f"n = g.mlp(); g._randomise(n, g.nd.ones(g.INPUTS['mlp']), 1); n.save_parameters({str(ckpt)!r})",
        ],
        check=True,
        capture_output=True,
    )
    command = [
        sys.executable,
        "-m",
        "fwcheat",
        "check",
        "--mxnet",
        f"{G}:mlp",
        "--pytorch",
        f"{T}:mlp_no_flatten",
        "--params",
        str(ckpt),
        "--input-shape",
        "4,2,3,3",
        "--json",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=240)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["agree"] is False
    assert report["first_divergence"]["pytorch"] == "0"
    assert set(report["layers"][0]) >= {"mxnet", "pytorch", "max_abs", "max_rel", "agree"}
    usage = subprocess.run([sys.executable, "-m", "fwcheat", "check", "--mxnet", "x:y"], capture_output=True)
    assert usage.returncode == 2


async def test_float64_separates_rounding_from_a_real_difference(pool: KernelPool, saved: Path) -> None:
    """In float64 even eval-mode gradients through max pooling agree (oneDNN's bug is float32 only)."""
    ckpt, factory, twin, shape, _, _ = MODELS["cnn"]
    report = await check_async(
        f"{G}:{factory}",
        f"{T}:{twin}",
        params=saved / ckpt,
        input_shape=shape,
        grad=True,
        dtype="float64",
        pool=pool,
    )
    assert report.agree and report.to_dict()["dtype"] == "float64"
    assert max(d.max_abs or 0.0 for d in report.layers) < 1e-10
    faulty = await check_async(
        f"{G}:{factory}",
        f"{T}:cnn_default_eps",
        params=saved / ckpt,
        input_shape=shape,
        dtype="float64",
        pool=pool,
    )
    assert faulty.first_divergence is not None and faulty.first_divergence.target == "bn1"
