"""A scan report written out: for a terminal, as JSON, as a Markdown checklist, as SARIF.

Everything here is text from the user's files (paths, names, messages), so
what goes to a terminal passes through :func:`escape`: a file named with an
escape sequence must not repaint the screen. JSON keeps every string exact
(its own escaping is already safe).
"""

from __future__ import annotations

import json
import os
import re

from fwcheat import __version__
from fwcheat.frameworks import FRAMEWORK_LABELS
from fwcheat.sanitize import safe_line
from fwcheat.scan.report import Finding, ScanReport, Summary
from fwcheat.scan.sources import Unreadable


def escape(text: str) -> str:
    """``text`` with every control character shown as an escape (ESC -> ``\\x1b``), on one line.

    The one sanitiser every front end uses: :func:`fwcheat.sanitize.safe_line`.
    """
    return safe_line(text)


def _label(framework: str) -> str:
    return FRAMEWORK_LABELS.get(framework, framework)


def _where(path: str, finding: Finding) -> str:
    cell = f"cell {finding.cell}:" if finding.cell is not None else ""
    return f"{path}:{cell}{finding.line}:{finding.col}"


def _problem_where(problem: Unreadable) -> str:
    cell = f":cell {problem.cell}" if problem.cell is not None else ""
    line = f":{problem.line}" if problem.line else ""
    return f"{problem.path}{cell}{line}"


# -- terminal ---------------------------------------------------------------------------------


class _Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text


def to_text(report: ScanReport, *, color: bool = False, width: int = 100) -> str:
    """The linter-style report: findings grouped by file, then the summary."""
    style = _Style(color)
    out: list[str] = []
    target = _label(report.target)
    for file in report.files:
        if not file.findings:
            continue
        path = escape(file.path)
        mapped = sum(1 for f in file.findings if f.entry)
        out.append(style(f"{path}", "1") + style(f"  ({len(file.findings)} uses, {mapped} mapped)", "2"))
        for f in file.findings:
            where = style(_where(path, f), "2")
            api = style(escape(f.api), "1;33" if f.entry is None else "1")
            if f.entry is None:
                out.append(f"{where}  {api}  " + style("no entry yet", "2"))
                continue
            out.append(
                f"{where}  {api}  →  {target}: {escape(f.target or '?')}  " + style(f"[{f.entry}]", "36")
            )
            if f.note:
                note = escape(f.note)
                if len(note) > width - 6:
                    note = note[: width - 7] + "…"
                out.append("    " + style(note, "2"))
        out.append("")
    if report.problems:
        out.append(style("Not scanned", "1;31"))
        for problem in report.problems:
            out.append(f"{escape(_problem_where(problem))}: {escape(problem.message)}")
        out.append("")
    out.extend(_summary_text(report, report.summary(), style))
    return "\n".join(out) + "\n"


def _counted(count: int, noun: str) -> str:
    """``1 file``, ``2 files``: a count with its noun in the right number."""
    return f"{count} {noun if count == 1 else noun + 's'}"


def _summary_text(report: ScanReport, summary: Summary, style: _Style) -> list[str]:
    source, target = _label(report.source), _label(report.target)
    lines = [
        style("Summary", "1") + f": {_counted(summary.uses, 'use')} of {source} API "
        f"in {_counted(summary.files, 'file')} "
        f"({len(report.problems)} not scanned), {summary.distinct} distinct APIs, "
        f"{summary.share:.0%} mapped to {target} ({summary.mapped}/{summary.uses})"
    ]
    if summary.entries:
        lines.append("Entries to read, by how much of this code each covers:")
        for entry, count in summary.entries[:15]:
            lines.append(f"  {count:5d}  {entry}   (fwcheat show {entry})")
        if len(summary.entries) > 15:
            lines.append(f"  … and {len(summary.entries) - 15} more (--json lists them all)")
    if summary.unmapped:
        lines.append("Unmapped, most frequent first (the knowledge base has no entry for these yet):")
        for api, count in summary.unmapped[:15]:
            lines.append(f"  {count:5d}  {escape(api)}")
        if len(summary.unmapped) > 15:
            lines.append(f"  … and {len(summary.unmapped) - 15} more (--json lists them all)")
    return lines


# -- JSON -------------------------------------------------------------------------------------


