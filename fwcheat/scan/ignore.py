"""``.gitignore``-style patterns, for the files a directory scan skips.

Only what ``fwcheat scan`` needs of git's rules: comments, ``!`` negation,
a trailing ``/`` for directories only, a ``/`` inside the pattern anchoring it
to the file that holds it, ``*``, ``?``, ``[...]`` and ``**``; the last
matching pattern wins. ``--exclude`` patterns follow the same rules, relative
to the scanned directory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    regex: re.Pattern[str]
    negate: bool
    directories_only: bool


def _glob_to_regex(glob: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(glob):
        c = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            end = glob.find("]", i + 2 if glob[i + 1 : i + 2] in ("!", "]") else i + 1)
            if end == -1:
                out.append(re.escape(c))
                i += 1
            else:
                body = glob[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body.replace(chr(92), chr(92) * 2)}]")
                i = end + 1
        elif c == "\\" and i + 1 < len(glob):
            out.append(re.escape(glob[i + 1]))
            i += 2
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


def parse_rule(line: str) -> Rule | None:
    """One pattern line; None for blanks and comments."""
    line = line.rstrip("\n").rstrip("\r")
    if not line.endswith("\\ "):
        line = line.rstrip(" ")
    if not line or line.startswith("#"):
        return None
    negate = line.startswith("!")
    if negate or line.startswith("\\!") or line.startswith("\\#"):
        line = line[1:]
    directories_only = line.endswith("/")
    line = line.rstrip("/")
    if not line:
        return None
    anchored = "/" in line
    line = line.lstrip("/")
    body = _glob_to_regex(line)
    pattern = body if anchored else f"(?:.*/)?{body}"
    return Rule(re.compile(f"^{pattern}(?:/.*)?$"), negate, directories_only)


def parse_rules(text: str) -> list[Rule]:
    return [rule for rule in map(parse_rule, text.splitlines()) if rule is not None]


def ignored(rules: list[Rule], relative: str, is_dir: bool) -> bool | None:
    """Whether ``relative`` (a ``/`` path) is ignored by ``rules``; None when none matches."""
    verdict: bool | None = None
    for rule in rules:
        if rule.directories_only and not is_dir:
            # `build/` still ignores `build/x.py` through its directory: match the parents.
            parent = relative.rsplit("/", 1)[0] if "/" in relative else ""
            if not parent or not rule.regex.match(parent):
                continue
        elif not rule.regex.match(relative):
            continue
        verdict = not rule.negate
    return verdict
