"""Shared timing helpers for the benchmarks.

Each command is run several times in a fresh process; we report the median
wall time and the median CPU time (user + system) of the child. On a shared
machine CPU time is the steadier of the two: it does not count the time the
process waited for a core.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Sequence
from typing import NamedTuple


class Timing(NamedTuple):
    wall: float
    cpu: float


def time_command(argv: Sequence[str], *, runs: int = 7, env: dict[str, str] | None = None) -> Timing:
    """Median wall and CPU seconds of running ``argv`` to completion, output discarded."""
    full_env = {**os.environ, **(env or {})}
    walls, cpus = [], []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=full_env)
        _, _, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - start)
        cpus.append(usage.ru_utime + usage.ru_stime)
        proc.returncode = 0
    return Timing(statistics.median(walls), statistics.median(cpus))


def verdict(ratio: float, target: float) -> str:
    return "OK" if ratio <= target else "OVER TARGET"
