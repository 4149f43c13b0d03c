"""Saving an edited snippet as a user knowledge entry, without losing anything.

The TUI lets a person edit either snippet of an entry; saving writes the whole
entry (with the edited code) as YAML into a user knowledge file, where the same
``id`` overrides the bundled entry. The user's file is edited in place, on the
line range of that one entry: every other entry, comment and blank line stays
as it was. The new text is parsed and checked before it replaces the file (by
an atomic rename), so a save can fail but never leaves a broken or shortened
file behind. Headless: no Textual here.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import msgspec
import yaml

from fwcheat.knowledge.loader import folder_category, parse_text
from fwcheat.knowledge.model import Entry


class SaveError(ValueError):
    """The entry could not be saved; the file on disk is unchanged."""


class _Dumper(yaml.SafeDumper):
    """Block style, multi-line strings as ``|`` literals, keys in schema order."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def entry_yaml(entry: Entry, column: int = 2) -> str:
    """``entry`` as one YAML list item (``- id: ...``) whose dash sits at ``column``."""
    data: dict[str, Any] = msgspec.to_builtins(entry)
    text = yaml.dump(
        [data], Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100
    )
    pad = " " * column
    return "".join(pad + line if line.strip() else line for line in text.splitlines(keepends=True))


def entry_document(entry: Entry) -> str:
    """``entry`` as a one-entry file, ``<category>/<id>.yaml`` (the folder gives the category)."""
    data: dict[str, Any] = msgspec.to_builtins(entry)
    data.pop("category", None)
    return yaml.dump(
        data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100
    )


def target_file(entry: Entry, layer: str | None, path: Path | None, user_dir: Path) -> Path:
    """Where to save ``entry``, which now lives in ``path`` (from ``layer``).

    A user's own file is edited in place; an entry from the bundled knowledge
    base gets a file of its own in the user's folder, which overrides it by id.
    """
    if path is not None and layer not in (None, "bundled"):
        return path
    return user_dir / entry.category / f"{entry.id}.yaml"


def _single_entry_id(text: str) -> str | None:
    """The id of a one-entry file (``id:`` at the top level), else None."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    if isinstance(root, yaml.MappingNode):
        keys = {k.value for k, _ in root.value if isinstance(k, yaml.ScalarNode)}
        if "id" in keys and "entries" not in keys:
            return _item_id(root)
    return None


def _leading_comments(text: str) -> str:
    head: list[str] = []
    for line in text.splitlines(keepends=True):
        if line.lstrip().startswith("#") or not line.strip():
            head.append(line)
        else:
            break
    return "".join(head)


def _entries_node(text: str, path: Path) -> yaml.SequenceNode | yaml.ScalarNode:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise SaveError(f"{path} is not valid YAML ({exc}); fix it first, nothing was written") from exc
    if not isinstance(root, yaml.MappingNode):
        raise SaveError(f"{path} is not a knowledge file (no `entries:` mapping); nothing was written")
    for key, value in root.value:
        entries = isinstance(key, yaml.ScalarNode) and key.value == "entries"
        if entries and isinstance(value, yaml.SequenceNode | yaml.ScalarNode):
            return value
    raise SaveError(f"{path} has no `entries:` list; nothing was written")


def _item_id(item: yaml.Node) -> str | None:
    if isinstance(item, yaml.MappingNode):
        for key, value in item.value:
            if isinstance(key, yaml.ScalarNode) and key.value == "id" and isinstance(value, yaml.ScalarNode):
                return str(value.value)
    return None


def merged_text(text: str, entry: Entry, path: Path, folder_category: str | None = None) -> str:
    """``text`` (a knowledge file) with ``entry`` replacing its namesake or appended."""
    single = _single_entry_id(text)
    if single is not None:
        if single != entry.id:
            raise SaveError(f"{path} holds entry `{single}`, not `{entry.id}`; nothing was written")
        body = entry_document(entry) if folder_category == entry.category else entry_yaml_single(entry)
        return _leading_comments(text) + body
    node = _entries_node(text, path)
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    if isinstance(node, yaml.ScalarNode) or (isinstance(node, yaml.SequenceNode) and not node.value):
        if isinstance(node, yaml.ScalarNode) and node.value not in ("", "~", "null"):
            raise SaveError(f"{path}: `entries:` is not a list; nothing was written")
        # `entries:` or `entries: []`: replace the empty value by a block list.
        head = text[: node.start_mark.index].rstrip(" ")
        tail = text[node.end_mark.index :]
        return head.rstrip("\n") + "\n" + entry_yaml(entry) + tail.lstrip("\n")
    if node.flow_style:
        raise SaveError(f"{path}: `entries` is written as a [flow] list; write it one `- id:` per line first")
    items = node.value
    first_line = lines[items[0].start_mark.line]
    column = first_line.index("-") if "-" in first_line[: items[0].start_mark.column] else 2
    block = entry_yaml(entry, column)
    for index, item in enumerate(items):
        if _item_id(item) != entry.id:
            continue
        start = item.start_mark.line
        end = items[index + 1].start_mark.line if index + 1 < len(items) else len(lines)
        replaced = block + ("\n" if index + 1 < len(items) else "")
        return "".join([*lines[:start], replaced, *lines[end:]])
    body = "".join(lines)
    return body + ("" if body.endswith("\n\n") or not body else "\n") + block


def entry_yaml_single(entry: Entry) -> str:
    """``entry`` as a one-entry file that keeps its ``category:`` line."""
    data: dict[str, Any] = msgspec.to_builtins(entry)
    return yaml.dump(
        data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100
    )


def save_entry(entry: Entry, path: Path) -> Path:
    """Write ``entry`` into the knowledge file ``path`` (created if needed); return ``path``.

    Raises :class:`SaveError` when the file cannot be updated safely.
    """
    category = folder_category(path)
    if path.exists():
        try:
            original = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SaveError(f"cannot read {path}: {exc}; nothing was written") from exc
        before = (
            {loaded.entry.id for loaded in parse_text(original, path, category).entries}
            if original.strip()
            else set()
        )
        text = merged_text(original, entry, path, category) if original.strip() else ""
    else:
        original, before, text = "", set(), ""
    if not text:
        text = "# Saved from `fwcheat tui`; the same id as a bundled entry overrides it.\n"
        text += entry_document(entry) if category == entry.category else entry_yaml_single(entry)
    result = parse_text(text, path, category)
    saved = {loaded.entry.id: loaded.entry for loaded in result.entries}
    if saved.get(entry.id) != entry:
        details = "; ".join(str(p) for p in result.problems[:3]) or "the entry did not read back the same"
        raise SaveError(f"could not write {entry.id} to {path} safely ({details}); nothing was written")
    lost = before - set(saved)
    if lost:
        raise SaveError(f"saving would drop {', '.join(sorted(lost))} from {path}; nothing was written")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise SaveError(f"cannot write {path}: {exc}") from exc
    return path
