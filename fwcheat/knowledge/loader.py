"""Reading knowledge YAML files into validated entries, with precise problems.

Every problem names the file and line and says how to fix it. A broken file, or
a broken entry inside a file, is reported and skipped: the rest still loads.
Line numbers come from PyYAML's node marks: the file is *composed* into nodes
first (keeping positions), checked for duplicate keys, then each entry is
converted and validated on its own against :mod:`fwcheat.knowledge.model`.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
import yaml

from fwcheat.frameworks import REFERENCE
from fwcheat.knowledge import guards
from fwcheat.knowledge.model import Entry, Snippet, Snippets, Tolerance
from fwcheat.knowledge.problems import Problem

try:  # libyaml makes a cold index rebuild several times faster
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Loader = yaml.SafeLoader

_FIELDS: dict[str, tuple[str, ...]] = {
    "entry": tuple(Entry.__struct_fields__),
    "snippets": tuple(Snippets.__struct_fields__),
    "snippet": tuple(Snippet.__struct_fields__),
    "tolerance": tuple(Tolerance.__struct_fields__),
}
_FORMAT_HINT = "`fwcheat validate --format-guide` shows the format"
_ERROR_AT = re.compile(r"^(?P<msg>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.S)
_PATH_PART = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


@dataclass(frozen=True)
class LoadedEntry:
    """An entry together with where it was defined."""

    entry: Entry
    path: Path
    line: int


@dataclass
class FileResult:
    entries: list[LoadedEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


PathKey = tuple[str | int, ...]


def _index_nodes(
    node: yaml.Node,
    path: PathKey,
    lines: dict[PathKey, tuple[int, int]],
    problems: list[Problem],
    file: Path,
    duplicates: list[PathKey],
) -> None:
    """Record (key line, value line) for every path below ``node``; flag duplicate keys.

    Recursive: only called once :func:`_shape_problem` has bounded the depth and size.
    """
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "<a list or mapping>"
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.append(
                    Problem(
                        file,
                        line,
                        f"duplicate key `{key}` (first at line {seen[key]}); "
                        "the entry is skipped (YAML would silently keep only the last value)",
                        "merge the two values under one key",
                    )
                )
                duplicates.append(path)
            seen[key] = line
            child = (*path, key)
            lines[child] = (line, value_node.start_mark.line + 1)
            _index_nodes(value_node, child, lines, problems, file, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            child = (*path, i)
            lines[child] = (item.start_mark.line + 1, item.start_mark.line + 1)
            _index_nodes(item, child, lines, problems, file, duplicates)


def _parse_error_path(text: str) -> PathKey:
    parts: list[str | int] = []
    for name, index in _PATH_PART.findall(text):
        parts.append(int(index) if index else name)
    return tuple(parts)


def _fix_for(message: str, path: PathKey) -> str:
    """A human fix for a msgspec validation message."""
    unknown = re.match(r"Object contains unknown field `([^`]+)`", message)
    if unknown:
        name = unknown.group(1)
        known: set[str] = set()
        for names in _FIELDS.values():
            known.update(names)
        close = difflib.get_close_matches(name, sorted(known), n=1)
        hint = f"did you mean `{close[0]}`? " if close else ""
        return f"{hint}remove or rename `{name}`; {_FORMAT_HINT}"
    missing = re.match(r"Object missing required field `([^`]+)`", message)
    if missing:
        if missing.group(1) == "category":  # a draft in ~/drafts/autograd/ is not in a knowledge folder
            return (
                "add `category:` here; a `<category>/` folder gives it only inside a knowledge folder: "
                "yours (`fwcheat doctor` names it) or one in FWCHEAT_KNOWLEDGE_PATH"
            )
        return f"add `{missing.group(1)}:` here"
    if "matching regex" in message:
        return (
            "use lowercase letters, digits and single dashes, e.g. `autograd-record`"
            if (
                (path and path[-1] in ("id", "category", "see_also"))
                or (len(path) > 1 and path[-2] == "see_also")
            )
            else "use a Python identifier, e.g. `grad`"
        )
    if "of length >= 1" in message:
        return "write some text here, or remove the key"
    expected = re.match(r"Expected `([^`]+)`, got `([^`]+)`", message)
    if expected:
        want, got = expected.groups()
        if want == "array":
            return "write a YAML list, e.g. `[a, b]` or one `- item` per line"
        if want == "str" and got == "object":
            return "a `: ` inside this text made YAML read a mapping: quote the whole text"
        if want == "str":
            return 'quote the value so YAML reads it as text, e.g. "..."'
        if want == "float" and got == "str":
            return "write a number YAML reads as a float, e.g. `1.0e-5` (with a dot)"
        if want == "object":
            return "write a mapping of `key: value` lines here"
        return f"write a {want} here"
    return _FORMAT_HINT


def _problem_from_validation(
    err: msgspec.ValidationError,
    base: PathKey,
    lines: dict[PathKey, tuple[int, int]],
    file: Path,
    fallback: int,
) -> Problem:
    m = _ERROR_AT.match(str(err))
    message = m.group("msg") if m else str(err)
    rel = _parse_error_path(m.group("path") or "") if m else ()
    line = fallback
    unknown = re.match(r"Object contains unknown field `([^`]+)`", message)
    target: PathKey = (*base, *rel, unknown.group(1)) if unknown else (*base, *rel)
    # Walk up until a path we know the line of.
    while target:
        if target in lines:
            key_line, value_line = lines[target]
            line = key_line if unknown or isinstance(target[-1], str) else value_line
            break
        target = target[:-1]
    where = ".".join(str(p) for p in rel)
    text = f"{message} (at `{where}`)" if where else message
    return Problem(file, line, text, _fix_for(message, rel))


#: Stand-ins for required fields, valid whatever their pattern, used only to look past one
#: schema problem to the next (the entry itself is still rejected).
_STAND_INS: dict[str, object] = {
    "id": "x",
    "title": "x",
    "title_zh": "x",
    "category": "x",
    "summary": "x",
    "snippets": {},
    "code": "x",
}
_MAX_SCHEMA_PROBLEMS = 30


def _schema_problems(
    err: msgspec.ValidationError,
    data: dict[str, Any],
    base: PathKey,
    lines: dict[PathKey, tuple[int, int]],
    file: Path,
    fallback: int,
) -> list[Problem]:
    """Every schema problem of one entry, not only the first msgspec stops at.

    msgspec reports one error per conversion; each is set aside in a copy of the
    data (the bad key removed, or a required one given a stand-in) and the
    conversion retried, so one run of `validate` lists them all.
    """
    import copy

    problems = [_problem_from_validation(err, base, lines, file, fallback)]
    work = copy.deepcopy(data)
    for _ in range(_MAX_SCHEMA_PROBLEMS):
        if not _set_aside(work, str(err)):
            break
        try:
            msgspec.convert(work, Entry, strict=False)
        except msgspec.ValidationError as again:
            err = again
            problem = _problem_from_validation(err, base, lines, file, fallback)
            if problem in problems:
                break
            problems.append(problem)
        else:
            break
    return problems


def _set_aside(data: dict[str, Any], error: str) -> bool:
    """Change ``data`` so that ``error`` no longer applies; False when that cannot be done."""
    m = _ERROR_AT.match(error)
    if not m:
        return False
    message, rel = m.group("msg"), _parse_error_path(m.group("path") or "")
    parent: Any = data
    for part in rel[:-1]:
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            return False
    unknown = re.match(r"Object contains unknown field `([^`]+)`", message)
    missing = re.match(r"Object missing required field `([^`]+)`", message)
    if unknown or missing:
        holder: Any = parent[rel[-1]] if rel else data
        if not isinstance(holder, dict):
            return False
        if unknown:
            holder.pop(unknown.group(1), None)
            return True
        name = missing.group(1) if missing else ""
        if name not in _STAND_INS:
            return False
        holder[name] = copy_of(_STAND_INS[name])
        return True
    if not rel:
        return False
    leaf = rel[-1]
    if isinstance(leaf, int) and isinstance(parent, list):
        parent[leaf] = "x"  # list items are ids or text: keep the indices of the rest
        return True
    if isinstance(parent, dict) and leaf in parent:
        if leaf in _STAND_INS:
            parent[leaf] = copy_of(_STAND_INS[leaf])
        else:
            del parent[leaf]
        return True
    return False


def copy_of(value: object) -> object:
    return dict(value) if isinstance(value, dict) else value


def _semantic_problems(
    entry: Entry, file: Path, line: int, lines: dict[PathKey, tuple[int, int]], base: PathKey
) -> list[Problem]:
    problems: list[Problem] = []
    snippets = entry.snippets.items()
    if not snippets:
        at = lines.get((*base, "snippets"), (line, line))[0]
        problems.append(
            Problem(
                file,
                at,
                f"entry `{entry.id}` has no snippets",
                f"add at least `snippets: {{{REFERENCE}: {{code: ...}}}}`",
            )
        )
    if entry.compare:
        pattern = re.compile(rf"\b{re.escape(entry.compare)}\b")
        for framework, snippet in snippets:
            if not pattern.search(snippet.setup + "\n" + snippet.code):
                at = lines.get((*base, "compare"), (line, line))[0]
                problems.append(
                    Problem(
                        file,
                        at,
                        f"`compare: {entry.compare}` names a variable the {framework} snippet never mentions",
                        f"define `{entry.compare}` in snippets.{framework}.code, or fix the name",
                    )
                )
    if entry.requires:
        from fwcheat.requires import unimported

        for module in unimported(entry):
            at = lines.get((*base, "requires"), (line, line))[0]
            problems.append(
                Problem(
                    file,
                    at,
                    f"entry `{entry.id}`: `requires` names {module}, which no snippet imports",
                    f"import {module} in the snippet that needs it (its kernel is then the one checked)",
                    severity="warning",
                )
            )
    return problems


def parse_text(text: str, file: Path, folder_category: str | None = None) -> FileResult:
    """Parse one file's text. Never raises for bad content: problems are returned.

    A file holds either one entry (its top level is the entry) or several under
    ``entries:``. A one-entry file may leave out ``category:``: it is then
    ``folder_category`` (the name of the folder the file is in). When both are
    given they must agree.
    """
    result = FileResult()
    if not text.strip():
        result.problems.append(
            Problem(
                file, 1, "file is empty", f"write an entry (`id: ...`) or an `entries:` list; {_FORMAT_HINT}"
            )
        )
        return result
    bad = guards.bad_character(text)
    if bad is not None:
        line, column, described = bad
        result.problems.append(
            Problem(
                file,
                line,
                f"character {described} at column {column} is not allowed in a YAML file",
                'remove it; inside double quotes YAML can spell it as an escape, e.g. "\\e" or "\\x00"',
            )
        )
        return result
    try:
        root = yaml.compose(text, Loader=_Loader)
    except RecursionError:
        result.problems.append(
            Problem(file, 1, f"values nested too deeply (more than {guards.MAX_DEPTH} levels)", _FORMAT_HINT)
        )
        return result
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        # libyaml puts an error at the end of the stream on the line after the last one.
        line = min(mark.line + 1, max(len(text.splitlines()), 1)) if mark else 1
        what = " ".join(p for p in (err.context, err.problem) if p)
        result.problems.append(
            Problem(
                file,
                line,
                f"YAML syntax error: {what}",
                "check the indentation and quoting on this line and the one above",
            )
        )
        return result
    except yaml.YAMLError as err:
        result.problems.append(Problem(file, 1, f"YAML error: {err}", "check the file's syntax"))
        return result
    if root is None:
        result.problems.append(
            Problem(
                file,
                1,
                "file has no content (only comments)",
                f"add an `entries:` list; {_FORMAT_HINT}",
            )
        )
        return result
    shape = guards.shape_problem(root, max(2 * len(text), 10_000))
    if shape is not None:
        result.problems.append(Problem(file, *shape))
        return result
    lines: dict[PathKey, tuple[int, int]] = {}
    duplicates: list[PathKey] = []
    _index_nodes(root, (), lines, result.problems, file, duplicates)
    if not isinstance(root, yaml.MappingNode):
        result.problems.append(
            Problem(
                file,
                root.start_mark.line + 1,
                "the top level must be one entry (`id: ...`) or a mapping with an `entries:` list",
                _FORMAT_HINT,
            )
        )
        return result
    keys = [k.value for k, _ in root.value if isinstance(k, yaml.ScalarNode)]
    if "entries" not in keys and "id" in keys:
        # One entry per file: the whole document is the entry.
        _convert_items(result, [(root, ())], lines, file, folder_category, duplicates, single=True)
        return result
    entries_node: yaml.Node | None = None
    for key_node, value_node in root.value:
        if key_node.value == "entries":
            entries_node = value_node
        else:
            result.problems.append(
                Problem(
                    file,
                    key_node.start_mark.line + 1,
                    f"unknown top-level key `{key_node.value}`",
                    "put entries under `entries:`, or write one entry per file (`id:` at the top level)",
                )
            )
    if entries_node is None:
        result.problems.append(Problem(file, 1, "no `entries:` list in this file", _FORMAT_HINT))
        return result
    if not isinstance(entries_node, yaml.SequenceNode):
        result.problems.append(
            Problem(
                file,
                entries_node.start_mark.line + 1,
                "`entries` must be a list (one `- id: ...` per entry)",
                _FORMAT_HINT,
            )
        )
        return result
    items: list[tuple[yaml.Node, PathKey]] = [
        (item, ("entries", index)) for index, item in enumerate(entries_node.value)
    ]
    if any(len(path) < 2 for path in duplicates):
        return result  # a duplicate top-level key: which `entries:` is meant is unclear
    _convert_items(result, items, lines, file, folder_category, duplicates, single=False)
    return result


def _convert_items(
    result: FileResult,
    items: list[tuple[yaml.Node, PathKey]],
    lines: dict[PathKey, tuple[int, int]],
    file: Path,
    folder_category: str | None,
    duplicates: list[PathKey],
    *,
    single: bool,
) -> None:
    """Validate each entry node; good entries go to ``result.entries``, the rest to problems.

    An entry with a duplicate key (already reported) is skipped: which value was
    meant is unclear, and loading the last one would contradict the problem.
    """
    for item, base in items:
        line = item.start_mark.line + 1
        if any(path[: len(base)] == base for path in duplicates):
            continue
        try:
            data = yaml.constructor.SafeConstructor().construct_document(item)
        except Exception as err:  # a bad value (date, int, tag) must not be a traceback
            result.problems.append(Problem(file, *guards.construct_problem(item, err)))
            continue
        if not isinstance(data, dict):
            result.problems.append(
                Problem(file, line, "an entry must be a mapping (`id: ...`, `title: ...`)", _FORMAT_HINT)
            )
            continue
        if single and folder_category is not None:
            given = data.get("category")
            if given is None:
                data["category"] = folder_category
            elif given != folder_category:
                at = lines.get((*base, "category"), (line, line))[0]
                result.problems.append(
                    Problem(
                        file,
                        at,
                        f"`category: {_shown(given)}` disagrees with the folder `{folder_category}/` "
                        "this file is in",
                        f"move the file to `{_shown(given)}/`, or remove the `category:` line",
                    )
                )
                continue
        try:
            entry = msgspec.convert(data, Entry, strict=False)
        except (TypeError, ValueError, OverflowError) as err:
            if not isinstance(err, msgspec.ValidationError):
                result.problems.append(Problem(file, line, f"cannot read this entry: {err}", _FORMAT_HINT))
                continue
            ident = data.get("id")
            for problem in _schema_problems(err, data, base, lines, file, line):
                if isinstance(ident, str):
                    problem = Problem(
                        problem.path, problem.line, f"entry `{_shown(ident)}`: {problem.message}", problem.fix
                    )
                result.problems.append(problem)
            continue
        semantic = _semantic_problems(entry, file, line, lines, base)
        result.problems.extend(semantic)
        if not any("has no snippets" in p.message for p in semantic):
            result.entries.append(LoadedEntry(entry, file, line))


def _shown(value: object) -> str:
    """A value for a message: as written when printable, else with escapes (``sneaky-id\\n``)."""
    text = str(value)
    return text if text.isprintable() else repr(text)[1:-1]


def folder_category(file: str | os.PathLike[str]) -> str | None:
    """The category a file's folder gives it: ``<knowledge root>/<category>/<id>.yaml``.

    None unless the folder sits directly in a knowledge root (the bundled one,
    the user's, or a folder of ``FWCHEAT_KNOWLEDGE_PATH``).
    """
    from fwcheat.knowledge.sources import knowledge_roots

    folder = os.path.dirname(os.path.abspath(file))
    parent = os.path.dirname(folder)
    roots = {os.path.realpath(root) for root in knowledge_roots()}
    return os.path.basename(folder) if os.path.realpath(parent) in roots else None


def parse_file(file: str | os.PathLike[str]) -> FileResult:
    """Read and parse one knowledge file; unreadable files become problems."""
    file = Path(file)
    try:
        raw = guards.read_limited(file)
    except guards.FileRefused as err:
        fix = "keep knowledge files as ordinary .yaml files"
        return FileResult(problems=[Problem(file, 0, str(err), fix)])
    except OSError as err:
        return FileResult(
            problems=[
                Problem(
                    file,
                    0,
                    f"cannot read file: {err.strerror or err}",
                    "check the path and permissions",
                )
            ]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        column = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        return FileResult(
            problems=[
                Problem(
                    file,
                    line,
                    f"not valid UTF-8 (byte 0x{raw[err.start]:02x} at column {column})",
                    "save the file as UTF-8 (e.g. `iconv -f GBK -t UTF-8`)",
                )
            ]
        )
    return parse_text(text.removeprefix("\ufeff"), file, folder_category(file))
