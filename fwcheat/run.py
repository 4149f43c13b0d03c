"""What running one entry gives: each framework's result and its verdict.

:meth:`fwcheat.kernels.session.KernelPool.run_entry` produces it; `fwcheat run`,
the TUI and the REPL render it. Plain data, no kernels here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fwcheat.compare import Verdict, overall
from fwcheat.kernels.base import ExecutionResult


@dataclass
class EntryRun:
    """Each framework's result, and each one's verdict against the reference framework."""

    results: dict[str, ExecutionResult]
    #: framework -> its ``compare`` value against the reference framework's.
    verdicts: dict[str, Verdict] = field(default_factory=dict)

    @property
    def verdict(self) -> Verdict | None:
        """The one verdict to show in a line: the first disagreement, else an agreement."""
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
