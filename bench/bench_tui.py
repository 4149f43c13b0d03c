"""Figures for the TUI, all measured in one run.

1. Time to the first interactive frame of the app (a fresh process, kernels
   started after that frame) against ``python -c "import textual.app"``
   measured in the same run (target 1.5x or less). The child fails if any
   framework (torch, mxnet, tensorflow, keras) was imported before that frame.
2. Keystroke to updated results list, typing queries letter by letter, with
   the bundled knowledge base (target < 16 ms) and with a generated
   10,000-entry one.
3. Pressing run to the output shown, on a warm PyTorch kernel.

Usage: ``.venv/bin/python bench/bench_tui.py [--runs N] [--skip-kernels] [--skip-10k]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import verdict

QUERIES = ["autograd record", "自动求导", "attach_grad", "nd.concat", "conv2d", "learning rate", "softmax"]

# The child records the wall clock at the first frame (textual's Ready event) and
# at import, relative to FWCHEAT_BENCH_SPAWN set by the parent just before spawning.
FIRST_FRAME_CHILD = """
import os, sys, time
spawn = float(os.environ["FWCHEAT_BENCH_SPAWN"])
import fwcheat.cli
fwcheat.cli.parse_arguments([])  # what plain `fwcheat` does before it reaches the tui command
from fwcheat.tui.app import FwcheatApp

class FirstFrame(FwcheatApp):
    def on_ready(self) -> None:
        import resource
        usage = resource.getrusage(resource.RUSAGE_SELF)
        from fwcheat.frameworks import TABLE
        heavy = sorted({m.split(".")[0] for m in sys.modules} & {row.module for row in TABLE})
        if heavy:  # no framework (TensorFlow above all) may be imported before the first frame
            sys.stderr.write(f"imported before the first frame: {heavy}\\n")
            os._exit(3)
        print(f"{time.time() - spawn:.6f} {usage.ru_utime + usage.ru_stime:.6f}", flush=True)
        # Textual calls FwcheatApp.on_ready next (it dispatches to every class that defines a
        # handler): that opens the index and starts the kernels' worker, as in real use.

    def on_pair_view_mounted(self, message) -> None:
        self.exit()  # the rest of the screen is there too: done

FirstFrame(start_kernels=True).run(headless=True, size=(160, 48))
os._exit(0)  # do not wait for the kernel engine's import thread
"""

IMPORT_CHILD = """
import os, time
spawn = float(os.environ["FWCHEAT_BENCH_SPAWN"])
import textual.app
import resource
usage = resource.getrusage(resource.RUSAGE_SELF)
print(f"{time.time() - spawn:.6f} {usage.ru_utime + usage.ru_stime:.6f}", flush=True)
"""


def _spawn_time(code: str, env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds from spawning ``code`` to the point it reports."""
    env = {**env, "FWCHEAT_BENCH_SPAWN": repr(time.time())}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{done.stderr[-3000:]}")
    wall, cpu = done.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


