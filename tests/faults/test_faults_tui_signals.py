"""The TUI cleans up when it is killed politely or its terminal closes (SIGTERM, SIGHUP).

It runs in a pseudo-terminal with real kernels; after the signal, the
kernels (and so everything a snippet started in their process groups) are
gone, and so is the private runtime dir with their connection files and logs.
"""

from __future__ import annotations

import contextlib
import os
import pty
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.kernels, pytest.mark.slow, pytest.mark.timeout(240)]


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                stat = Path(f"/proc/{entry}/stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry))
    return found


def kernels_of(pid: int) -> list[int]:
    found = []
    for child in children(pid):
        with contextlib.suppress(OSError):
            if b"ipykernel" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_tui_leaves_no_kernel_or_runtime_dir(signum: int, tmp_path: Path) -> None:
    runtime_tmp = tmp_path / "tmp"
    runtime_tmp.mkdir()
    env = {
        **os.environ,
        "TMPDIR": str(runtime_tmp),
        "TERM": "xterm-256color",
        "COLUMNS": "120",
        "LINES": "40",
    }
    pid, fd = pty.fork()
    if pid == 0:  # the child: the TUI on the pty
        os.execve(sys.executable, [sys.executable, "-m", "fwcheat", "tui", "autograd"], env)
    drained = threading.Event()

    def drain() -> None:  # a terminal reads what the app writes, or the app blocks
        with contextlib.suppress(OSError):
            while os.read(fd, 65536):
                pass
        drained.set()

    threading.Thread(target=drain, daemon=True).start()
    try:
        deadline = time.monotonic() + 150
        seen: list[int] = []
        while time.monotonic() < deadline and len(seen) < 2:
            seen = kernels_of(pid)
            time.sleep(0.2)
        assert len(seen) == 2, "the TUI should start one kernel per framework"
        runtime = list(runtime_tmp.glob("fwcheat-kernels-*"))
        assert runtime, "the kernels' private runtime dir exists while they run"
        time.sleep(2.0)
        os.kill(pid, signum)
        if signum == signal.SIGHUP:
            os.close(fd)  # the terminal is gone, as when its window is closed
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.1)
        assert status is not None and done, "the TUI must exit after the signal"
        stop = time.monotonic() + 10
        while any(alive(k) for k in seen) and time.monotonic() < stop:
            time.sleep(0.1)
        assert not [k for k in seen if alive(k)], "no kernel outlives the TUI"
        assert not list(runtime_tmp.glob("fwcheat-kernels-*")), "the runtime dir is removed"
    finally:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
        with contextlib.suppress(OSError):
            os.close(fd)
