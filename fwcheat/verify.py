"""Check that knowledge entries really do what they say, in real kernels.

For each entry, every snippet of every framework it has is run (the
frameworks at the same time, each in a fresh namespace), its printed output
is compared with the recorded ``output`` after :func:`fwcheat.outputs.normalise`,
and the entry's ``compare`` variable, fetched inside each run request, is
checked against the reference framework's with
:func:`fwcheat.compare.compare_entry`. Usable without the CLI: the results are
dataclasses, the CLI only renders them.

The kernels work through the entry list independently, so a run takes about
as long as the slowest framework alone.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fwcheat.compare import Fetched, Verdict, compare_entry, overall, weak_value
from fwcheat.frameworks import RUNNABLE_FRAMEWORKS, label
from fwcheat.kernels.base import ExecutionResult, Status
from fwcheat.kernels.session import DEFAULT_TIMEOUT, KernelPool, runnable
from fwcheat.knowledge.model import Entry
from fwcheat.outputs import output_diff, outputs_match
from fwcheat.requires import missing_requirements

PASS, FAIL, SKIP = "pass", "fail", "skip"


@dataclass
class SnippetCheck:
    """One framework's snippet of one entry, run and checked."""

    framework: str
    result: ExecutionResult
    expected: str | None
    passed: bool
    problem: str = ""  # why it failed, one line
    diff: str = ""  # recorded vs actual output, when they differ

    def to_dict(self) -> dict[str, Any]:
        return {
            "framework": self.framework,
            "passed": self.passed,
            "problem": self.problem,
            "diff": self.diff,
            "result": self.result.to_dict(),
        }


@dataclass
class EntryReport:
    """The outcome for one entry."""

    entry_id: str
    checks: dict[str, SnippetCheck] = field(default_factory=dict)
    #: framework -> its value against the reference framework's.
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    #: Doubts that do not fail the entry (a `compare` value that proves little).
    warnings: list[str] = field(default_factory=list)
    skipped: str = ""
    duration: float = 0.0

    @property
    def verdict(self) -> Verdict | None:
        """The one verdict to show: the first disagreement, else an agreement."""
        return overall(self.verdicts)

    @property
    def status(self) -> str:
        if self.skipped:
            return SKIP
        if any(not c.passed for c in self.checks.values()):
            return FAIL
        if any(not v.ok for v in self.verdicts.values()):
            return FAIL
        return PASS

    @property
    def problems(self) -> list[str]:
        found = [f"{label(fw)}: {c.problem}" for fw, c in self.checks.items() if not c.passed]
        found += [f"compare: {v.message}" for v in self.verdicts.values() if not v.ok]
        return found

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.entry_id,
            "status": self.status,
            "skipped": self.skipped,
            "problems": self.problems,
            "duration": round(self.duration, 3),
            "snippets": {fw: c.to_dict() for fw, c in self.checks.items()},
            "compare": None if self.verdict is None else self.verdict.to_dict(),
            "verdicts": {fw: v.to_dict() for fw, v in self.verdicts.items()},
            "warnings": self.warnings,
        }


def check_snippet(framework: str, result: ExecutionResult, expected: str | None) -> SnippetCheck:
    """Judge one run against the recorded output (if any)."""
    if result.status is not Status.OK:
        what = result.reason or result.status.value
        if result.error is not None and result.status is Status.ERROR:
            what = str(result.error)
        elif result.error is not None:
            what = f"{result.status.value}: {what}"
        return SnippetCheck(framework, result, expected, False, what)
    if result.truncated:
        return SnippetCheck(framework, result, expected, False, "output was cut (over 1 MB)")
    if expected is not None and not outputs_match(expected, result.output):
        diff = output_diff(expected, result.output)
        return SnippetCheck(framework, result, expected, False, "output differs", diff)
    return SnippetCheck(framework, result, expected, True)


def skip_reason(entry: Entry, pool: KernelPool) -> str:
    """Why the entry cannot run here ('' when it can)."""
    if entry.gpus <= 0:
        return ""
    if pool.device.kind == "cpu":
        return f"needs {entry.gpus} GPU{'s' if entry.gpus > 1 else ''}; --device is cpu"
    for fw in runnable(entry):
        info = pool.info.get(fw)
        seen = info.gpus if info is not None else 0
        if seen < entry.gpus:
            return f"needs {entry.gpus} GPU{'s' if entry.gpus > 1 else ''}; {label(fw)} sees {seen}"
    return ""


