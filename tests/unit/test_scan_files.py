"""What a scan reads: folders, .gitignore and --exclude, notebooks, and files it must skip."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from fwcheat.scan.report import Scanner, ScanReport
from fwcheat.scan.sources import UsageError, read, walk
from fwcheat.store import open_store

GLUON = "from mxnet import nd\nx = nd.ones((2, 3))\ny = x.asnumpy()\n"


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner(open_store().api_map("mxnet", "pytorch"))


def scan(scanner: Scanner, *paths: Path, exclude: list[str] | None = None) -> ScanReport:
    return scanner.scan_paths([str(p) for p in paths], exclude)


def files(tree: Path, exclude: list[str] | None = None) -> list[str]:
    found = [x for x in walk([str(tree)], exclude or []) if isinstance(x, str)]
    return sorted(os.path.relpath(p, tree) for p in found)


def test_folders_are_walked_for_python_and_notebooks(tmp_path: Path) -> None:
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    for name in ("a.py", "pkg/b.py", "pkg/sub/c.py", "pkg/n.ipynb", "notes.txt", "pkg/data.csv"):
        (tmp_path / name).write_text("", encoding="utf-8")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "a.py").write_text("", encoding="utf-8")
    (tmp_path / "venv").mkdir()
    (tmp_path / "venv" / "pyvenv.cfg").write_text("", encoding="utf-8")
    (tmp_path / "venv" / "lib.py").write_text("", encoding="utf-8")
    assert files(tmp_path) == ["a.py", "pkg/b.py", "pkg/n.ipynb", "pkg/sub/c.py"]


def test_gitignore_and_exclude_patterns(tmp_path: Path) -> None:
    for name in (
        "keep.py",
        "build/gen.py",
        "src/app.py",
        "src/skip_me.py",
        "src/deep/x_test.py",
        "docs/conf.py",
    ):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("", encoding="utf-8")
    (tmp_path / ".gitignore").write_text("# build output\nbuild/\n*_test.py\n", encoding="utf-8")
    (tmp_path / "src" / ".gitignore").write_text("skip_*.py\n", encoding="utf-8")
    assert files(tmp_path) == ["docs/conf.py", "keep.py", "src/app.py"]
    assert files(tmp_path, ["docs/", "/keep.py"]) == ["src/app.py"]
    # A later `!` pattern brings a file back.
    (tmp_path / "src" / ".gitignore").write_text("skip_*.py\n!skip_me.py\n", encoding="utf-8")
    assert files(tmp_path) == ["docs/conf.py", "keep.py", "src/app.py", "src/skip_me.py"]


def test_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        list(walk([str(tmp_path / "nope.py")], []))


def _notebook(cells: list[tuple[str, str]]) -> str:
    return json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {},
            "cells": [
                {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True)}
                | ({"outputs": [], "execution_count": None} if kind == "code" else {})
                for kind, source in cells
            ],
        }
    )


def test_notebooks_are_reported_by_cell_and_line(scanner: Scanner, tmp_path: Path) -> None:
    nb = tmp_path / "train.ipynb"
    nb.write_text(
        _notebook(
            [
                ("markdown", "# Training\nmx.nd.ones is text here"),
                ("code", "%matplotlib inline\nimport mxnet as mx\nfrom mxnet import nd, autograd"),
                ("code", "!pip install mxnet\nx = nd.ones((2, 2))\nx.attach_grad()"),
                ("code", "%%timeit\nnd.zeros(3)"),  # a cell magic: not Python
                ("code", "y = (x +\n"),  # a syntax error in one cell: reported, the rest is scanned
                ("code", "with autograd.record():\n    z = x * 2"),
            ]
        ),
        encoding="utf-8",
    )
    report = scan(scanner, nb)
    found = [(f.cell, f.line, f.col, f.api) for f in report.findings]
    assert found == [
        (3, 2, 5, "mx.nd.ones"),
        (3, 3, 3, ".attach_grad"),
        (6, 1, 6, "mx.autograd.record"),
    ]
    assert len(report.problems) == 1
    problem = report.problems[0]
    assert problem.cell == 5 and "syntax error" in problem.message


def test_a_syntax_error_is_reported_and_the_scan_goes_on(scanner: Scanner, tmp_path: Path) -> None:
    (tmp_path / "a_broken.py").write_text("from mxnet import nd\ndef f(:\n", encoding="utf-8")
    (tmp_path / "b_good.py").write_text(GLUON, encoding="utf-8")
    report = scan(scanner, tmp_path)
    assert [p.message.split(":")[0] for p in report.problems] == ["syntax error at line 2"]
    assert report.problems[0].path.endswith("a_broken.py") and report.problems[0].line == 2
    assert [f.api for f in report.findings] == ["mx.nd.ones", ".asnumpy"]


def test_binary_huge_and_non_utf8_files_are_skipped_with_a_reason(scanner: Scanner, tmp_path: Path) -> None:
    (tmp_path / "blob.py").write_bytes(b"\x7fELF\x00\x01\x02" * 100)
    (tmp_path / "huge.py").write_text(GLUON * 200_000, encoding="utf-8")  # about 11 MB
    (tmp_path / "latin.py").write_bytes("from mxnet import nd\n# caf\xe9\n".encode("latin-1"))
    (tmp_path / "declared.py").write_bytes(
        "# -*- coding: latin-1 -*-\nfrom mxnet import nd\n# café\nx = nd.ones(1)\n".encode("latin-1")
    )
    (tmp_path / "ok.py").write_text(GLUON, encoding="utf-8")
    report = scan(scanner, tmp_path)
    reasons = {Path(p.path).name: p for p in report.problems}
    assert set(reasons) == {"blob.py", "huge.py", "latin.py"}
    assert "binary" in reasons["blob.py"].message
    assert "too large" in reasons["huge.py"].message and "--max-size" in reasons["huge.py"].message
    assert "not valid utf-8 (byte 0xe9)" in reasons["latin.py"].message
    assert reasons["latin.py"].line == 2 and "coding" in reasons["latin.py"].message
    scanned = {Path(f.path).name: [x.api for x in f.findings] for f in report.files}
    assert scanned == {"declared.py": ["mx.nd.ones"], "ok.py": ["mx.nd.ones", ".asnumpy"]}


def test_symlink_loops_are_reported_not_followed_forever(scanner: Scanner, tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "model.py").write_text(GLUON, encoding="utf-8")
    (tmp_path / "pkg" / "again").symlink_to(tmp_path)  # leads back to an ancestor
    (tmp_path / "self.py").symlink_to(tmp_path / "self.py")  # points at itself
    report = scan(scanner, tmp_path)
    messages = sorted((Path(p.path).name, p.message.split(" (")[0]) for p in report.problems)
    assert messages == [("again", "symlink loop"), ("self.py", "symlink loop")]
    assert [Path(f.path).name for f in report.files] == ["model.py"]


def test_an_unreadable_file_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fwcheat.scan import sources

    locked = tmp_path / "locked.py"
    locked.write_text(GLUON, encoding="utf-8")
    locked.chmod(0)
    if os.geteuid() == 0:  # root reads every file: make this one fail as it would for a user

        def refuse(path: str, mode: str = "r") -> object:
            raise PermissionError(13, "Permission denied", path)

        monkeypatch.setattr(sources, "open", refuse, raising=False)
    problem = read(str(locked))
    assert isinstance(problem, sources.Unreadable)
    assert "cannot read it (Permission denied)" in problem.message


def test_a_broken_notebook_is_reported(scanner: Scanner, tmp_path: Path) -> None:
    (tmp_path / "bad.ipynb").write_text("{not json", encoding="utf-8")
    report = scan(scanner, tmp_path)
    assert [p.message.split(" (")[0] for p in report.problems] == ["not a valid notebook"]
