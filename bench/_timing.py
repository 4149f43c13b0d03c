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
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

#: The `fwcheat` command as a user runs it (the installed script, no `-m` / runpy overhead).
CLI = (
    [str(Path(sys.executable).with_name("fwcheat"))]
    if Path(sys.executable).with_name("fwcheat").exists()
    else [sys.executable, "-m", "fwcheat"]
)


class Timing(NamedTuple):
    wall: float
    cpu: float


def time_command(argv: Sequence[str], *, runs: int = 7, env: dict[str, str | None] | None = None) -> Timing:
    """Median wall and CPU seconds of running ``argv`` to completion, output discarded.

    ``env`` is added to this process's environment; a None value removes that variable.
    """
    merged = {**os.environ, **(env or {})}
    full_env = {key: value for key, value in merged.items() if value is not None}
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


def time_commands(
    commands: dict[str, tuple[Sequence[str], dict[str, str | None]]], *, runs: int = 7
) -> dict[str, Timing]:
    """Like :func:`time_command` for several commands, run in turn (one of each per round).

    Interleaving puts every command through the same moments of a shared machine's
    load, so their ratios stay fair when the load changes during the benchmark.
    """
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (argv, env) in commands.items():
            timing = time_command(argv, runs=1, env=env)
            walls[name].append(timing.wall)
            cpus[name].append(timing.cpu)
    return {name: Timing(statistics.median(walls[name]), statistics.median(cpus[name])) for name in commands}
