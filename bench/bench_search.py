"""How fast is `fwcheat search`? Ratios against baselines measured in the same run.

1. cold `fwcheat search autograd`, rendered to a 160-column terminal, against the
   Python tldr client (`tldr tar`) printing a page from its cache (target <= 0.8x);
2. the same against `python -c "import rich.console, rich.syntax"` (target <= 1.3x);
3. `fwcheat search autograd --json` against `python -c pass` (target <= 2.5x);
4. the same search over a generated 10,000-entry knowledge base against the
   bundled one (target <= 1.5x).

"Cold" means a new process each time, with the on-disk index (and the
pre-rendered cards beside it) already built, as they are after the first search
following an edit; that first search is timed separately and printed for information.
The benchmark also checks that the rendered answer is byte for byte what rich
draws (``FWCHEAT_RICH_OUTPUT=1`` forces rich).

The tldr baseline needs the optional `bench` extra (``pip install -e '.[bench]'``,
i.e. ``tldr==3.4.4``); without it that row is skipped with a message. The page is
written by this script into a private tldr cache (``$XDG_CACHE_HOME/tldr/pages/common/tar.md``,
fresh, so the client never goes to the network). Children run with bytecode
allowed (``PYTHONDONTWRITEBYTECODE`` unset), as an installed fwcheat and tldr run.

    python bench/bench_search.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import CLI, time_command, time_commands, verdict

PYTHON = sys.executable

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
#: A tldr page as the client caches it (written here, in tldr-pages' format).
TLDR_PAGE = """\
# tar

> Archiving utility.
> Often combined with a compression method, such as `gzip` or `bzip2`.
> More information: <https://www.gnu.org/software/tar>.

- [c]reate an archive and write it to a [f]ile:

`tar cf {{path/to/target.tar}} {{path/to/file1 path/to/file2 ...}}`

- [c]reate a g[z]ipped archive and write it to a [f]ile:

`tar czf {{path/to/target.tar.gz}} {{path/to/file1 path/to/file2 ...}}`

- [c]reate a g[z]ipped (compressed) archive from a directory using relative paths:

`tar czf {{path/to/target.tar.gz}} {{[-C|--directory]}} {{path/to/directory}} .`

- E[x]tract a (compressed) archive [f]ile into the current directory [v]erbosely:

`tar xvf {{path/to/source.tar[.gz|.bz2|.xz]}}`

- E[x]tract a (compressed) archive [f]ile into the target directory:

`tar xf {{path/to/source.tar[.gz|.bz2|.xz]}} {{[-C|--directory]}} {{path/to/directory}}`

- Lis[t] the contents of a tar [f]ile [v]erbosely:

