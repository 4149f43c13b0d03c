"""The report of a port: which lines a rule translated, which are flagged for review, per rule and API.

Three renderings: text for a terminal (every piece of the user's file escaped), JSON and Markdown.
Pure: imports neither libcst nor a framework, so it can be tested and reused cheaply.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from fwcheat.frameworks import DEFAULT_PAIR, label
from fwcheat.scan.formats import escape

TYPE_CHECKING = False
if TYPE_CHECKING:
    from fwcheat.port.rewrite import Edit


@dataclass
class PortReport:
    source: str
    output: str | None
    source_lines: int
    edits: list[Edit] = field(default_factory=list)
    error: str = ""

    @property
    def flagged_lines(self) -> list[int]:
        return sorted({e.line for e in self.edits if e.flagged})

    @property
    def translated_lines(self) -> list[int]:
        flagged = set(self.flagged_lines)
        return sorted({e.line for e in self.edits if e.line not in flagged})

    @property
    def changed(self) -> bool:
        return bool(self.edits)

    def per_rule(self) -> dict[str, dict[str, int]]:
        table: dict[str, dict[str, int]] = {}
        for e in self.edits:
            row = table.setdefault(e.rule, {"translated": 0, "flagged": 0})
            row["flagged" if e.flagged else "translated"] += 1
        return dict(sorted(table.items()))

    def per_api(self) -> dict[str, dict[str, Any]]:
        table: dict[str, dict[str, Any]] = {}
        for e in self.edits:
            row = table.setdefault(e.api, {"translated": 0, "flagged": 0, "entry": e.entry})
            row["flagged" if e.flagged else "translated"] += 1
            row["entry"] = row["entry"] or e.entry
        return dict(sorted(table.items(), key=lambda kv: (-kv[1]["translated"] - kv[1]["flagged"], kv[0])))

    def summary(self) -> dict[str, Any]:
        touched = len(set(self.flagged_lines) | set(self.translated_lines))
        return {
            "source_lines": self.source_lines,
            "lines_changed": touched,
            "lines_translated": len(self.translated_lines),
            "lines_flagged": len(self.flagged_lines),
            "share_translated": round(len(self.translated_lines) / touched, 3) if touched else 1.0,
        }


def to_json(report: PortReport) -> str:
    data = {
        "source": report.source,
        "output": report.output,
        "error": report.error or None,
        "summary": report.summary(),
        "edits": [
            {
                "line": e.line,
                "rule": e.rule,
                "api": e.api,
                "entry": e.entry or None,
                "flagged": e.flagged,
                "note": e.note,
            }
            for e in report.edits
        ],
        "rules": report.per_rule(),
        "apis": report.per_api(),
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def to_text(report: PortReport) -> str:
    source = escape(report.source)
    if report.error:
        fix = (
            "please report it"
            if report.error.startswith("a rewrite rule failed")
            else "fix the syntax and run again"
        )
        return f"{source}: cannot port: {escape(report.error)} ({fix})\n"
    if not report.changed:
        return f"{source}: no {label(DEFAULT_PAIR[0])} code found; nothing to port\n"
    s = report.summary()
    lines = [
        f"{source}: {s['lines_changed']} of {s['source_lines']} lines changed: "
        f"{s['lines_translated']} translated by a rule, {s['lines_flagged']} flagged for review "
        f"({s['share_translated']:.0%} translated)"
    ]
    if report.output:
        lines.append(f"draft written to {escape(report.output)}")
    flagged = [e for e in report.edits if e.flagged]
    if flagged:
        lines.append("")
        lines.append("flagged (a `# fwcheat: TODO` comment marks each in the draft):")
        for e in flagged:
            entry = f" [{escape(e.entry)}]" if e.entry else ""
            lines.append(f"  {source}:{e.line}: {escape(e.api)}{entry}: {escape(e.note)}")
    lines.append("")
    lines.append("per rule (translated / flagged):")
    for rule, row in report.per_rule().items():
        lines.append(f"  {rule:<16} {row['translated']:>4} / {row['flagged']}")
    lines.append("")
    lines.append("per API (translated / flagged, entry to read):")
    for api, row in report.per_api().items():
        entry = escape(str(row["entry"] or "-"))
        lines.append(f"  {escape(api):<44} {row['translated']:>4} / {row['flagged']:<3} {entry}")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return escape(text).replace("|", "\\|").replace("`", "'")


def to_markdown(report: PortReport) -> str:
    if report.error:
        return f"# Port of `{_md(report.source)}`\n\nCannot port: {_md(report.error)}\n"
    s = report.summary()
    out = [
        f"# Port of `{_md(report.source)}`",
        "",
        f"{s['lines_changed']} of {s['source_lines']} lines changed: {s['lines_translated']} translated, "
        f"{s['lines_flagged']} flagged for review.",
        "",
        "## To review",
        "",
    ]
    flagged = [e for e in report.edits if e.flagged]
    out += [
        f"- [ ] line {e.line}: `{_md(e.api)}` ({_md(e.entry or 'no entry')}): {_md(e.note)}" for e in flagged
    ]
    if not flagged:
        out.append("Nothing flagged.")
    out += ["", "## Per rule", "", "| rule | translated | flagged |", "|---|---|---|"]
    out += [f"| {r} | {row['translated']} | {row['flagged']} |" for r, row in report.per_rule().items()]
    out += ["", "## Per API", "", "| API | translated | flagged | entry |", "|---|---|---|---|"]
    out += [
        f"| `{_md(api)}` | {row['translated']} | {row['flagged']} | {_md(row['entry'] or '-')} |"
        for api, row in report.per_api().items()
    ]
    return "\n".join(out) + "\n"
