"""`fwcheat run` on warm kernels: the quick path prints what the full path prints.

The kernel is left warm by a first `fwcheat run` (a subprocess, through the
engine); the quick path then runs in this process (:func:`fwcheat.quickrun.main`
returns None when it declines), and the engine's path runs as a subprocess with
``FWCHEAT_QUICK_RUN=0`` on the same kernel, for the same output.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from kernel_procs import wait_gone

from fwcheat import quickrun

pytestmark = [pytest.mark.kernels, pytest.mark.slow, pytest.mark.timeout(240)]

KNOWLEDGE = """\
entries:
  - id: quick-print
    title: Quick print
    title_zh: 快速打印
    category: test
    summary: Prints, warns, and shows a value.
    snippets:
      pytorch:
        setup: |
          import warnings
        code: |
          print("sum", 6 * 7)
          warnings.warn("careful")
          [1, 2]
  - id: quick-error
    title: Quick error
    title_zh: 快速错误
    category: test
    summary: Raises on its second line.
    snippets:
      pytorch:
        setup: |
          import math
        code: |
          x = 1
          math.sqrt(-x)
  - id: quick-hang
    title: Hangs
    title_zh: 挂起
    category: test
    summary: Sleeps past the timeout.
    snippets:
      pytorch:
        code: |
          import time
          print("before")
          time.sleep(30)
  - id: quick-die
    title: Dies
    title_zh: 死亡
    category: test
    summary: Ends its kernel.
    snippets:
      pytorch:
        code: |
          import os
          os._exit(3)
  - id: quick-compare
    title: Two frameworks compared
    title_zh: 比较
    category: test
    summary: Has a compare value, so two frameworks need NumPy.
    compare: y
    snippets:
      pytorch:
        code: |
          y = torch.ones(2)
      mxnet:
        code: |
          y = nd.ones(2)
"""


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One warm PyTorch kernel for the module (the tests run in file order; the death is last)."""
    folder = tmp_path_factory.mktemp("quickrun")
    (folder / "kb.yaml").write_text(KNOWLEDGE, encoding="utf-8")
    values = {
        "FWCHEAT_KNOWLEDGE_PATH": str(folder / "kb.yaml"),
        "FWCHEAT_RUNTIME_DIR": str(folder / "run"),
        "FWCHEAT_CONFIG": str(folder / "config.toml"),
        "FWCHEAT_CACHE_DIR": str(folder / "cache"),
        "COLUMNS": "90",
    }
    saved = {k: os.environ.get(k) for k in [*values, "CUDA_VISIBLE_DEVICES", "FWCHEAT_QUICK_RUN"]}
    os.environ.update(values)
    os.environ.pop("CUDA_VISIBLE_DEVICES", None)
    os.environ.pop("FWCHEAT_QUICK_RUN", None)
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        first = cli("run", "quick-print")  # leaves a warm PyTorch kernel
        assert first.returncode == 0, first.stderr
        yield folder
        cli("kernels", "stop")
    finally:
        os.chdir(cwd)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fwcheat", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=180,
    )


def timeless(text: str) -> str:
    """Timings and the kernel's pid (in the file name of a cell) set aside."""
    text = re.sub(r"─+ (\w[\w ]*) · \d+ ms ─", r"── \1 · N ms ─", text)  # the border fits the figure
    return re.sub(r"kernel_\d+/\d+", "kernel_P/C", re.sub(r"\d+ ms", "N ms", text))


def warm_pid(home: Path) -> int:
    return int(json.loads((home / "run" / "pytorch-0.json").read_text())["pid"])


@pytest.mark.parametrize("entry", ["quick-print", "quick-error"])
def test_the_quick_path_prints_what_the_full_path_prints(
    home: Path, entry: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # The engine's path on the same warm kernel (it reconnects through jupyter's files).
    full = cli("run", entry, FWCHEAT_QUICK_RUN="0")
    status = quickrun.main([entry])
    out = capsys.readouterr().out
    assert status == full.returncode == (0 if entry == "quick-print" else 1)
    assert timeless(out) == timeless(full.stdout)
    if entry == "quick-error":
        assert "line 2" in out and "ValueError: math domain error" in out  # the snippet's own line numbers

    full_json = json.loads(cli("run", entry, "--json", FWCHEAT_QUICK_RUN="0").stdout)
    assert quickrun.main([entry, "--json"]) == status
    quick_json = json.loads(capsys.readouterr().out)
    for payload in (full_json, quick_json):
        payload["wall"] = 0
        for result in payload["results"].values():
            result["duration"] = 0
    assert json.loads(timeless(json.dumps(quick_json))) == json.loads(timeless(json.dumps(full_json)))


def test_the_quick_path_declines_what_it_does_not_do(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert quickrun.main(["quick-compare"]) is None  # two frameworks to compare: NumPy's job
    assert quickrun.main(["quick-print", "--device", "cuda"]) is None  # GPUs are checked up front
    assert quickrun.main(["quick-print", "--pair", "x"]) is None  # not an option it knows
    assert quickrun.main(["no-such-entry"]) is None  # the full path explains
    assert quickrun.main(["quick-print", "-f", "mxnet"]) is None  # no such snippet: explained there
    (home / "config.toml").write_text("[kernels]\nwarm = false\n", encoding="utf-8")
    assert quickrun.main(["quick-print"]) is None
    (home / "config.toml").unlink()
    os.environ["CUDA_VISIBLE_DEVICES"] = ""  # another environment: the engine replaces the kernel
    try:
        assert quickrun.main(["quick-print"]) is None
    finally:
        del os.environ["CUDA_VISIBLE_DEVICES"]
    assert capsys.readouterr().out == ""  # it printed nothing before declining
    assert quickrun.main(["quick-print"]) == 0


def test_a_timeout_interrupts_and_keeps_the_kernel(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pid = warm_pid(home)
    assert quickrun.main(["quick-hang", "--timeout", "1.5", "--json"]) == 1
    result = json.loads(capsys.readouterr().out)["results"]["pytorch"]
    assert result["status"] == "timed out"
    assert result["reason"] == "timed out after 1.5 s; interrupted"
    assert result["stdout"] == "before\n"
    assert warm_pid(home) == pid  # interrupted, so still warm and usable
    assert quickrun.main(["quick-print", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["results"]["pytorch"]["stdout"].startswith("sum 42")


def test_a_kernel_that_dies_is_reported_and_replaced_next_time(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pid = warm_pid(home)
    assert quickrun.main(["quick-die", "--json"]) == 1
    result = json.loads(capsys.readouterr().out)["results"]["pytorch"]
    assert result["status"] == "died"
    assert "the kernel is gone" in result["reason"]
    assert not wait_gone([pid], timeout=5)
    assert not (home / "run" / "pytorch-0.json").exists()  # forgotten, not reused
    assert quickrun.main(["quick-print"]) is None  # nothing warm: the engine starts one
    again = cli("run", "quick-print", "--json")
    assert again.returncode == 0 and warm_pid(home) != pid
