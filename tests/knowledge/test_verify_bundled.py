"""Every bundled knowledge entry runs, prints its recorded output and agrees.

This is `fwcheat verify` over the whole bundled knowledge base on CPU, through
the in-process engine: one PyTorch and one MXNet kernel, started together and
reused for every entry, each working through the list at its own pace. The
summary is printed even when everything passes, so it shows in the CI log.

Then the same kernels run every entry again, in reverse order: a warm kernel
(and the TUI, the REPL) runs entries again and after any other, so an entry
must not depend on running first, nor leave the kernel unfit for the next.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from fwcheat.kernels.session import KernelPool
from fwcheat.load import load_knowledge
from fwcheat.verify import FAIL, PASS, SKIP, EntryReport, verify_entries

pytestmark = [pytest.mark.kernels, pytest.mark.slow, pytest.mark.timeout(1800)]


def describe(report: EntryReport) -> str:
    lines = [f"{report.status.upper():4} {report.entry_id} ({report.duration:.2f}s)"]
    if report.skipped:
        lines[0] += f": {report.skipped}"
    lines += [f"     {problem}" for problem in report.problems]
    for check in report.checks.values():
        if check.diff:
            lines += ["       " + line for line in check.diff.splitlines()]
    return "\n".join(lines)


def test_every_bundled_entry_passes(capsys: pytest.CaptureFixture[str]) -> None:
    kb = load_knowledge(include_user=False, use_cache=False)
    assert not kb.problems, "\n".join(map(str, kb.problems))
    entries = list(kb.entries.values())
    assert entries

    again: list[EntryReport] = []
    wall_again = 0.0

    async def verify_all() -> list[EntryReport]:
        nonlocal again, wall_again
        async with KernelPool("cpu") as pool:
            infos = await pool.start("pytorch", "mxnet")
            errors = [info.error for info in infos.values() if info.error]
            assert not errors, errors
            first = await verify_entries(pool, entries, timeout=120)
            started_again = time.perf_counter()
            again = await verify_entries(pool, entries[::-1], timeout=120)
            wall_again = time.perf_counter() - started_again
            return first

    started = time.perf_counter()
    reports = asyncio.run(verify_all())
    wall = time.perf_counter() - started - wall_again
    counts = {s: sum(r.status == s for r in reports) for s in (PASS, FAIL, SKIP)}
    failed = [r for r in reports if r.status == FAIL]
    with capsys.disabled():
        print(
            f"\nfwcheat verify (bundled, cpu): {len(reports)} entries, {counts[PASS]} passed, "
            f"{counts[FAIL]} failed, {counts[SKIP]} skipped in {wall:.1f}s"
        )
        for report in reports:
            if report.status != PASS:
                print(describe(report))
        print(f"again on the same kernels, in reverse order: {wall_again:.1f}s")
    assert len(reports) == len(entries)
    assert not failed, "\n".join(describe(r) for r in failed)
    weak = [f"{r.entry_id}: {warning}" for r in reports for warning in r.warnings]
    assert not weak, "compare values that prove little:\n" + "\n".join(weak)
    failed_again = [r for r in again if r.status == FAIL]
    assert not failed_again, (
        "fail when run again in the same kernels, after every other entry:\n"
        + "\n".join(describe(r) for r in failed_again)
    )
