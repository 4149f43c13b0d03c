"""Rewrite the recorded ``output:`` of snippets in a knowledge file, in place.

``fwcheat verify --update`` uses this to record what snippets really print.
Only the ``output`` values change: everything else in the file (comments, key
order, quoting, blank lines) stays byte-for-byte, because the edit is made on
the exact character spans that ``yaml.compose`` reports for each node instead
of dumping the parsed data back out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml


class RecordError(ValueError):
    """The file cannot be updated safely (left unchanged)."""


@dataclass(frozen=True)
class _Edit:
    start: int
    end: int
    text: str


def clean_output(text: str) -> str:
    """What gets recorded: lines without trailing spaces, one final newline."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""


def _mapping_get(node: yaml.Node, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return k, v
    return None


def _block(value: str, indent: int) -> str:
    """``value`` as a literal block scalar (header plus indented lines)."""
    if not value:
        return '""'
    lines = value[:-1].split("\n") if value.endswith("\n") else value.split("\n")
    chomp = "" if value.endswith("\n") else "-"
    first = next((line for line in lines if line), "")
    indicator = "2" if first.startswith(" ") else ""
    pad = " " * indent
    body = "\n".join(pad + line if line else "" for line in lines)
    return f"|{indicator}{chomp}\n{body}"


def _safe_scalar(value: str, indent: int) -> str:
    block = _block(value, indent)
    try:
        loaded = yaml.safe_load(" " * (indent - 2) + "k: " + block + "\n")
    except yaml.YAMLError:
        loaded = None
    # The block is only used when it reads back exactly (no control characters etc.).
    if isinstance(loaded, dict) and loaded.get("k", "") == value and "\t" not in value:
        return block
    return json.dumps(value, ensure_ascii=False)


def _edit_for(text: str, snippet: yaml.MappingNode, value: str) -> _Edit:
    existing = _mapping_get(snippet, "output")
    if existing is not None:
        key, node = existing
        indent = key.start_mark.column + 2
        start, end = node.start_mark.index, node.end_mark.index
        old = text[start:end]
        if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
            # Keep the blank lines that follow the old text (they are part of its span).
            newline = old.find("\n", len(old.rstrip()))
            end = start + newline + 1 if newline >= 0 else end
            return _Edit(start, end, _safe_scalar(value, indent) + "\n")
        line_end = text.find("\n", end)
        rest = text[end : line_end if line_end >= 0 else len(text)]
        if rest.strip():  # a comment follows on the same line: stay inline
            return _Edit(start, end, json.dumps(value, ensure_ascii=False))
        return _Edit(start, end + len(rest), _safe_scalar(value, indent))
    found = _mapping_get(snippet, "code")
    if found is None:
        raise RecordError("snippet has no code")
    key, code = found
    indent = key.start_mark.column
    scalar = _safe_scalar(value, indent + 2)
    entry = f"{' ' * indent}output: {scalar}\n"
    if isinstance(code, yaml.ScalarNode) and code.style in ("|", ">"):
        old = text[code.start_mark.index : code.end_mark.index]
        newline = old.find("\n", len(old.rstrip()))
        at = code.start_mark.index + (newline + 1 if newline >= 0 else len(old))
        if newline < 0:
            entry = "\n" + entry
        return _Edit(at, at, entry)
    line_end = text.find("\n", code.end_mark.index)
    if line_end < 0:
        return _Edit(len(text), len(text), "\n" + entry)
    return _Edit(line_end + 1, line_end + 1, entry)


def _entries_by_id(root: yaml.Node | None) -> dict[str, yaml.MappingNode] | None:
    """The entry mappings of a file by id: the root itself (one entry per file) or `entries:` items."""
    if not isinstance(root, yaml.MappingNode):
        return None
    found = _mapping_get(root, "entries")
    if found is None:
        ident = _mapping_get(root, "id")
        return {str(ident[1].value): root} if ident is not None else None
    if not isinstance(found[1], yaml.SequenceNode):
        return None
    by_id: dict[str, yaml.MappingNode] = {}
    for item in found[1].value:
        id_pair = _mapping_get(item, "id")
        if id_pair is not None and isinstance(item, yaml.MappingNode):
            by_id[str(id_pair[1].value)] = item
    return by_id


def update_text(text: str, outputs: dict[tuple[str, str], str], name: str = "<text>") -> str:
    """``text`` with the ``output`` of each (entry id, framework) replaced.

    Raises :class:`RecordError` when an entry or snippet is not in the text or
    the result would not read back to the intended values.
    """
    from fwcheat.knowledge.guards import shape_problem

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError) as exc:
        raise RecordError(f"{name}: not valid YAML: {exc}") from exc
    shape = shape_problem(root, max(2 * len(text), 10_000)) if root is not None else None
    if shape is not None:
        raise RecordError(f"{name}:{shape[0]}: {shape[1]}")
    by_id = _entries_by_id(root)
    if by_id is None:
        raise RecordError(f"{name}: neither one entry (`id:` at the top) nor an `entries:` list")
    cleaned = {key: clean_output(value) for key, value in outputs.items()}
    edits: list[_Edit] = []
    for (entry_id, framework), value in cleaned.items():
        item = by_id.get(entry_id)
        if item is None:
            raise RecordError(f"{name}: no entry {entry_id!r}")
        snippets = _mapping_get(item, "snippets")
        snippet = _mapping_get(snippets[1], framework) if snippets else None
        if snippet is None or not isinstance(snippet[1], yaml.MappingNode):
            raise RecordError(f"{name}: entry {entry_id!r} has no {framework} snippet")
        edits.append(_edit_for(text, snippet[1], value))
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        text = text[: edit.start] + edit.text + text[edit.end :]
    _check(text, cleaned, name)
    return text


def _check(text: str, outputs: dict[tuple[str, str], str], name: str) -> None:
    try:
        data = yaml.safe_load(text)
    except Exception as exc:  # any value YAML cannot read (a bad date...) refuses the update
        raise RecordError(f"{name}: the update would break the file: {exc}") from exc
    items = data.get("entries", []) if isinstance(data, dict) and "entries" in data else [data]
    entries = {e.get("id"): e for e in items if isinstance(e, dict)}
    for (entry_id, framework), value in outputs.items():
        try:
            got = entries[entry_id]["snippets"][framework].get("output")
        except (KeyError, TypeError, AttributeError) as exc:
            raise RecordError(f"{name}: {entry_id} {framework}: the update would not read back") from exc
        if (got or "") != value:
            raise RecordError(f"{name}: {entry_id} {framework}: the output would read back as {got!r}")


def update_file(path: Path, outputs: dict[tuple[str, str], str]) -> bool:
    """Rewrite ``path`` in place; True when it changed.

    Through :func:`fwcheat.userfiles.edit_file`: under a lock, re-read, line
    endings, mode and symlinks kept, atomic and fsync'ed.
    """
    from fwcheat.userfiles import edit_file

    return edit_file(path, lambda text: update_text(text, outputs, str(path)))