def first_frame(runs: int, env: dict[str, str], pycache: Path) -> None:
    # Bytecode is cached for both children, as for an installed package: with
    # PYTHONDONTWRITEBYTECODE set (or a checkout whose __pycache__ is stale) fwcheat's
    # own modules would otherwise be compiled on every start while textual's are not.
    env = {**env, "PYTHONPYCACHEPREFIX": str(pycache)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # Warm the index cache, the bytecode cache and the OS file cache first, as on any second start.
    _spawn_time(FIRST_FRAME_CHILD, env)
    _spawn_time(IMPORT_CHILD, env)
    baseline: list[tuple[float, float]] = []
    app: list[tuple[float, float]] = []
    for _ in range(runs):  # interleaved, so load on the machine hits both alike
        baseline.append(_spawn_time(IMPORT_CHILD, env))
        app.append(_spawn_time(FIRST_FRAME_CHILD, env))
    print(f"1. time to first interactive frame (median of {runs})")
    for index, kind in ((0, "wall"), (1, "CPU ")):
        base = statistics.median(t[index] for t in baseline)
        ours = statistics.median(t[index] for t in app)
        print(
            f"   {kind}: python -c 'import textual.app' {base * 1000:5.0f} ms, "
            f"fwcheat TUI first frame {ours * 1000:5.0f} ms: {ours / base:.2f}x "
            f"(target <= 1.5x: {verdict(ours / base, 1.5)})"
        )


async def keystrokes(label: str, target_ms: float | None) -> None:
    from fwcheat.tui.app import FwcheatApp
    from fwcheat.tui.messages import ResultsFound
    from fwcheat.tui.widgets.results import ResultsList
    from fwcheat.tui.widgets.search_box import SearchBox

    search_ms: list[float] = []
    updated = asyncio.Event()

    class Timed(FwcheatApp):
        def _show_results(self, message: ResultsFound) -> None:
            search_ms.append(message.seconds * 1000)
            super()._show_results(message)
            if message.query == self.query_one(SearchBox).value:
                updated.set()

    app = Timed(start_kernels=False)
    latencies: list[float] = []
    async with app.run_test(size=(160, 48)) as pilot:
        results = app.query_one(ResultsList)
        box = app.query_one(SearchBox)
        while app.catalog is None or results.query_shown is None:
            await pilot.pause(0.05)
        count = app.catalog.count()
        for query in QUERIES:
            box.value = ""
            while results.query_shown != "":
                await pilot.pause(0.01)
            await pilot.pause(0.2)
            for char in query:
                # What Input does with a printable key; then wait for the list to hold the
                # results of the new text (the repaint follows on the next frame).
                updated.clear()
                started = time.perf_counter()
                box.insert_text_at_cursor(char)
                await asyncio.wait_for(updated.wait(), timeout=10)
                latencies.append((time.perf_counter() - started) * 1000)
                assert results.query_shown == box.value
                await pilot.pause(0.03)  # a fast typist: ~30 keys a second
    latencies.sort()
    median = statistics.median(latencies)
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    search = statistics.median(search_ms) if search_ms else float("nan")
    print(f"   {label}: {count} entries, {len(latencies)} keystrokes")
    worst = latencies[-1]
    print(f"     keystroke -> list updated: median {median:.1f} ms, p95 {p95:.1f} ms, max {worst:.1f} ms")
    print(f"     (of which the search itself: median {search:.1f} ms)")
    if target_ms is not None:
        print(f"     target median < {target_ms:g} ms: {verdict(median / target_ms, 1.0)}")


def generate_knowledge(folder: Path, count: int) -> None:
    """``count`` synthetic but varied entries (no data downloaded)."""
    import random

    rng = random.Random(0)
    ops = ["reshape", "concat", "stack", "split", "gather", "scatter", "norm", "pool", "conv", "pad", "clip"]
    nouns = ["tensor", "array", "gradient", "batch", "layer", "weight", "loss", "optimizer", "kernel", "mask"]
    zh = ["张量", "数组", "梯度", "批量", "层", "权重", "损失", "优化器", "卷积核", "掩码", "拼接", "求和"]
    lines = ["entries:"]
    for i in range(count):
        op, noun, other = rng.choice(ops), rng.choice(nouns), rng.choice(nouns)
        word = f"{op}{i % 97}"
        lines += [
            f"  - id: gen-{i}-{op}-{noun}",
            f"    title: {op.title()} the {noun} by {other} ({word})",
            f"    title_zh: {rng.choice(zh)}{rng.choice(zh)}{i}",
            f"    category: generated-{i % 13}",
            f"    tags: [{op}, {noun}, {word}]",
            f"    aliases: [{op} {noun}, {noun}.{op}{i}]",
            f"    summary: Generated entry {i} about {op} on a {noun} with {other}.",
            "    snippets:",
            "      pytorch:",
            f"        code: 'y = torch.{op}(x, dim={i % 3})'",
            "      mxnet:",
            f"        code: 'y = nd.{op}(x, axis={i % 3})'",
        ]
    (folder / "generated.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


async def warm_run(runs: int) -> None:
    from fwcheat.tui.app import FwcheatApp

    app = FwcheatApp()
    async with app.run_test(size=(160, 48)) as pilot:
        while (
            not app.is_mounted_screen()
            or app.pair.entry is None
            or app.bridge.states["pytorch"].state != "idle"
        ):
            await pilot.pause(0.1)
        pane = app.pair.side("pytorch")
        pane.editor.load_text("x = sum(range(10))\nprint('result', x)\n")
        pane.editor.focus()
        timings: list[float] = []
        for i in range(runs + 1):
            await pilot.pause(0.2)
            pane.output.reset()
            started = time.perf_counter()
            app.action_run()  # what ctrl+r does
            while "result 45" not in "\n".join(pane.output.lines):
                await asyncio.sleep(0.001)
            if i:  # the first run warms the path
                timings.append((time.perf_counter() - started) * 1000)
            while app.bridge.states["pytorch"].state == "busy":
                await asyncio.sleep(0.005)
        await app.bridge.shutdown()
    print(f"3. press run -> output shown, warm PyTorch kernel (median of {runs})")
    median, low, high = statistics.median(timings), min(timings), max(timings)
    print(f"   median {median:.0f} ms, min {low:.0f} ms, max {high:.0f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--skip-kernels", action="store_true")
    parser.add_argument("--skip-10k", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fwcheat-bench-tui-") as tmp:
        base = Path(tmp)
        os.environ["FWCHEAT_CACHE_DIR"] = str(base / "cache")
        os.environ["XDG_CONFIG_HOME"] = str(base / "config")  # no user entries
        os.environ.pop("FWCHEAT_KNOWLEDGE_PATH", None)
        first_frame(args.runs, dict(os.environ), base / "pycache")
        print("2. keystroke -> updated results (in-process pilot)")
        asyncio.run(keystrokes("bundled knowledge base", 16))
        if not args.skip_10k:
            folder = base / "k10k"
            folder.mkdir()
            generate_knowledge(folder, 10_000)
            os.environ["FWCHEAT_KNOWLEDGE_PATH"] = str(folder)
            started = time.perf_counter()
            from fwcheat.store import open_store

            open_store().close()
            print(f"   (10,000-entry index built once in {time.perf_counter() - started:.1f} s)")
            asyncio.run(keystrokes("bundled + 10,000 generated entries", None))
            os.environ.pop("FWCHEAT_KNOWLEDGE_PATH")
        if not args.skip_kernels:
            asyncio.run(warm_run(args.runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
