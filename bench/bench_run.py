"""Figures for the execution engine, all measured in one run.

1. Per-run overhead of fwcheat's execute path (``JupyterKernel.execute``) over
   a bare jupyter_client execute of the same code (target < 1.2x).
2. ``run --framework both`` wall time over the slower single framework
   (target < 1.3x: the two kernels really run in parallel).
3. Cold ``fwcheat run ID`` end to end (a new process starting both kernels).

Usage: ``.venv/bin/python bench/bench_run.py [--reps N] [--entry ID]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import queue
import statistics
import subprocess
import sys
import time
from typing import Any

os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")

from jupyter_client.manager import AsyncKernelManager

from fwcheat.kernels.jupyter import JupyterKernel
from fwcheat.kernels.session import KernelPool
from fwcheat.verify import select_entries

CODES = {
    "assignment": "x = 1",
    "print": "print('hello')",
    "loop 20k": "s = 0\nfor i in range(20_000):\n    s += i\nprint(s)",
}


async def bare_execute(kc: Any, code: str) -> float:
    """Execute like a minimal jupyter_client user: send, read until idle, read reply."""
    started = time.perf_counter()
    msg_id = kc.execute(code)
    while True:
        msg = await kc.get_iopub_msg(timeout=30)
        if (
            msg["parent_header"].get("msg_id") == msg_id
            and msg["header"]["msg_type"] == "status"
            and msg["content"]["execution_state"] == "idle"
        ):
            break
    while True:
        try:
            reply = await kc.get_shell_msg(timeout=30)
        except queue.Empty:
            break
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    return time.perf_counter() - started


async def overhead(reps: int) -> None:
    km = AsyncKernelManager(kernel_name="python3")
    await km.start_kernel()
    kc = km.client()
    kc.start_channels()
    await kc.wait_for_ready(timeout=60)
    ours = JupyterKernel("bench")
    await ours.start()
    try:
        print("1. execute path: fwcheat JupyterKernel.execute vs bare jupyter_client")
        print(f"   {'code':12} {'bare ms':>9} {'fwcheat ms':>11} {'ratio':>7}")
        for name, code in CODES.items():
            for _ in range(5):  # warm up both
                await bare_execute(kc, code)
                await ours.execute(code, timeout=30)
            bare: list[float] = []
            mine: list[float] = []
            for _ in range(reps):  # interleaved, so both see the same machine load
                bare.append(await bare_execute(kc, code))
                t0 = time.perf_counter()
                result = await ours.execute(code, timeout=30)
                mine.append(time.perf_counter() - t0)
                assert result.ok, result
            b, m = statistics.median(bare), statistics.median(mine)
            print(f"   {name:12} {b * 1e3:9.2f} {m * 1e3:11.2f} {m / b:6.2f}x")
    finally:
        kc.stop_channels()
        await km.shutdown_kernel(now=True)
        await ours.shutdown()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def parallel(entry_id: str, reps: int) -> None:
    selection = select_entries([entry_id])
    if selection.unknown:
        sys.exit(f"no entry {entry_id!r}")
    entry = selection.entries[0]
    async with KernelPool("cpu") as pool:
        await pool.start("pytorch", "mxnet")
        for _ in range(3):
            await pool.run_entry(entry, ["pytorch", "mxnet"])
        walls: dict[str, list[float]] = {"pytorch": [], "mxnet": [], "both": []}
        pids = [pid for k in pool.kernels.values() if (pid := k.pid) is not None]
        cpu0 = sum(cpu_seconds(p) for p in pids) + time.process_time()
        for _ in range(reps):
            for key, fws in (("pytorch", ["pytorch"]), ("mxnet", ["mxnet"]), ("both", ["pytorch", "mxnet"])):
                t0 = time.perf_counter()
                outcome = await pool.run_entry(entry, fws)
                walls[key].append(time.perf_counter() - t0)
                assert all(r.ok for r in outcome.results.values()), outcome
        med = {k: statistics.median(v) for k, v in walls.items()}
        cpu_per_both = (sum(cpu_seconds(p) for p in pids) + time.process_time() - cpu0) / (2 * reps)
        # A snippet whose time is its own work (a 0.3 s busy loop), not messaging.
        busy = "import time\nt = time.perf_counter()\nwhile time.perf_counter() - t < 0.3:\n    pass"
        busy_walls: dict[str, list[float]] = {"pytorch": [], "mxnet": [], "both": []}
        for _ in range(max(3, reps // 2)):
            for key, fws in (("pytorch", ["pytorch"]), ("mxnet", ["mxnet"]), ("both", ["pytorch", "mxnet"])):
                t0 = time.perf_counter()
                await asyncio.gather(*(pool.run(fw, busy) for fw in fws))
                busy_walls[key].append(time.perf_counter() - t0)
        busy_med = {k: statistics.median(v) for k, v in busy_walls.items()}
        prep: list[float] = []
        for _ in range(reps):
            t0 = time.perf_counter()
            await pool.run("pytorch", "pass")
            prep.append(time.perf_counter() - t0)
    slower = max(med["pytorch"], med["mxnet"])
    print(f"\n2. --framework both vs the slower single framework, median of {reps}")
    print(f"   entry {entry_id!r} (fresh namespace + setup + code + compare fetch):")
    print(f"   pytorch alone {med['pytorch'] * 1e3:.1f} ms, mxnet alone {med['mxnet'] * 1e3:.1f} ms")
    print(f"   both          {med['both'] * 1e3:.1f} ms  ->  {med['both'] / slower:.2f}x the slower one")
    print(
        f"   CPU (fwcheat + both kernels) per both-run: about {cpu_per_both * 1e3:.1f} ms "
        f"on {os.cpu_count()} CPUs -> at best {cpu_per_both / (os.cpu_count() or 1) * 1e3:.1f} ms "
        "of wall time if nothing else ran"
    )
    busy_slower = max(busy_med["pytorch"], busy_med["mxnet"])
    print("   0.3 s busy-loop snippet:")
    print(
        f"   pytorch alone {busy_med['pytorch'] * 1e3:.1f} ms, mxnet alone {busy_med['mxnet'] * 1e3:.1f} ms, "
        f"both {busy_med['both'] * 1e3:.1f} ms  ->  {busy_med['both'] / busy_slower:.2f}x the slower one"
    )
    print(f"   fresh namespace + device binding + empty run: {statistics.median(prep) * 1e3:.1f} ms")


def cold(entry_id: str, reps: int) -> None:
    walls = []
    for _ in range(reps):
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "fwcheat", "run", entry_id, "--json"],
            capture_output=True,
            check=False,
        )
        walls.append(time.perf_counter() - t0)
        if proc.returncode != 0:
            sys.exit(proc.stderr.decode())
    print(
        f"\n3. cold `fwcheat run {entry_id}` end to end: median {statistics.median(walls):.2f} s "
        f"(min {min(walls):.2f} s, {reps} runs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--entry", default="autograd-record")
    parser.add_argument("--cold-reps", type=int, default=3)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    asyncio.run(overhead(args.reps))
    asyncio.run(parallel(args.entry, max(5, args.reps // 3)))
    cold(args.entry, args.cold_reps)


if __name__ == "__main__":
    main()
