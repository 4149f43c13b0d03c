"""`fwcheat verify` of the whole knowledge base: does it keep the machine's cores busy?

Runs ``fwcheat verify --fresh --json`` (every entry, every framework it has,
kernels started from nothing) as one process and measures its wall time and
the CPU time of it and every kernel it started and waited for. If the work
were spread perfectly over the cores, wall would equal CPU / cores; the
target is wall <= 1.2x that. For information it then runs verify twice
without ``--fresh``: the first leaves its kernels warm, the second reuses
them (what a user sees on a repeated verify).

    python bench/bench_verify.py [--jobs N] [ID ...]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import verdict


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float, dict[str, object]]:
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    try:
        payload = json.loads(out)
    except ValueError:
        raise SystemExit(f"{' '.join(argv)} printed no JSON (exit {proc.returncode})") from None
    return wall, usage.ru_utime + usage.ru_stime, payload


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*", help="entries (default: all)")
    parser.add_argument("--jobs", type=int, help="kernels per framework (default: fwcheat's choice)")
    args = parser.parse_args()
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="fwcheat-bench-") as tmp:
        env = {
            **os.environ,
            "FWCHEAT_CACHE_DIR": str(Path(tmp) / "cache"),
            "FWCHEAT_RUNTIME_DIR": str(Path(tmp) / "run"),
        }
        command = [sys.executable, "-m", "fwcheat", "verify", "--json", *args.ids]
        if args.jobs:
            command += ["--jobs", str(args.jobs)]
        wall, cpu, payload = run([*command, "--fresh"], env)
        warm_first, _, _ = run(command, env)
        warm_again, _, again = run(command, env)
        subprocess.run([sys.executable, "-m", "fwcheat", "kernels", "stop"], env=env, capture_output=True)
    entries = payload["passed"], payload["failed"], payload["skipped"]  # type: ignore[index]
    ideal = cpu / cores
    ratio = wall / ideal
    print(f"fwcheat verify benchmark  (python {sys.version.split()[0]}, {cores} usable cores)")
    print(f"entries: {sum(entries)} ({entries[0]} passed, {entries[1]} failed, {entries[2]} skipped)")  # type: ignore[arg-type]
    print(f"cold (--fresh): wall {wall:6.1f} s, CPU {cpu:6.1f} s (fwcheat and its kernels)")
    print(
        f"wall / (CPU / cores) = {wall:.1f} / {ideal:.1f} s = {ratio:.2f}x: "
        f"target <= 1.2x  {verdict(ratio, 1.2)}"
    )
    print(f"warm kernels: first verify {warm_first:6.1f} s wall, the next one {warm_again:6.1f} s wall")
    if again["failed"]:
        print(f"note: {again['failed']} entries failed on warm kernels")


if __name__ == "__main__":
    main()
