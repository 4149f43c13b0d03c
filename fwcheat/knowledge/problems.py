"""Problems found in knowledge files, reported as ``file:line: message``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a knowledge file, and how to fix it."""

    path: Path
    #: 1-based line number, or 0 when the problem concerns the whole file.
    line: int
    message: str
    fix: str = ""
    #: "error" (the entry or file was skipped) or "warning" (loaded, but worth fixing).
    severity: str = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.severity}: {self.message}" + (f" (fix: {self.fix})" if self.fix else "")
