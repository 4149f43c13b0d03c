"""A scan's result: each use found, what it maps to, and the summary a porter plans with.

Pure data and counting, shared by every output format (terminal, JSON,
Markdown, SARIF) and by the REPL's ``:scan``.
"""

from __future__ import annotations

import ast
import gc
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from fwcheat.apimap import ApiMap, Mapping
from fwcheat.scan.sources import DEFAULT_MAX_BYTES, Source, Unreadable, read, walk
from fwcheat.scan.uses import Names, display_name, find_uses, to_characters


class Finding(NamedTuple):
    """One use of the source framework's API; ``entry`` is None when the knowledge has none."""

    line: int  # 1-based (within the cell for a notebook)
    col: int  # 1-based, in characters
    api: str  # as people write it: mx.gluon.nn.Dense
    entry: str | None
    target: str | None
    note: str | None
    cell: int | None = None


@dataclass
class FileReport:
    path: str
    findings: list[Finding] = field(default_factory=list)


@dataclass
class ScanReport:
    source: str
    target: str
    files: list[FileReport] = field(default_factory=list)
    problems: list[Unreadable] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        return [f for report in self.files for f in report.findings]

    def summary(self) -> Summary:
        findings = self.findings
        apis = Counter(f.api for f in findings)
        unmapped = Counter(f.api for f in findings if f.entry is None)
        entries = Counter(f.entry for f in findings if f.entry is not None)
        return Summary(
            uses=len(findings),
            mapped=sum(1 for f in findings if f.entry is not None),
            distinct=len(apis),
            unmapped=sorted(unmapped.items(), key=lambda kv: (-kv[1], kv[0])),
            entries=sorted(entries.items(), key=lambda kv: (-kv[1], kv[0])),
            files=len(self.files),
        )


@dataclass(frozen=True)
class Summary:
    uses: int
    mapped: int
    distinct: int
    #: (api, uses) with no entry, most frequent first.
    unmapped: list[tuple[str, int]]
    #: (entry id, uses it covers), most first: the reading order.
    entries: list[tuple[str, int]]
    files: int

    @property
    def share(self) -> float:
        return self.mapped / self.uses if self.uses else 1.0


class Scanner:
    """Scans code for ``source``'s API and maps each use with one :class:`ApiMap`."""

    def __init__(self, api_map: ApiMap, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.api_map = api_map
        self.source = api_map.source
        self.max_bytes = max_bytes
        self._mapped: dict[str, tuple[str, Mapping | None]] = {}

    def _lookup(self, api: str) -> tuple[str, Mapping | None]:
        found = self._mapped.get(api)
        if found is None:
            found = self._mapped[api] = (display_name(api, self.source), self.api_map.get(api))
        return found

    def scan_code(
        self, code: str, path: str, cell: int | None = None, names: Names | None = None
    ) -> list[Finding] | Unreadable:
        """The findings in ``code``, or the syntax error that stopped it."""
        try:
            tree = ast.parse(code, filename=path)
        except SyntaxError as exc:
            where = f" at line {exc.lineno}" if exc.lineno else ""
            return Unreadable(path, f"syntax error{where}: {exc.msg}; not scanned", exc.lineno, cell)
        except (ValueError, RecursionError, MemoryError) as exc:
            return Unreadable(path, f"cannot parse it ({type(exc).__name__}: {exc}); not scanned", None, cell)
        findings = []
        for use in to_characters(find_uses(tree, self.source, names), code):
            name, mapping = self._lookup(use.api)
            if mapping is None:
                findings.append(Finding(use.line, use.col + 1, name, None, None, None, cell))
            else:
                findings.append(
                    Finding(use.line, use.col + 1, name, mapping.entry, mapping.target, mapping.note, cell)
                )
        return findings

    def scan_source(self, source: Source) -> tuple[FileReport, list[Unreadable]]:
        report = FileReport(source.path)
        problems = list(source.problems)
        names = Names()
        for cell, code in source.cells:
            found = self.scan_code(code, source.path, cell, names)
            if isinstance(found, Unreadable):
                problems.append(found)
            else:
                report.findings.extend(found)
        return report, problems

    def scan_paths(self, paths: list[str], excludes: list[str] | None = None) -> ScanReport:
        """Scan files and folders; raises :class:`~fwcheat.scan.sources.UsageError` for a missing path."""
        result = ScanReport(self.source, self.api_map.target)
        # Syntax trees hold no reference cycles, yet building them triggers the cycle collector
        # over and over (a third of the scan time): it is paused while files are read.
        paused = gc.isenabled()
        gc.disable()
        try:
            self._scan_into(result, paths, excludes or [])
        finally:
            if paused:
                gc.enable()
        return result

    def _scan_into(self, result: ScanReport, paths: list[str], excludes: list[str]) -> None:
        for item in walk(paths, excludes):
            if isinstance(item, Unreadable):
                result.problems.append(item)
                continue
            source = read(item, self.max_bytes)
            if isinstance(source, Unreadable):
                result.problems.append(source)
                continue
            report, problems = self.scan_source(source)
            result.files.append(report)
            result.problems.extend(problems)
