"""Limits that keep a hostile or broken knowledge file cheap and harmless to read.

A knowledge file may come from anyone (a shared ``FWCHEAT_KNOWLEDGE_PATH``, a
pull request), so reading one must cost time and memory in proportion to its
size and fail with a ``file:line`` problem, never a traceback. This module holds
the checks the loader makes around PyYAML:

* only regular files, up to :data:`MAX_FILE_BYTES` (no FIFO that blocks, no
  ``/dev/zero`` that never ends);
* the line and column of a character YAML refuses (NUL, ESC...), which PyYAML
  reports only as an offset;
* the shape of the composed node graph, walked without recursion: aliases that
  contain themselves, nesting deeper than :data:`MAX_DEPTH`, and aliases that
  expand to more values than the file could hold written out (a "billion
  laughs" bomb) are refused before anything expands them;
* which scalar a constructor choked on (``2024-02-30``, ``!!int abc``, an int of
  5,000 digits), so the problem names its line.
"""

from __future__ import annotations

import os
import re
import stat

import yaml

from fwcheat.frameworks import REFERENCE

#: Larger files are refused: the whole bundled knowledge base is a few hundred KB.
MAX_FILE_BYTES = 2 * 1024 * 1024
#: An entry nests about 5 levels (entries / item / snippets / framework / code).
MAX_DEPTH = 50

# The characters YAML 1.1 allows in a stream (what PyYAML and libyaml accept).
_NOT_ALLOWED = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NAMES = {0: "NUL", 0x1B: "ESC", 0x7F: "DEL", 0x08: "backspace", 0x0C: "form feed", 0x0B: "vertical tab"}


class FileRefused(Exception):
    """A file that is not read at all; ``str()`` says why, for the problem message."""


