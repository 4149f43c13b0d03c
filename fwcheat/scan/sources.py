"""The files a scan reads: paths walked, notebooks split into cells, bad files reported.

A porting engineer points ``fwcheat scan`` at a whole checkout, which holds
more than clean Python: build output, binaries named ``.py``, Latin-1 files,
symlink loops, notebooks. Each file comes out as its code (by cell for a
notebook) or as a :class:`Unreadable` saying why it was skipped and what to
do, and the walk goes on.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

from fwcheat.scan.ignore import Rule, ignored, parse_rules

#: Files larger than this are skipped (``--max-size`` changes it).
DEFAULT_MAX_BYTES = 5_000_000
SUFFIXES = (".py", ".pyi", ".ipynb")
#: Folders a directory walk never enters (version control, caches).
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__", ".ipynb_checkpoints", ".mypy_cache", ".tox"})


@dataclass
class Source:
    """One file's code: ``cells`` is [(None, text)] for a .py file, [(n, text)] per notebook code cell."""

    path: str
    cells: list[tuple[int | None, str]]
    #: Problems inside a readable file (a notebook cell that does not parse is one).
    problems: list[Unreadable] = field(default_factory=list)


@dataclass(frozen=True)
class Unreadable:
    """A file (or cell) that was not scanned, with why and how to fix it."""

    path: str
    message: str
    line: int | None = None
    cell: int | None = None


class UsageError(ValueError):
    """A path that does not exist: the command line is wrong, not a file."""


def _is_virtualenv(path: str) -> bool:
    return os.path.exists(os.path.join(path, "pyvenv.cfg"))


def walk(paths: list[str], excludes: list[str], *, use_gitignore: bool = True) -> Iterator[str | Unreadable]:
    """The files to scan under ``paths`` in a stable order, or why one could not be reached."""
    exclude_rules = [rule for pattern in excludes for rule in parse_rules(pattern)]
    for path in paths:
        try:
            st = os.stat(path)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                yield Unreadable(path, "symlink loop (the link points back to itself); skipped")
                continue
            if os.path.islink(path):
                yield Unreadable(path, "broken symlink (its target does not exist); skipped")
                continue
            raise UsageError(f"{path}: no such file or directory") from None
        if os.path.isdir(path):
            yield from _walk_dir(path, exclude_rules, use_gitignore, {(st.st_dev, st.st_ino)})
        else:
            yield path


def _walk_dir(
    root: str, exclude_rules: list[Rule], use_gitignore: bool, ancestors: set[tuple[int, int]]
) -> Iterator[str | Unreadable]:
    # Each stack item: (directory, its path relative to root, rule sets in force with their base).
    stack: list[tuple[str, str, list[tuple[str, list[Rule]]], set[tuple[int, int]]]] = [
        (root, "", [("", exclude_rules)], ancestors)
    ]
    while stack:
        folder, relative, rule_sets, seen = stack.pop()
        if use_gitignore:
            rule_sets = rule_sets + _gitignore(folder, relative)
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield Unreadable(folder, f"cannot list this folder ({exc.strerror}); skipped")
            continue
        subfolders = []
        for entry in entries:
            child = f"{relative}/{entry.name}" if relative else entry.name
            try:
                is_dir = entry.is_dir()
                is_file = not is_dir and entry.is_file()
            except OSError:
                is_dir = is_file = False
            if not is_dir and not is_file:
                if (entry.is_symlink() and entry.name.endswith(SUFFIXES)) or _is_self_loop(entry.path):
                    yield Unreadable(entry.path, _link_problem(entry.path))
                continue
            if _excluded(rule_sets, child, is_dir):
                continue
            if is_dir:
                if entry.name in SKIPPED_DIRS or _is_virtualenv(entry.path):
                    continue
                try:
                    st = os.stat(entry.path)
                except OSError as exc:
                    yield Unreadable(entry.path, f"cannot read this folder ({exc.strerror}); skipped")
                    continue
                key = (st.st_dev, st.st_ino)
                if key in seen:
                    yield Unreadable(
                        entry.path, "symlink loop (it leads back to a folder being scanned); skipped"
                    )
                    continue
                subfolders.append((entry.path, child, rule_sets, seen | {key}))
            elif entry.name.endswith(SUFFIXES):
                yield entry.path
        stack.extend(reversed(subfolders))


