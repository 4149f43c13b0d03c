"""Cold `fwcheat run ID -f tensorflow` against a bare `python -c "import tensorflow"`, in one run.

A user who runs a TensorFlow idiom waits for a new kernel to start and import
TensorFlow; the floor for that is importing TensorFlow at all. This benchmark
runs both as fresh processes, interleaved so that machine load hits both
alike, and prints the medians and the ratio (target: 1.3 or less). The entry
is generated in a private knowledge folder, so the figure does not depend on
the bundled knowledge base; the index is warmed once first, as on any second
start. Keras (a kernel of its own) is measured the same way against
``python -c "import keras"``.

Usage: ``.venv/bin/python bench/bench_tf_run.py [--runs N]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import verdict

ENTRY = """\
id: bench-tf
title: Benchmark entry
title_zh: 基准
summary: A tiny TensorFlow and Keras snippet.
compare: y
snippets:
  tensorflow:
    setup: |
      import tensorflow as tf
    code: |
      y = tf.range(3.0) * 2
      print(y)
  keras:
    setup: |
      import keras
    code: |
      y = keras.ops.arange(3.0) * 2
      print(y)
"""


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU of the process and the children it waited for) of one fresh run."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{err.decode()[-3000:]}")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fwcheat-bench-") as tmp:
        folder = Path(tmp) / "knowledge" / "bench"
        folder.mkdir(parents=True)
        (folder / "bench-tf.yaml").write_text(ENTRY, encoding="utf-8")
        env = {
            **os.environ,
            "FWCHEAT_KNOWLEDGE_PATH": str(Path(tmp) / "knowledge"),
            "FWCHEAT_CACHE_DIR": str(Path(tmp) / "cache"),
            "FWCHEAT_RUNTIME_DIR": str(Path(tmp) / "run"),
        }
        for framework in ("tensorflow", "keras"):
            bare = [sys.executable, "-c", f"import {framework}"]
            # --fresh: a cold start every time (no kernel left warm by the previous run).
            ours = [sys.executable, "-m", "fwcheat", "run", "bench-tf", "-f", framework, "--json", "--fresh"]
            timed(bare, env)  # warm the OS file cache and the index
            timed(ours, env)
            base: list[tuple[float, float]] = []
            mine: list[tuple[float, float]] = []
            for _ in range(args.runs):
                base.append(timed(bare, env))
                mine.append(timed(ours, env))
            print(f"cold `fwcheat run bench-tf -f {framework}` vs `python -c 'import {framework}'`")
            for index, kind in ((0, "wall"), (1, "CPU ")):
                b = statistics.median(t[index] for t in base)
                m = statistics.median(t[index] for t in mine)
                print(
                    f"   {kind}: import {b:5.2f} s, fwcheat run {m:5.2f} s: {m / b:.2f}x"
                    + (f" (target <= 1.3x: {verdict(m / b, 1.3)})" if index == 0 else "")
                )


if __name__ == "__main__":
    main()
