"""No private kernel outlives `fwcheat run --fresh` / `fwcheat verify --fresh`, however they end.

Warm kernels (the default) are left running on purpose; tests/kernels/test_warm.py
covers them. A warm kernel that was busy when its command was interrupted is
stopped all the same (it is in no state to serve the next one).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from kernel_procs import pid_alive, wait_gone

pytestmark = [pytest.mark.kernels, pytest.mark.slow, pytest.mark.timeout(180)]

KNOWLEDGE = """\
entries:
  - id: cleanup-quick
    title: Quick
    title_zh: 快
    category: test
    summary: Prints a number.
    snippets:
      pytorch:
        code: |
          print(1)
      mxnet:
        code: |
          print(1)
  - id: cleanup-fails
    title: Fails
    title_zh: 失败
    category: test
    summary: Raises.
    snippets:
      pytorch:
        code: |
          raise ValueError("boom")
      mxnet:
        code: |
          print(2)
  - id: cleanup-slow
    title: Slow
    title_zh: 慢
    category: test
    summary: Sleeps.
    snippets:
      pytorch:
        code: |
          import time
          time.sleep(60)
      mxnet:
        code: |
          import time
          time.sleep(60)
"""


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry))
    return found


def kernel_pids(pid: int) -> list[int]:
    pids = []
    for child in children_of(pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"ipykernel" in cmdline:
            pids.append(child)
    return pids


def start(args: list[str], tmp_path: Path) -> subprocess.Popen[bytes]:
    (tmp_path / "kb.yaml").write_text(KNOWLEDGE, encoding="utf-8")
    env = dict(os.environ, FWCHEAT_KNOWLEDGE_PATH=str(tmp_path / "kb.yaml"))
    return subprocess.Popen(
        [sys.executable, "-m", "fwcheat", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def watch(proc: subprocess.Popen[bytes], until_kernels: int = 0, timeout: float = 90) -> set[int]:
    """Kernel pids seen while ``proc`` runs (returns early once enough are seen)."""
    seen: set[int] = set()
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        seen.update(kernel_pids(proc.pid))
        if until_kernels and len(seen) >= until_kernels:
            break
        time.sleep(0.02)
    return seen


@pytest.mark.parametrize(
    ("args", "status"),
    [
        (["run", "--fresh", "cleanup-quick"], 0),
        (["run", "--fresh", "cleanup-fails"], 1),
        (["verify", "--fresh", "cleanup-quick", "cleanup-fails"], 1),
    ],
    ids=["run-ok", "run-error", "verify-error"],
)
def test_no_kernel_left_after_normal_exit(args: list[str], status: int, tmp_path: Path) -> None:
    proc = start(args, tmp_path)
    seen = watch(proc)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == status, err.decode()
    assert len(seen) == 2, "expected one kernel per framework"
    assert not wait_gone(list(seen), timeout=5)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("command", [["run", "--fresh"], ["verify"]], ids=["run-fresh", "verify-warm"])
def test_no_kernel_left_after_signal(command: list[str], signum: int, tmp_path: Path) -> None:
    proc = start([*command, "cleanup-slow"], tmp_path)
    seen = watch(proc, until_kernels=2)
    assert len(seen) == 2
    time.sleep(4.0)  # both kernels are up and inside time.sleep(60)
    assert all(pid_alive(p) for p in seen)
    proc.send_signal(signum)
    proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert not wait_gone(list(seen), timeout=5)