def to_json(report: ScanReport) -> str:
    """The documented JSON shape (see docs/scan.md), with a few extra fields."""
    summary = report.summary()
    files = []
    for file in report.files:
        findings = []
        for f in file.findings:
            item: dict[str, object] = {
                "line": f.line,
                "col": f.col,
                "api": f.api,
                "entry": f.entry,
                "target": f.target,
                "note": f.note,
            }
            if f.cell is not None:
                item["cell"] = f.cell
            findings.append(item)
        files.append({"path": file.path, "findings": findings})
    data = {
        "files": files,
        "summary": {
            "uses": summary.uses,
            "mapped": summary.mapped,
            "distinct": summary.distinct,
            "unmapped": [{"api": api, "count": count} for api, count in summary.unmapped],
            "entries": [{"id": entry, "count": count} for entry, count in summary.entries],
            "from": report.source,
            "to": report.target,
        },
        "errors": [
            {"path": p.path, "line": p.line, "cell": p.cell, "message": p.message} for p in report.problems
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


# -- Markdown ---------------------------------------------------------------------------------


def _code(text: str) -> str:
    """``text`` as a Markdown code span, whatever backticks it holds."""
    text = escape(text)
    fence = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def to_markdown(report: ScanReport) -> str:
    """A porting checklist: one checkbox per use, grouped by file, then what to read."""
    summary = report.summary()
    source, target = _label(report.source), _label(report.target)
    out = [
        f"# Porting checklist: {source} → {target}",
        "",
        f"{_counted(summary.uses, 'use')} in {_counted(summary.files, 'file')}, "
        f"{summary.distinct} distinct APIs, "
        f"{summary.share:.0%} with an entry to read.",
        "",
    ]
    for file in report.files:
        if not file.findings:
            continue
        out += [f"## {_code(file.path)}", ""]
        for f in file.findings:
            where = f"cell {f.cell}, line {f.line}" if f.cell is not None else f"line {f.line}"
            if f.entry is None:
                out.append(f"- [ ] {where}: {_code(f.api)} (no entry yet)")
            else:
                note = f": {escape(f.note)}" if f.note else ""
                out.append(
                    f"- [ ] {where}: {_code(f.api)} → {_code(f.target or '?')} "
                    f"(`fwcheat show {f.entry}`){note}"
                )
        out.append("")
    if summary.entries:
        out += ["## Entries to read", ""]
        out += [f"- [ ] `{entry}` ({count} uses)" for entry, count in summary.entries]
        out.append("")
    if summary.unmapped:
        out += ["## No entry yet", ""]
        out += [f"- {_code(api)}: {count}" for api, count in summary.unmapped]
        out.append("")
    if report.problems:
        out += ["## Not scanned", ""]
        out += [f"- {_code(_problem_where(p))}: {escape(p.message)}" for p in report.problems]
        out.append("")
    return "\n".join(out)


# -- SARIF 2.1.0 ------------------------------------------------------------------------------

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _uri(path: str) -> str:
    """A relative path as a relative URI reference; an absolute one as a ``file://`` URI."""
    from urllib.parse import quote

    if os.path.isabs(path):
        from pathlib import Path

        return Path(path).as_uri()
    return quote(path.replace(os.sep, "/"), safe="/")


def to_sarif(report: ScanReport) -> str:
    """SARIF 2.1.0: one rule per entry (and one for unmapped uses), one result per use."""
    source, target = _label(report.source), _label(report.target)
    rules: dict[str, dict[str, object]] = {}
    results = []
    for file in report.files:
        for f in file.findings:
            rule_id = f.entry or "unmapped"
            if rule_id not in rules:
                rules[rule_id] = {
                    "id": rule_id,
                    "name": rule_id,
                    "shortDescription": {
                        "text": f"Read `fwcheat show {rule_id}`"
                        if f.entry
                        else f"{source} API with no fwcheat entry yet"
                    },
                    "help": {
                        "text": f"fwcheat show {rule_id}" if f.entry else "fwcheat search API-NAME",
                    },
                }
            cell = f"cell {f.cell}: " if f.cell is not None else ""
            if f.entry is None:
                text = f"{cell}{f.api}: no fwcheat entry yet"
            else:
                note = f" Trap: {f.note}" if f.note else ""
                text = f"{cell}{f.api} → {target}: {f.target}.{note} (fwcheat show {f.entry})"
            results.append(
                {
                    "ruleId": rule_id,
                    "ruleIndex": list(rules).index(rule_id),
                    "level": "warning" if f.entry else "note",
                    "message": {"text": text},
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": {"uri": _uri(file.path)},
                                "region": {"startLine": f.line, "startColumn": f.col},
                            }
                        }
                    ],
                    "properties": {"api": f.api, **({"cell": f.cell} if f.cell is not None else {})},
                }
            )
    notifications = [
        {
            "level": "error",
            "message": {"text": p.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(p.path)},
                        **({"region": {"startLine": p.line}} if p.line else {}),
                    }
                }
            ],
        }
        for p in report.problems
    ]
    run = {
        "tool": {
            "driver": {
                "name": "fwcheat",
                "version": __version__,
                "informationUri": "https://github.com/fwcheat/fwcheat",
                "rules": list(rules.values()),
            }
        },
        "invocations": [
            {"executionSuccessful": True, "toolExecutionNotifications": notifications},
        ],
        "results": results,
    }
    return json.dumps(
        {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, ensure_ascii=False, indent=2
    )
