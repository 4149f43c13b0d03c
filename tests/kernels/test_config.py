"""Choosing a kernelspec per framework through config.toml."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from fwcheat.kernels.base import Status
from fwcheat.kernels.config import ConfigError, load_kernel_config
from fwcheat.kernels.session import KernelPool


def test_missing_file_means_defaults(tmp_path: Path) -> None:
    config = load_kernel_config(tmp_path / "none.toml")
    assert config.kernel_for("mxnet") is None and config.kernels == {}


def test_kernels_table_is_read(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[kernels]\nmxnet = "mxnet-legacy"\n', encoding="utf-8")
    config = load_kernel_config(path)
    assert config.kernel_for("mxnet") == "mxnet-legacy"
    assert config.kernel_for("pytorch") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[kernels]\njax = 'x'\n", "unknown framework"),
        ("[kernels]\nmxnet = 3\n", "must be a kernelspec name"),
        ("kernels = 1\n", "must be a table"),
        ("[kernels\n", "config.toml"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_kernel_config(path)


def test_env_variable_points_at_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "other.toml"
    path.write_text('[kernels]\npytorch = "torch-env"\n', encoding="utf-8")
    monkeypatch.setenv("FWCHEAT_CONFIG", str(path))
    assert load_kernel_config().kernel_for("pytorch") == "torch-env"


@pytest.mark.kernels
@pytest.mark.timeout(120)
async def test_configured_kernelspec_runs_the_framework(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec_dir = tmp_path / "jupyter" / "kernels" / "fwcheat-legacy-test"
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "legacy test",
        "language": "python",
        "env": {"FWCHEAT_TEST_MARKER": "from-the-kernelspec"},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    path = tmp_path / "config.toml"
    path.write_text('[kernels]\nmxnet = "fwcheat-legacy-test"\n', encoding="utf-8")
    async with KernelPool("cpu", config=load_kernel_config(path)) as pool:
        info = await pool.ensure("mxnet")
        assert info.kernel == "fwcheat-legacy-test" and not info.error
        run = await pool.run("mxnet", "import os\nprint(os.environ['FWCHEAT_TEST_MARKER'], ctx)")
        runtime = pool.runtime_dir
        assert runtime is not None and runtime.is_dir()
    assert not runtime.exists()  # connection files go with the kernels
    assert run.status is Status.OK
    assert run.stdout == "from-the-kernelspec cpu(0)\n"


@pytest.mark.kernels
@pytest.mark.timeout(60)
async def test_unknown_kernelspec_is_reported_not_raised(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[kernels]\npytorch = "no-such-kernelspec"\n', encoding="utf-8")
    async with KernelPool("cpu", config=load_kernel_config(path)) as pool:
        run = await pool.run("pytorch", "print(1)")
    assert run.status is Status.DIED
    assert run.error is not None and "no-such-kernelspec" in run.error.value