`tar tvf {{path/to/source.tar}}`
"""
TOPICS = ("tensor", "autograd", "layer", "optimizer", "loss", "device", "shape", "data")


def generate(folder: Path, count: int, per_file: int = 500) -> None:
    for start in range(0, count, per_file):
        body = "".join(
            TEMPLATE.format(i=i, topic=TOPICS[i % len(TOPICS)], cat=i % 20)
            for i in range(start, min(count, start + per_file))
        )
        (folder / f"generated-{start // per_file:03d}.yaml").write_text("entries:\n" + body, encoding="utf-8")


def tldr_baseline(root: Path, env: dict[str, str | None]) -> tuple[list[str], dict[str, str | None]] | str:
    """The tldr command and environment that print the cached page, or why there is none."""
    client = Path(PYTHON).with_name("tldr")
    if not client.exists():
        return "the Python tldr client is not installed (pip install -e '.[bench]')"
    cache = root / "tldr-cache"
    page = cache / "tldr" / "pages" / "common" / "tar.md"
    page.parent.mkdir(parents=True)
    page.write_text(TLDR_PAGE, encoding="utf-8")
    tldr_env: dict[str, str | None] = {
        **env,
        # tldr 3.4.4 reads $XDG_CACHE_HOME/tldr/pages/<platform>/<page>.md and uses it while it is
        # younger than TLDR_CACHE_MAX_AGE hours; only a missing or old page sends it to the network.
        "XDG_CACHE_HOME": str(cache),
        "TLDR_CACHE_ENABLED": "1",
        "TLDR_CACHE_MAX_AGE": "720",
        "LANG": "C.UTF-8",
        "LANGUAGE": None,
        "TLDR_LANGUAGE": None,
        "TLDR_PLATFORM": None,
    }
    command = [str(client), "tar"]
    check = subprocess.run(
        command, capture_output=True, text=True, timeout=60, env=_environ(tldr_env), check=False
    )
    if check.returncode != 0 or "Archiving utility" not in check.stdout:
        return f"`tldr tar` did not print the cached page (exit {check.returncode}): {check.stderr[-200:]}"
    return command, tldr_env


def _environ(env: dict[str, str | None]) -> dict[str, str]:
    merged = {**os.environ, **env}
    return {key: value for key, value in merged.items() if value is not None}


def same_as_rich(env: dict[str, str | None]) -> bool:
    """Whether the fast answer is byte for byte the one rich draws."""
    command = [*CLI, "search", "autograd"]
    fast = subprocess.run(command, capture_output=True, env=_environ(env), timeout=60, check=False)
    slow_env = {**env, "FWCHEAT_RICH_OUTPUT": "1"}
    rich = subprocess.run(command, capture_output=True, env=_environ(slow_env), timeout=60, check=False)
    return fast.returncode == rich.returncode == 0 and fast.stdout == rich.stdout


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--entries", type=int, default=10_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        base_env: dict[str, str | None] = {
            "PYTHONDONTWRITEBYTECODE": None,
            "FWCHEAT_RICH_OUTPUT": None,
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

        # Build both indexes (and their cards) once; time that first search for information.
        bundled_build = time_command([*CLI, "search", "autograd"], runs=1, env=base_env).wall
        big_build = time_command([*CLI, "search", "autograd"], runs=1, env=big_env).wall
        identical = same_as_rich(base_env)
        tldr = tldr_baseline(root, base_env)
        commands: dict[str, tuple[Sequence[str], dict[str, str | None]]] = {
            "search": ([*CLI, "search", "autograd"], base_env),
            "json": ([*CLI, "search", "autograd", "--json"], base_env),
            "pass": ([PYTHON, "-c", "pass"], base_env),
            "rich": ([PYTHON, "-c", "import rich.console, rich.syntax"], base_env),
            "big": ([*CLI, "search", "autograd"], big_env),
            # For context: the standard-library modules any such CLI needs, and nothing else.
            "floor": ([PYTHON, "-c", "import re, argparse, sqlite3, json"], base_env),
        }
        if not isinstance(tldr, str):
            commands["tldr"] = (tldr[0], tldr[1])
        timings = time_commands(commands, runs=args.runs)
        search, search_json, search_big = timings["search"], timings["json"], timings["big"]
        baseline_pass, baseline_rich, floor = timings["pass"], timings["rich"], timings["floor"]
        baseline_tldr = timings.get("tldr")

    rows = []
    if baseline_tldr is not None:
        rows.append(
            (
                "search autograd (terminal, 160 cols)",
                search,
                "tldr tar (cached page)",
                baseline_tldr,
                0.8,
            )
        )
    rows += [
        (
            "search autograd (terminal, 160 cols)",
            search,
            "import rich.console, rich.syntax",
            baseline_rich,
            1.3,
        ),
        ("search autograd --json", search_json, "python -c pass", baseline_pass, 2.5),
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
        f"median of {args.runs}, the commands run in turn)"
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
    if isinstance(tldr, str):
        print(f"tldr baseline skipped: {tldr}")
    print(f"rendered answer identical to rich's: {'yes' if identical else 'NO'}")
    print(
        f"for context: `import re, argparse, sqlite3, json` alone takes {floor.wall * 1000:.1f} ms wall / "
        f"{floor.cpu * 1000:.1f} ms cpu = {floor.wall / baseline_pass.wall:.2f}x / "
        f"{floor.cpu / baseline_pass.cpu:.2f}x of `python -c pass`"
    )
    print(
        f"index and card rebuild (first search after an edit): bundled {bundled_build * 1000:.0f} ms, "
        f"with {args.entries:,} extra entries {big_build * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
