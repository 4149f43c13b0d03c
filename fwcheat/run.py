"""Running one entry: its snippets side by side, then the comparison verdict.

The shared step behind `fwcheat run` and the TUI's run action; returns data.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from fwcheat.compare import Fetched, Verdict, compare_entry, overall
from fwcheat.kernels.base import ExecutionResult, OutputCallback
from fwcheat.kernels.session import DEFAULT_TIMEOUT, KernelPool
from fwcheat.knowledge.model import Entry


@dataclass
class EntryRun:
    """Each framework's result, and the verdict on the ``compare`` variable."""

    results: dict[str, ExecutionResult]
    #: framework -> its value against the reference framework's.
    verdicts: dict[str, Verdict] = field(default_factory=dict)

    @property
    def verdict(self) -> Verdict | None:
        return overall(self.verdicts)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results.values()) and all(v.ok for v in self.verdicts.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "results": {fw: r.to_dict() for fw, r in self.results.items()},
            "compare": None if self.verdict is None else self.verdict.to_dict(),
            "verdicts": {fw: v.to_dict() for fw, v in self.verdicts.items()},
        }


async def run_entry(
    pool: KernelPool,
    entry: Entry,
    frameworks: Sequence[str],
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
    on_output: dict[str, OutputCallback] | None = None,
) -> EntryRun:
    """Run ``entry``'s snippets for ``frameworks`` concurrently; compare when both ran."""

    async def one(fw: str) -> tuple[ExecutionResult, Fetched | None]:
        snippet = entry.snippets.get(fw)
        assert snippet is not None, f"{entry.id} has no {fw} snippet"
        callback = (on_output or {}).get(fw)
        result = await pool.run(
            fw, snippet.code, setup=snippet.setup, timeout=timeout, on_output=callback, fetch=entry.compare
        )
        return result, pool.fetched(result)

    done = await asyncio.gather(*(one(fw) for fw in frameworks))
    results = {fw: r for fw, (r, _) in zip(frameworks, done, strict=True)}
    fetched = {fw: f for fw, (_, f) in zip(frameworks, done, strict=True)}
    return EntryRun(results, compare_entry(entry, fetched))