def usable_cores() -> int:
    """CPU cores this process may run on."""
    import os

    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def lanes_for(entries: Sequence[Entry], cores: int | None = None) -> int:
    """How many kernels of each framework keep ``cores`` busy on ``entries``.

    One kernel per framework already runs the frameworks side by side; more
    are worth their start only when the cores outnumber the frameworks and
    each kernel still gets a fair share of entries (about 20).
    """
    needed = {fw for e in entries for fw in runnable(e)}
    if not needed:
        return 1
    cores = cores or usable_cores()
    by_cores = max(1, cores // len(needed))
    by_work = max(1, len(entries) // 20)
    return max(1, min(by_cores, by_work, 8))


async def verify_entries(
    pool: KernelPool | Sequence[KernelPool],
    entries: Sequence[Entry],
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
    on_report: Callable[[EntryReport], None] | None = None,
) -> list[EntryReport]:
    """Run and check ``entries``; reports come in entry order.

    With several pools (see :func:`lanes_for`), each framework's snippets are
    spread over that framework's kernel in every pool: a kernel takes the next
    entry as soon as it is free, so a slow framework gets every lane's help
    and the cores stay busy.
    """
    pools = [pool] if isinstance(pool, KernelPool) else list(pool)
    first = pools[0]
    needed = sorted({fw for e in entries for fw in runnable(e)}, key=RUNNABLE_FRAMEWORKS.index)
    await asyncio.gather(*(p.start(*needed) for p in pools))
    loop = asyncio.get_running_loop()
    sides: dict[tuple[str, str], asyncio.Future[tuple[ExecutionResult, Fetched | None]]] = {
        (e.id, fw): loop.create_future() for e in entries for fw in runnable(e)
    }
    missing = await missing_requirements(first, entries)  # `requires:` a kernel lacks
    skips = {e.id: skip_reason(e, first) or missing.get(e.id, "") for e in entries}
    queues = {fw: iter([e for e in entries if (e.id, fw) in sides and not skips[e.id]]) for fw in needed}

    async def worker(lane: KernelPool, framework: str) -> None:
        for entry in queues[framework]:  # shared by the framework's lanes: each entry once
            future = sides[(entry.id, framework)]
            try:
                future.set_result(await lane.run_snippet(entry, framework, timeout=timeout))
            except Exception as exc:  # a bug or lost kernel must not hang the others
                future.set_exception(exc)

    workers = [asyncio.ensure_future(worker(p, fw)) for fw in needed for p in pools]
    reports: list[EntryReport] = []
    try:
        for entry in entries:
            started = time.perf_counter()
            report = EntryReport(entry.id, skipped=skips[entry.id])
            if not report.skipped:
                fetched: dict[str, Fetched | None] = {}
                for fw in runnable(entry):
                    snippet = entry.snippets.get(fw)
                    assert snippet is not None
                    result, fetched[fw] = await sides[(entry.id, fw)]
                    report.checks[fw] = check_snippet(fw, result, snippet.output)
                report.verdicts = compare_entry(entry, fetched)
                report.warnings = _weak_values(entry, fetched)
            report.duration = time.perf_counter() - started
            reports.append(report)
            if on_report is not None:
                on_report(report)
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
    return reports


def _weak_values(entry: Entry, fetched: dict[str, Fetched | None]) -> list[str]:
    if not entry.compare:
        return []
    found = (
        weak_value(entry.compare, value, label(fw)) for fw, value in fetched.items() if value is not None
    )
    return [w for w in found if w]


# -- choosing entries and recording outputs --------------------------------


@dataclass
class Selection:
    """The entries to verify, and where each was read from."""

    entries: list[Entry]
    locations: dict[str, Path]
    unknown: list[str]


def select_entries(ids: Iterable[str] = ()) -> Selection:
    """The named entries (all when none are named) from the knowledge base."""
    entries, locations = _load()
    wanted = list(ids)
    if not wanted:
        return Selection(list(entries.values()), locations, [])
    unknown = [i for i in wanted if i not in entries]
    chosen = [entries[i] for i in dict.fromkeys(wanted) if i in entries]
    return Selection(chosen, locations, unknown)


def _load() -> tuple[dict[str, Entry], dict[str, Path]]:
    from fwcheat.load import load_knowledge

    # Straight from the YAML files, not the search index: verify is about the
    # files as they are now (--update rewrites them), and needs their paths.
    kb = load_knowledge(use_cache=False)
    locations = {i: loc.path for i, loc in getattr(kb, "locations", {}).items()}
    return dict(kb.entries), locations


def outputs_to_record(reports: Iterable[EntryReport]) -> dict[str, dict[str, str]]:
    """entry id -> framework -> output, for snippets that ran cleanly but differ."""
    found: dict[str, dict[str, str]] = {}
    for report in reports:
        for fw, check in report.checks.items():
            result = check.result
            if result.status is not Status.OK or result.truncated:
                continue
            if check.expected is not None and outputs_match(check.expected, result.output):
                continue
            found.setdefault(report.entry_id, {})[fw] = result.output
    return found


def record_outputs(
    outputs: dict[str, dict[str, str]], locations: dict[str, Path]
) -> tuple[list[Path], list[str]]:
    """Write ``outputs`` into the entries' files: (files changed, problems)."""
    from fwcheat.record import RecordError, update_file

    by_file: dict[Path, dict[tuple[str, str], str]] = {}
    problems: list[str] = []
    for entry_id, per_fw in outputs.items():
        path = locations.get(entry_id)
        if path is None:
            problems.append(f"{entry_id}: cannot tell which file defines it")
            continue
        for fw, text in per_fw.items():
            by_file.setdefault(path, {})[(entry_id, fw)] = text
    changed: list[Path] = []
    for path, updates in by_file.items():
        try:
            if update_file(path, updates):
                changed.append(path)
        except (RecordError, OSError) as exc:
            problems.append(str(exc))
    return changed, problems
