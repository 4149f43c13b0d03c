"""Warm-kernel slots, records and settings, without starting a kernel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fwcheat.kernels.config import ConfigError, load_kernel_config
from fwcheat.kernels.procs import process_alive, process_start_ticks
from fwcheat.kernels.warm import WarmRecord, WarmSlot, signature, stop_warm_kernels, warm_kernels

SIGNATURE = {"framework": "pytorch", "fwcheat": "1+abc", "python": "/venv 3.11"}


def record_for(root: Path, pid: int, slot: int = 0, **changes: object) -> WarmRecord:
    connection = root / f"kernel-pytorch-{slot}.json"
    connection.write_text("{}", encoding="utf-8")
    record = WarmRecord(
        "pytorch", slot, pid, pid, process_start_ticks(pid), str(connection), dict(SIGNATURE), 1.0, 1.0
    )
    for key, value in changes.items():
        setattr(record, key, value)
    (root / f"pytorch-{slot}.json").write_text(json.dumps(record.as_dict()), encoding="utf-8")
    return record


@pytest.fixture
def sleeper() -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    yield proc
    proc.kill()
    proc.wait()


def test_two_holders_never_share_a_slot(tmp_path: Path, sleeper: subprocess.Popen[bytes]) -> None:
    record_for(tmp_path, sleeper.pid)
    first, second = WarmSlot(tmp_path, "pytorch", SIGNATURE), WarmSlot(tmp_path, "pytorch", SIGNATURE)
    found = first.claim()
    assert found is not None and found.pid == sleeper.pid and first.slot == 0
    assert first.unusable(found) == ""
    assert second.claim() is None and second.slot == 1  # slot 0 is locked: the next one, empty
    first.release()
    second.release()
    again = WarmSlot(tmp_path, "pytorch", SIGNATURE)
    assert again.claim() is not None and again.slot == 0  # free again once released
    again.release()


def test_a_record_that_no_longer_fits_says_why(tmp_path: Path, sleeper: subprocess.Popen[bytes]) -> None:
    slot = WarmSlot(tmp_path, "pytorch", {**SIGNATURE, "fwcheat": "2+def"})
    record = record_for(tmp_path, sleeper.pid)
    assert slot.unusable(record) == "it was started for another fwcheat version"
    other_env = WarmSlot(tmp_path, "pytorch", {**SIGNATURE, "environment": "x"})
    assert "another environment" in other_env.unusable(record)
    same = WarmSlot(tmp_path, "pytorch", SIGNATURE)
    Path(record.connection_file).unlink()
    assert same.unusable(record) == "its connection file is gone"
    # A reused pid is not the kernel: its start time differs.
    record.ticks = (record.ticks or 0) + 1
    assert same.unusable(record) == "it had exited"
    assert not process_alive(sleeper.pid, record.ticks)
    assert process_alive(sleeper.pid, process_start_ticks(sleeper.pid))


def test_the_signature_follows_the_frameworks_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    def sign() -> dict[str, str]:
        return signature("pytorch", None, {}, output_cap=10, idle_timeout=600)

    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    base = sign()
    monkeypatch.setenv("COLUMNS", "33")  # not a framework's business
    assert sign() == base
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "1")
    assert sign()["environment"] != base["environment"]
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES")
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "0")  # a framework's own prefix, from the table
    assert sign()["environment"] != base["environment"]
    assert signature("pytorch", None, {}, output_cap=10, idle_timeout=5)["settings"] != base["settings"]


def test_listing_drops_the_dead_and_stop_ends_the_living(
    tmp_path: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    record_for(tmp_path, sleeper.pid, slot=0)
    record_for(tmp_path, dead.pid, slot=1)
    listed = warm_kernels(tmp_path)
    assert [(k.framework, k.pid, k.in_use) for k in listed] == [("pytorch", sleeper.pid, False)]
    assert not (tmp_path / "pytorch-1.json").exists()  # the dead one's record is gone
    stopped = stop_warm_kernels(tmp_path)
    assert [k.pid for k in stopped] == [sleeper.pid]
    assert sleeper.wait(timeout=5) != 0
    assert warm_kernels(tmp_path) == []


def test_kernel_settings_in_the_config_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[kernels]\nwarm = false\nidle_timeout = 30\nmxnet = 'legacy'\n", encoding="utf-8")
    config = load_kernel_config(path)
    assert (config.warm, config.idle_timeout, config.kernels) == (False, 30.0, {"mxnet": "legacy"})
    assert load_kernel_config(tmp_path / "missing.toml").warm is True
    for bad, message in (
        ("warm = 'yes'", "warm must be true or false"),
        ("idle_timeout = 0", "idle_timeout must be a number of seconds above 0"),
        ("idle_timeout = true", "idle_timeout must be a number"),
        ("wram = true", "unknown framework"),
    ):
        path.write_text(f"[kernels]\n{bad}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match=message):
            load_kernel_config(path)


def test_records_and_folder_are_private(tmp_path: Path, sleeper: subprocess.Popen[bytes]) -> None:
    slot = WarmSlot(tmp_path, "pytorch", SIGNATURE)
    assert slot.claim() is None
    connection = tmp_path / "kernel-pytorch-x.json"
    connection.write_text("{}", encoding="utf-8")
    slot.save(sleeper.pid, sleeper.pid, process_start_ticks(sleeper.pid), connection)
    slot.save_probe({"startup": {"ok": True}, "probe": {"gpus": 0}})
    slot.release()
    path = tmp_path / "pytorch-0.json"
    assert os.stat(path).st_mode & 0o077 == 0
    saved = WarmRecord.load(path)
    assert saved is not None and saved.probe["probe"] == {"gpus": 0} and saved.last_used >= saved.started


def test_the_quick_path_speaks_as_the_engine() -> None:
    """quickrun keeps its own copies (importing the engine's would cost more than its run)."""
    from fwcheat import quickrun
    from fwcheat.devices import parse_device
    from fwcheat.kernels import prelude
    from fwcheat.kernels.base import ErrorInfo, ExecutionResult, Status

    for framework in ("pytorch", "mxnet", "tensorflow", "keras"):
        assert quickrun._prepare_line(framework) == prelude.prepare_line(framework, parse_device("cpu"))
    refused = ExecutionResult(
        Status.ERROR, error=ErrorInfo("DeviceUnavailable", prelude.PREPARE_FAILED + ": x")
    )
    assert quickrun._not_reset(refused)
    assert not quickrun._not_reset(
        ExecutionResult(Status.ERROR, error=ErrorInfo("DeviceUnavailable", "cuda:1"))
    )
