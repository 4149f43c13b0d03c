"""Saving an edited snippet as a user knowledge entry, without losing anything.

The TUI lets a person edit either snippet of an entry; saving writes the whole
entry (with the edited code) as YAML into a user knowledge file, where the same
``id`` overrides the bundled entry. The user's file is edited in place, on the
line range of that one entry (up to its last value: comments and blank lines
after it stay): every other entry, comment and blank line stays as it was. The
new text is parsed and checked before it replaces the file, through
:func:`fwcheat.userfiles.edit_file` (a lock, CRLF, mode and symlinks kept, an
fsync'ed atomic rename), so a save can fail but never leaves a broken or
shortened file behind. Headless: no Textual here.
"""

from __future__ import annotations

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


def _content_end(node: yaml.Node, lines: list[str]) -> int:
    """The 0-based line after the last line holding any of ``node``'s values (comments after it excluded).

    A block scalar's span takes in the blank lines after it: those stay outside.
    """
    start = end = node.start_mark.line + 1
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            stack.extend(part for pair in current.value for part in pair)
        elif isinstance(current, yaml.SequenceNode) and not current.flow_style:
            stack.extend(current.value)
        else:  # a scalar or a flow collection: its end mark is where its text ends
            mark = current.end_mark
            end = max(end, mark.line if mark.column == 0 else mark.line + 1)
    end = min(end, len(lines))
    while end > start and not lines[end - 1].strip():
        end -= 1
    return end


def _trailing_comments(text: str, root: yaml.Node) -> str:
    """The comment and blank lines after ``root``'s last value."""
    lines = text.splitlines(keepends=True)
    return "".join(lines[_content_end(root, lines) :])


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
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        assert root is not None
        return _leading_comments(text) + body + _trailing_comments(text, root)
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
    for item in items:
        if _item_id(item) != entry.id:
            continue
        start = item.start_mark.line
        # Up to the entry's last value: the comments and blank lines before the next entry stay.
        end = _content_end(item, lines)
        return "".join([*lines[:start], block, *lines[end:]])
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
    from fwcheat.userfiles import edit_file

    category = folder_category(path)
    try:
        edit_file(path, lambda original: _new_text(original, entry, path, category), create=True)
    except OSError as exc:
        raise SaveError(f"cannot write {path}: {exc}; nothing was written") from exc
    return path


def _new_text(original: str, entry: Entry, path: Path, category: str | None) -> str:
    """The file's new text with ``entry`` saved in it; :class:`SaveError` when that is not safe."""
    before = (
        {loaded.entry.id for loaded in parse_text(original, path, category).entries}
        if original.strip()
        else set()
    )
    text = merged_text(original, entry, path, category) if original.strip() else ""
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
    return text