def _is_self_loop(path: str) -> bool:
    try:
        os.stat(path)
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def _link_problem(path: str) -> str:
    if _is_self_loop(path):
        return "symlink loop (the link points back to itself); skipped"
    return "broken symlink (its target does not exist); skipped"


def _gitignore(folder: str, relative: str) -> list[tuple[str, list[Rule]]]:
    try:
        with open(os.path.join(folder, ".gitignore"), encoding="utf-8", errors="replace") as f:
            rules = parse_rules(f.read())
    except OSError:
        return []
    return [(relative, rules)] if rules else []


def _excluded(rule_sets: list[tuple[str, list[Rule]]], child: str, is_dir: bool) -> bool:
    verdict = False
    for base, rules in rule_sets:
        if base:
            if not child.startswith(base + "/"):
                continue
            local = child[len(base) + 1 :]
        else:
            local = child
        found = ignored(rules, local, is_dir)
        if found is not None:
            verdict = found
    return verdict


def read(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Source | Unreadable:
    """The code of ``path`` (a .py file or a notebook), or why it cannot be scanned."""
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size > max_bytes:
                return Unreadable(
                    path,
                    f"too large to scan ({size / 1e6:.1f} MB > {max_bytes / 1e6:.1f} MB); "
                    "raise --max-size to scan it",
                )
            data = f.read(max_bytes + 1)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Unreadable(path, "symlink loop (the link points back to itself); skipped")
        return Unreadable(path, f"cannot read it ({exc.strerror}); check its permissions")
    if len(data) > max_bytes:
        return Unreadable(
            path, f"too large to scan (> {max_bytes / 1e6:.1f} MB); raise --max-size to scan it"
        )
    if b"\0" in data:
        return Unreadable(path, "binary file (it contains NUL bytes), not Python; skipped")
    text_or_problem = _decode(path, data)
    if isinstance(text_or_problem, Unreadable):
        return text_or_problem
    if path.endswith(".ipynb"):
        return _notebook(path, text_or_problem)
    return Source(path, [(None, text_or_problem)])


def _decode(path: str, data: bytes) -> str | Unreadable:
    import io
    import tokenize

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        return Unreadable(path, f"{exc.msg}; fix its coding line", line=exc.lineno)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return Unreadable(
            path,
            f"not valid {encoding} (byte 0x{data[exc.start]:02x}); save it as UTF-8 "
            "or declare its encoding with a `# -*- coding: NAME -*-` line",
            line=line,
        )
    except LookupError:
        return Unreadable(path, f"unknown encoding {encoding!r} in its coding line; fix that line")
    return text[1:] if text.startswith("\ufeff") else text


def _notebook(path: str, text: str) -> Source | Unreadable:
    import json

    try:
        notebook = json.loads(text)
    except ValueError as exc:
        return Unreadable(path, f"not a valid notebook (JSON error: {exc}); open and re-save it in Jupyter")
    if not isinstance(notebook, dict):
        return Unreadable(path, "not a valid notebook (no cells); open and re-save it in Jupyter")
    cells = notebook.get("cells")
    if cells is None:  # nbformat 3
        sheets = notebook.get("worksheets") or [{}]
        cells = sheets[0].get("cells", []) if isinstance(sheets[0], dict) else []
    if not isinstance(cells, list):
        return Unreadable(path, "not a valid notebook (cells is not a list); open and re-save it in Jupyter")
    code_cells: list[tuple[int | None, str]] = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", cell.get("input", ""))
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        if not isinstance(source, str):
            continue
        code_cells.append((number, _without_magics(source)))
    return Source(path, code_cells)


def _without_magics(source: str) -> str:
    """IPython magics and shell lines blanked (line numbers kept), so the cell parses as Python."""
    lines = source.split("\n")
    if lines and lines[0].lstrip().startswith("%%"):
        return "\n" * (len(lines) - 1)
    kept = []
    for line in lines:
        stripped = line.lstrip()
        magic = stripped.startswith(("%", "!", "?")) or "= !" in stripped or "= %" in stripped
        if magic or (stripped.endswith("?") and not stripped.startswith("#")):
            kept.append("")
        else:
            kept.append(line)
    return "\n".join(kept)
