"""A GPU the machine does not have is refused before any kernel starts (issue #14, item 7, CLI side)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fwcheat.commands._common import usable_device
from fwcheat.devices import DeviceRequest, host_gpu_count, parse_device, resolve_auto, unavailable_reason


def fake_driver(tmp_path: Path, gpus: int) -> Path:
    proc = tmp_path / "gpus"
    proc.mkdir()
    for index in range(gpus):
        (proc / f"0000:0{index}:00.0").mkdir()
    return proc


def test_gpus_are_counted_from_the_driver_and_narrowed_by_cuda_visible_devices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proc = fake_driver(tmp_path, 2)
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    assert host_gpu_count(str(proc), str(tmp_path / "nodev")) == 2
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "1")
    assert host_gpu_count(str(proc), str(tmp_path / "nodev")) == 1
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    assert host_gpu_count(str(proc), str(tmp_path / "nodev")) == 0


def test_no_driver_and_no_device_nodes_means_no_gpu(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    dev = tmp_path / "dev"
    dev.mkdir()
    (dev / "null").touch()
    if sys.platform.startswith("linux"):
        assert host_gpu_count(str(tmp_path / "none"), str(dev)) == 0
        (dev / "nvidia0").touch()
        (dev / "nvidiactl").touch()
        assert host_gpu_count(str(tmp_path / "none"), str(dev)) == 1


def test_the_reason_names_the_device_and_what_there_is() -> None:
    cuda = parse_device("cuda")
    assert unavailable_reason(cuda, 0) is not None and "--device cpu" in str(unavailable_reason(cuda, 0))
    assert unavailable_reason(cuda, 1) is None
    assert "cuda:1" in str(unavailable_reason(parse_device("cuda:1"), 1))
    assert unavailable_reason(parse_device("cpu"), 0) is None
    assert unavailable_reason(cuda, None) is None  # cannot tell: the kernels decide
    assert resolve_auto(parse_device("auto"), 0) == DeviceRequest("cpu")
    assert resolve_auto(parse_device("auto"), 2) == DeviceRequest("gpu", 0)


def test_auto_says_what_it_chose(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    assert usable_device(parse_device("auto"), "run") == DeviceRequest("cpu")
    assert "--device auto: using cpu (no GPU found)" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["run", "autograd-record"], ["verify", "autograd-record"]])
def test_cuda_without_a_gpu_exits_2_at_once_with_the_reason(command: list[str]) -> None:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "fwcheat", *command, "--device", "cuda"],
        capture_output=True,
        text=True,
        env={**os.environ, "CUDA_VISIBLE_DEVICES": ""},
        timeout=60,
    )
    assert result.returncode == 2
    assert "cuda:0 asked for, but this machine has no GPU" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""
    assert time.perf_counter() - started < 20  # no kernel was started
