"""A second `fwcheat run` on the kernel the first one left warm, against bare jupyter_client.

All in one run, on one kernel:

1. ``fwcheat run ID -f pytorch`` right after a first one (a new process each
   time, as a user types it; output to a pipe, and ``--json``; the resident
   run helper the first one started answers it): wall time, target <= 0.15 s
   for a small snippet;
2. the same against the floor any client process pays: a bare
   ``jupyter_client`` execute of the same code on the same running kernel
   (measured inside one process, client already connected) plus
   ``python -c pass``: target <= 1.5x. These, and the same command run in its
   own process (``FWCHEAT_RESIDENT=0``) and through the engine
   (``FWCHEAT_QUICK_RUN=0``), are measured in turn, one of each per round, so
   they all meet the same load;
3. for context: a whole minimal client process (``python -c`` that imports
   jupyter_client, connects to the kernel and executes the code), the same
   command with ``--fresh`` (private kernels, as before warm kernels) and the
   first, cold command.

    python bench/bench_warm.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import CLI, Timing, time_command, verdict

PYTHON = sys.executable
CODE = "x = 6 * 7\nprint(x)\n"
KNOWLEDGE = f"""\
id: bench-small
title: A small snippet
title_zh: 小片段
category: bench
summary: Prints a number; measures the cost of running, not of the snippet.
snippets:
  pytorch:
    code: |
{"".join("      " + line + chr(10) for line in CODE.splitlines())}"""

CLIENT = """\
import sys
from jupyter_client import BlockingKernelClient
kc = BlockingKernelClient(connection_file=sys.argv[1])
kc.load_connection_file()
kc.start_channels()
kc.wait_for_ready(timeout=10)
reply = kc.execute_interactive(sys.argv[2], timeout=10, output_hook=lambda msg: None)
kc.stop_channels()
"""


class BareClient:
    """jupyter_client connected once to the running kernel: one execute of ``CODE`` per call."""

    def __init__(self, connection_file: str) -> None:
        from jupyter_client import BlockingKernelClient

        self.kc = BlockingKernelClient(connection_file=connection_file)
        self.kc.load_connection_file()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=30)
        for _ in range(2):  # warm the client up
            self.execute()

    def execute(self) -> float:
        kc = self.kc
        started = time.perf_counter()
        msg_id = kc.execute(CODE)
        while True:
            msg = kc.get_iopub_msg(timeout=30)
            if (
                msg["parent_header"].get("msg_id") == msg_id
                and msg["header"]["msg_type"] == "status"
                and msg["content"]["execution_state"] == "idle"
            ):
                break
        while True:
            try:
                reply = kc.get_shell_msg(timeout=30)
            except queue.Empty:
                break
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        return time.perf_counter() - started

    def close(self) -> None:
        self.kc.stop_channels()


def interleaved(
    commands: dict[str, tuple[list[str], dict[str, str]]], bare: BareClient, runs: int
) -> tuple[dict[str, Timing], float]:
    """Each command once per round, and one bare execute, so all meet the same load; medians."""
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    bares: list[float] = []
    for _ in range(runs):
        for name, (argv, env) in commands.items():
            timing = time_command(argv, runs=1, env=env)
            walls[name].append(timing.wall)
            cpus[name].append(timing.cpu)
        bares.append(bare.execute())
    medians = {n: Timing(statistics.median(walls[n]), statistics.median(cpus[n])) for n in commands}
    return medians, statistics.median(bares)


def main() -> None:
    # As an installed fwcheat runs: its bytecode cached (this machine may set the variable).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "kb").mkdir()
        (root / "kb" / "bench-small.yaml").write_text(KNOWLEDGE, encoding="utf-8")
        env = {
            "FWCHEAT_KNOWLEDGE_PATH": str(root / "kb"),
            "FWCHEAT_RUNTIME_DIR": str(root / "run"),
            "FWCHEAT_CACHE_DIR": str(root / "cache"),
            "FWCHEAT_CONFIG": str(root / "config.toml"),
            "COLUMNS": "120",
        }
        full_env = {**os.environ, **env}
        command = [*CLI, "run", "bench-small", "-f", "pytorch"]
        started = time.perf_counter()
        first = subprocess.run(command, env=full_env, capture_output=True, text=True)
        cold = time.perf_counter() - started
        if first.returncode != 0:
            sys.exit(f"the first run failed:\n{first.stdout}{first.stderr}")
        record = json.loads((root / "run" / "pytorch-0.json").read_text())
        connection = record["connection_file"]
        pid = record["pid"]

        if not (root / "run" / "resident.json").exists():
            time.sleep(1.0)  # the first run starts the resident helper in the background
        bare = BareClient(connection)
        timings, bare_median = interleaved(
            {
                "second": (command, env),
                "json": ([*command, "--json"], env),
                "pass": ([PYTHON, "-c", "pass"], env),
                "in-process": (command, {**env, "FWCHEAT_RESIDENT": "0"}),
                "engine": (command, {**env, "FWCHEAT_QUICK_RUN": "0"}),
            },
            bare,
            args.runs,
        )
        # The bare execute again, back to back: the lower of the two is the stricter floor.
        tight = statistics.median([bare.execute() for _ in range(args.runs)])
        bare.close()
        second, second_json, python_pass = timings["second"], timings["json"], timings["pass"]
        in_process, full_path = timings["in-process"], timings["engine"]
        still = json.loads((root / "run" / "pytorch-0.json").read_text())["pid"]
        if still != pid:
            sys.exit("the warm kernel was replaced between runs: the benchmark is void")
        served = json.loads((root / "run" / "resident.json").read_text())["served"]
        client = time_command([PYTHON, "-c", CLIENT, connection, CODE], runs=args.runs, env=env)
        fresh = time_command([*command, "--fresh"], runs=3, env=env)
        subprocess.run([*CLI, "kernels", "stop"], env=full_env, capture_output=True)

    interleaved_bare = bare_median
    bare_median = min(bare_median, tight)
    floor = bare_median + python_pass.wall
    print(
        f"fwcheat warm-kernel benchmark  (python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"median of {args.runs})"
    )
    print(f"snippet: {CODE.strip()!r} on one PyTorch kernel; the first five rows interleaved")
    print(f"the resident helper answered {served} commands (the FWCHEAT_RESIDENT=0 ones ran themselves)")
    print(f"{'measurement':58} {'wall':>9} {'cpu':>9}")
    rows = [
        ("fwcheat run, second (kernel warm, resident helper)", second.wall, second.cpu),
        ("fwcheat run --json, second (kernel warm, resident helper)", second_json.wall, second_json.cpu),
        ("the same, quick path in the command (FWCHEAT_RESIDENT=0)", in_process.wall, in_process.cpu),
        ("the same, engine path (FWCHEAT_QUICK_RUN=0)", full_path.wall, full_path.cpu),
        ("bare jupyter_client execute, in-process (connected), in turn", interleaved_bare, None),
        ("the same, back to back", tight, None),
        ("python -c pass", python_pass.wall, python_pass.cpu),
        ("minimal jupyter_client client process (import+connect+run)", client.wall, client.cpu),
        ("fwcheat run --fresh (private kernel, as before)", fresh.wall, fresh.cpu),
        ("fwcheat run, first (cold: starts the kernel)", cold, None),
    ]
    for name, wall, cpu in rows:
        cpu_text = "" if cpu is None else f"{cpu * 1000:7.1f}ms"
        print(f"{name:58} {wall * 1000:7.1f}ms {cpu_text:>9}")
    print()
    for name, timing in (("second run", second), ("second run --json", second_json)):
        ratio = timing.wall / floor
        print(
            f"{name}: {timing.wall * 1000:.0f} ms wall (target <= 150 ms: {verdict(timing.wall, 0.150)}); "
            f"/ (bare execute, the lower + python -c pass = {floor * 1000:.1f} ms) = {ratio:.2f}x "
            f"(target <= 1.5x: {verdict(ratio, 1.5)})"
        )
    print(
        f"second run / minimal jupyter_client client process = {second.wall / client.wall:.2f}x wall, "
        f"{second.cpu / client.cpu:.2f}x cpu"
    )
    print(
        f"second run / --fresh run = {second.wall / fresh.wall:.3f}x ({fresh.wall / second.wall:.0f}x faster)"
    )


if __name__ == "__main__":
    main()
