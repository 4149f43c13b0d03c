"""How fast is `fwcheat search`? Ratios against baselines measured in the same run.

1. cold `fwcheat search autograd`, rendered to a 160-column terminal, against
   `python -c "import rich.console, rich.syntax"` (target <= 1.3x);
2. `fwcheat search autograd --json` against `python -c pass` (target <= 3x);
3. the same search over a generated 10,000-entry knowledge base against the
   bundled one (target <= 1.5x).

"Cold" means a new process each time, with the on-disk index already built (as
it is after the first search following an edit); the rebuild itself is timed
separately and printed for information.

    python bench/bench_search.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import time_command, verdict

PYTHON = sys.executable
# The console script, as a user runs it (no `-m` / runpy overhead).
CLI = (
    [str(Path(PYTHON).with_name("fwcheat"))]
    if Path(PYTHON).with_name("fwcheat").exists()
    else [PYTHON, "-m", "fwcheat"]
)

TEMPLATE = """\
  - id: generated-{i}
    title: Generated idiom {i} about {topic}
    title_zh: 生成的条目 {i}
    category: generated-{cat}
    tags: [{topic}, generated]
    aliases: [{topic} {i}, op_{i}]
    summary: A generated entry number {i} about {topic} used to measure search over a large knowledge base.
    notes:
      - Generated note {i} mentions {topic} and gradient tensors.
    snippets:
      pytorch:
        code: |
          y{i} = torch.ones({i} % 7 + 1, device=device).op_{i}()
      mxnet:
        code: |
          y{i} = nd.ones({i} % 7 + 1, ctx=ctx).op_{i}()
"""
TOPICS = ("tensor", "autograd", "layer", "optimizer", "loss", "device", "shape", "data")


def generate(folder: Path, count: int, per_file: int = 500) -> None:
    for start in range(0, count, per_file):
        body = "".join(
            TEMPLATE.format(i=i, topic=TOPICS[i % len(TOPICS)], cat=i % 20)
            for i in range(start, min(count, start + per_file))
        )
        (folder / f"generated-{start // per_file:03d}.yaml").write_text("entries:\n" + body, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--entries", type=int, default=10_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        base_env = {
            "FWCHEAT_CACHE_DIR": str(root / "cache"),
            "XDG_CONFIG_HOME": str(root / "config"),
            "FORCE_COLOR": "1",
            "COLUMNS": "160",
            "LINES": "48",
        }
        big = root / "big"
        big.mkdir()
        generate(big, args.entries)
        big_env = {**base_env, "FWCHEAT_KNOWLEDGE_PATH": str(big)}

        # Build both indexes once; time the rebuilds for information.
        bundled_build = time_command([*CLI, "search", "autograd"], runs=1, env=base_env).wall
        big_build = time_command([*CLI, "search", "autograd"], runs=1, env=big_env).wall

        baseline_rich = time_command(
            [PYTHON, "-c", "import rich.console, rich.syntax"], runs=args.runs, env=base_env
        )
        search = time_command([*CLI, "search", "autograd"], runs=args.runs, env=base_env)
        baseline_pass = time_command([PYTHON, "-c", "pass"], runs=args.runs, env=base_env)
        search_json = time_command([*CLI, "search", "autograd", "--json"], runs=args.runs, env=base_env)
        search_big = time_command([*CLI, "search", "autograd"], runs=args.runs, env=big_env)
        # For context: the standard-library modules any such CLI needs, and nothing else.
        floor = time_command(
            [PYTHON, "-c", "import re, argparse, sqlite3, json"], runs=args.runs, env=base_env
        )

    rows = [
        (
            "search autograd (terminal, 160 cols)",
            search,
            "import rich.console, rich.syntax",
            baseline_rich,
            1.3,
        ),
        ("search autograd --json", search_json, "python -c pass", baseline_pass, 3.0),
        (
            f"search autograd, {args.entries:,} extra entries",
            search_big,
            "bundled knowledge base",
            search,
            1.5,
        ),
    ]
    print(
        f"fwcheat search benchmark  (python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"median of {args.runs})"
    )
    print("wall = elapsed time; cpu = user+system time of the process (steadier on a busy machine)")
    print(
        f"{'measurement':42} {'wall':>8} {'cpu':>8}  {'baseline':33} {'wall':>8} {'cpu':>8} "
        f"{'ratio wall':>10} {'ratio cpu':>9} {'target':>7}"
    )
    for name, value, base_name, base, target in rows:
        ratio_wall = value.wall / base.wall
        ratio_cpu = value.cpu / base.cpu
        print(
            f"{name:42} {value.wall * 1000:6.1f}ms {value.cpu * 1000:6.1f}ms  {base_name:33} "
            f"{base.wall * 1000:6.1f}ms {base.cpu * 1000:6.1f}ms {ratio_wall:10.2f} {ratio_cpu:9.2f} "
            f"{'<=' + str(target):>7}  {verdict(min(ratio_wall, ratio_cpu), target)}"
        )
    print(
        f"for context: `import re, argparse, sqlite3, json` alone takes {floor.wall * 1000:.1f} ms wall / "
        f"{floor.cpu * 1000:.1f} ms cpu = {floor.wall / baseline_pass.wall:.2f}x / "
        f"{floor.cpu / baseline_pass.cpu:.2f}x of `python -c pass`"
    )
    print(
        f"index rebuild (first search after an edit): bundled {bundled_build * 1000:.0f} ms, "
        f"with {args.entries:,} extra entries {big_build * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
