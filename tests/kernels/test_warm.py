"""Warm kernels between commands: reused, replaced when they no longer fit, never lingering.

Each test runs `fwcheat` as a user does (a new process per command) against
its own runtime folder, so the kernels it leaves are its own.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from kernel_procs import pid_alive, wait_gone
from warm_cli import env_for, fwcheat, make_home

pytestmark = [pytest.mark.kernels, pytest.mark.slow, pytest.mark.timeout(240)]

KNOWLEDGE = """\
entries:
  - id: warm-pid
    title: Which kernel
    title_zh: 哪个内核
    category: test
    summary: Prints the kernel's pid and working directory.
    snippets:
      pytorch:
        code: |
          import os
          print("pid", os.getpid())
          print("cwd", os.getcwd())
          print("leftover", "x_left" in dir())
          x_left = 1
  - id: warm-slow
    title: Slow
    title_zh: 慢
    category: test
    summary: Sleeps, then prints its pid.
    snippets:
      pytorch:
        code: |
          import os, time
          time.sleep(2.5)
          print("pid", os.getpid())
"""


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return make_home(tmp_path, KNOWLEDGE)


def printed(result: subprocess.CompletedProcess[str], key: str) -> str:
    payload = json.loads(result.stdout)
    output = payload["results"]["pytorch"]["output"]
    for line in output.splitlines():
        if line.startswith(key + " "):
            return line.split(" ", 1)[1]
    raise AssertionError(f"no {key!r} line in {output!r}")


def warm(home: Path) -> list[dict[str, object]]:
    result = fwcheat(home, "kernels", "--json")
    assert result.returncode == 0, result.stderr
    kernels: list[dict[str, object]] = json.loads(result.stdout)["kernels"]
    return kernels


def test_second_run_reuses_the_kernel_fresh_and_in_the_callers_folder(home: Path) -> None:
    first = fwcheat(home, "run", "warm-pid", "--json")
    assert first.returncode == 0, first.stderr
    pid = int(printed(first, "pid"))
    listed = warm(home)
    assert [(k["framework"], k["pid"]) for k in listed] == [("pytorch", pid)]
    assert listed[0]["memory"] and int(str(listed[0]["memory"])) > 10_000_000
    # Private: the records and the connection file (with its HMAC key) are the user's alone.
    assert (home / "run").stat().st_mode & 0o077 == 0
    for path in (home / "run").glob("*.json"):
        assert path.stat().st_mode & 0o077 == 0, path

    elsewhere = home / "elsewhere"
    elsewhere.mkdir()
    second = fwcheat(home, "run", "warm-pid", "--json", cwd=elsewhere)
    assert second.returncode == 0, second.stderr
    assert int(printed(second, "pid")) == pid  # the same process, not a new start
    assert printed(second, "leftover") == "False"  # a fresh namespace all the same
    assert printed(second, "cwd") == str(elsewhere)
    assert json.loads(second.stdout)["results"]["pytorch"]["reason"] == ""

    fresh = fwcheat(home, "run", "warm-pid", "--fresh", "--json")
    assert int(printed(fresh, "pid")) != pid  # --fresh: a private kernel
    assert [k["pid"] for k in warm(home)] == [pid]

    stopped = fwcheat(home, "kernels", "stop")
    assert stopped.returncode == 0 and str(pid) in stopped.stdout
    assert not wait_gone([pid], timeout=5)
    assert warm(home) == []
    assert not list((home / "run").glob("kernel-*"))  # connection files and logs removed


def test_a_kernel_that_no_longer_fits_is_replaced_with_a_note(home: Path) -> None:
    pid = int(printed(fwcheat(home, "run", "warm-pid", "--json"), "pid"))

    # Another environment for the frameworks (the GPUs they may see): a new kernel.
    moved = fwcheat(home, "run", "warm-pid", "--json", CUDA_VISIBLE_DEVICES="")
    assert moved.returncode == 0, moved.stderr
    new_pid = int(printed(moved, "pid"))
    assert new_pid != pid
    assert "another environment" in json.loads(moved.stdout)["results"]["pytorch"]["reason"]
    assert not wait_gone([pid], timeout=5)  # the old one was stopped, not left behind

    # A kernel that died in the meantime: replaced, with a note.
    os.kill(new_pid, signal.SIGKILL)
    assert not wait_gone([new_pid], timeout=5)
    after_death = fwcheat(home, "run", "warm-pid", "--json", CUDA_VISIBLE_DEVICES="")
    assert after_death.returncode == 0, after_death.stderr
    third = int(printed(after_death, "pid"))
    assert third not in (pid, new_pid)
    assert "it had exited" in json.loads(after_death.stdout)["results"]["pytorch"]["reason"]

    # One left by another fwcheat version: replaced too.
    record_path = home / "run" / "pytorch-0.json"
    record = json.loads(record_path.read_text())
    record["signature"]["fwcheat"] = "0.0.1+older"
    record_path.write_text(json.dumps(record))
    upgraded = fwcheat(home, "run", "warm-pid", "--json", CUDA_VISIBLE_DEVICES="")
    assert int(printed(upgraded, "pid")) != third
    assert "another fwcheat version" in json.loads(upgraded.stdout)["results"]["pytorch"]["reason"]
    assert not wait_gone([third], timeout=5)
    fwcheat(home, "kernels", "stop")


def test_two_runs_at_once_each_get_their_own_kernel_and_output(home: Path) -> None:
    fwcheat(home, "run", "warm-pid", "--json")  # one warm kernel, for the first of the two
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "fwcheat", "run", "warm-slow", "--json"],
            env=env_for(home),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [p.communicate(timeout=180) for p in procs]
    for proc, (_out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
    pids = {
        int(line.split()[1])
        for out, _ in results
        for line in json.loads(out)["results"]["pytorch"]["output"].splitlines()
        if line.startswith("pid ")
    }
    assert len(pids) == 2  # never interleaved on one kernel
    assert {k["pid"] for k in warm(home)} == pids  # both left warm, in two slots
    fwcheat(home, "kernels", "stop")
    assert not wait_gone(list(pids), timeout=5)


def test_a_killed_fwcheat_leaves_kernels_that_exit_by_themselves(home: Path) -> None:
    (home / "config" / "config.toml").write_text("[kernels]\nidle_timeout = 3\n", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "fwcheat", "run", "warm-slow", "--json"],
        env=env_for(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    record = home / "run" / "pytorch-0.json"
    deadline = time.monotonic() + 120
    while not record.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert record.exists(), "the kernel never started"
    pid = int(json.loads(record.read_text())["pid"])
    time.sleep(1.0)  # inside the snippet's sleep
    proc.kill()  # SIGKILL: fwcheat cleans nothing up
    proc.wait(timeout=10)
    assert pid_alive(pid)  # not taken down with fwcheat...
    assert not wait_gone([pid], timeout=30)  # ...but gone once idle for 3 s
    assert warm(home) == []