def read_limited(path: str | os.PathLike[str], limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    Raises :class:`FileRefused` for anything else (FIFO, device, folder, too big)
    and ``OSError`` when it cannot be opened. The file is checked before opening
    (so a FIFO never blocks) and again through the open descriptor (so a file
    swapped in between is caught too).
    """
    _check_stat(os.stat(path), limit)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        _check_stat(os.fstat(fd), limit)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if size > limit:  # it grew while being read
        raise FileRefused(f"file is larger than {_size(limit)}, the most a knowledge file may be")
    return b"".join(chunks)


def _size(count: int) -> str:
    return f"{count / (1024 * 1024):.1f} MB" if count >= 1024 * 1024 else f"{count:,} bytes"


def _check_stat(st: os.stat_result, limit: int) -> None:
    mode = st.st_mode
    if not stat.S_ISREG(mode):
        kind = (
            "a folder"
            if stat.S_ISDIR(mode)
            else "a FIFO (named pipe)"
            if stat.S_ISFIFO(mode)
            else "a device"
            if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket"
            if stat.S_ISSOCK(mode)
            else "not a regular file"
        )
        raise FileRefused(f"not read: it is {kind}, not a regular file")
    if st.st_size > limit:
        raise FileRefused(
            f"not read: the file is {_size(st.st_size)}, more than the {_size(limit)} a knowledge file may be"
        )


def bad_character(text: str) -> tuple[int, int, str] | None:
    """(line, column, description) of the first character YAML does not allow, or None."""
    match = _NOT_ALLOWED.search(text)
    if match is None:
        return None
    at = match.start()
    code = ord(match.group())
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    name = _NAMES.get(code)
    described = f"U+{code:04X}" + (f" ({name})" if name else "")
    return line, column, described


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def shape_problem(root: yaml.Node, budget: int) -> tuple[int, str, str] | None:
    """(line, message, fix) when the node graph is cyclic, too deep or expands past ``budget`` values.

    A file without aliases is a tree no larger than its text: one quick walk checks
    its depth. A node met twice means aliases: :func:`_alias_problem` weighs them.
    """
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    mapping, sequence = yaml.MappingNode, yaml.SequenceNode
    while stack:
        node, level = stack.pop()
        if level > MAX_DEPTH:
            return _too_deep(node)
        key = id(node)
        if key in seen:
            return _alias_problem(root, budget)
        seen.add(key)
        cls = type(node)
        if cls is mapping:
            for pair in node.value:
                stack.append((pair[0], level + 1))
                stack.append((pair[1], level + 1))
        elif cls is sequence:
            stack.extend((item, level + 1) for item in node.value)
    return None


def _too_deep(node: yaml.Node) -> tuple[int, str, str]:
    return (
        node.start_mark.line + 1,
        f"values nested more than {MAX_DEPTH} levels deep",
        f"an entry needs only a few levels (snippets: {REFERENCE}: code:); flatten this value",
    )


def _alias_problem(root: yaml.Node, budget: int) -> tuple[int, str, str] | None:
    """The shape problem of a graph with aliases: cyclic, too deep, or expanding past ``budget``.

    Aliases make the composed graph share nodes; everything after composing
    (line index, constructor, schema check) walks it as a tree, so its expanded
    size is what costs. Sizes are computed once per shared node (memoised), so
    this check itself is linear in the number of distinct nodes.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool, int]] = [(root, False, 1)]
    while stack:
        node, finished, level = stack.pop()
        key = id(node)
        if finished:
            open_nodes.discard(key)
            size = 1 + sum(sizes[id(kid)] for kid in _children(node))
            if size > budget:
                return (
                    node.start_mark.line + 1,
                    f"aliases here expand to more than {budget:,} values, far more than the file holds"
                    " (an alias bomb?)",
                    "write the values out instead of repeating `*alias` references",
                )
            sizes[key] = size
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            return (
                node.start_mark.line + 1,
                "a recursive alias: this value contains itself",
                "remove the `*alias` that refers back to its own `&anchor`",
            )
        if level > MAX_DEPTH:
            return _too_deep(node)
        open_nodes.add(key)
        stack.append((node, True, level))
        for kid in _children(node):
            if id(kid) in open_nodes:
                return (
                    kid.start_mark.line + 1 if kid.start_mark else node.start_mark.line + 1,
                    "a recursive alias: this value contains itself",
                    "remove the `*alias` that refers back to its own `&anchor`",
                )
            if id(kid) not in sizes:
                stack.append((kid, False, level + 1))
    return None


def _scalars(root: yaml.Node) -> list[yaml.ScalarNode]:
    found: list[yaml.ScalarNode] = []
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            found.append(node)
        stack.extend(reversed(_children(node)))
    return found


def construct_problem(root: yaml.Node, error: Exception) -> tuple[int, str, str]:
    """(line, message, fix) for an error raised while constructing ``root``'s values."""
    if isinstance(error, yaml.MarkedYAMLError) and error.problem_mark is not None:
        what = "; ".join(p for p in (error.context, error.problem) if p)
        fix = "check the value's tag and syntax"
        return error.problem_mark.line + 1, f"YAML cannot read this value: {what}", fix
    for node in _scalars(root):
        try:
            yaml.constructor.SafeConstructor().construct_object(node)
        except Exception as exc:  # any constructor failure is a bad value
            return _scalar_problem(node, exc)
    return root.start_mark.line + 1, f"YAML cannot read this entry: {_reason(error)}", "check its values"


def _reason(error: BaseException) -> str:
    text = str(error).split("\n")[0]
    if "Exceeds the limit" in text and "digits" in text:
        return "an integer with more than 4,300 digits"
    return text or type(error).__name__


def _scalar_problem(node: yaml.ScalarNode, error: Exception) -> tuple[int, str, str]:
    kind = node.tag.rsplit(":", 1)[-1]
    value = node.value if len(node.value) <= 40 else node.value[:37] + "..."
    return (
        node.start_mark.line + 1,
        f"`{value}` is not a valid {kind} ({_reason(error)})",
        f'quote it so YAML reads it as text, e.g. "{value}", and drop any `!!` tag',
    )
