"""A long-lived process (the resident run helper) re-uses knowledge scans, and never a stale one."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fwcheat.knowledge import sources


@pytest.fixture(params=["inotify", "stat"])
def remembering(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setattr(sources, "_remembered", None)
    monkeypatch.setattr(sources, "_watch", None)
    sources.remember_scans()
    if request.param == "stat":
        monkeypatch.setattr(sources, "_watch", None)
    elif sources._watch is None:
        pytest.skip("no inotify here")
    yield str(request.param)


def scan(folder: Path) -> list[str]:
    files, stamps = sources._scan(str(folder))
    assert None not in stamps
    return [os.path.relpath(f, folder) for f in files]


def touch_later(path: Path, text: str) -> None:
    """Write ``text`` in place (same size, as an editor saving a one-letter fix might)."""
    before = path.stat().st_mtime_ns
    while True:
        path.write_text(text, encoding="utf-8")
        if path.stat().st_mtime_ns != before:
            return
        time.sleep(0.01)  # a coarse clock: make the change visible


def test_a_kept_scan_follows_every_change(tmp_path: Path, remembering: str) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.yaml").write_text("x: 1\n", encoding="utf-8")
    (tmp_path / "two.yaml").write_text("y: 2\n", encoding="utf-8")
    assert scan(tmp_path) == ["two.yaml", "a/one.yaml"]
    kept = sources._remembered
    assert kept is not None and str(tmp_path) in kept
    assert kept[str(tmp_path)][3] is (remembering == "inotify")

    stamp = sources._scan(str(tmp_path))[1]
    touch_later(tmp_path / "a" / "one.yaml", "x: 3\n")  # edited in place, same size
    assert sources._scan(str(tmp_path))[1] != stamp

    (tmp_path / "a" / "three.yaml").write_text("z: 3\n", encoding="utf-8")  # added in a subfolder
    assert scan(tmp_path) == ["two.yaml", "a/one.yaml", "a/three.yaml"]
    (tmp_path / "two.yaml").unlink()  # removed
    assert scan(tmp_path) == ["a/one.yaml", "a/three.yaml"]
    (tmp_path / "a" / "one.yaml").rename(tmp_path / "a" / "zero.yaml")  # renamed
    assert scan(tmp_path) == ["a/three.yaml", "a/zero.yaml"]
    (tmp_path / "b").mkdir()  # a new folder, then a file in it
    assert scan(tmp_path) == ["a/three.yaml", "a/zero.yaml"]
    (tmp_path / "b" / "four.yaml").write_text("w: 4\n", encoding="utf-8")
    assert scan(tmp_path) == ["a/three.yaml", "a/zero.yaml", "b/four.yaml"]


def test_a_missing_folder_is_looked_for_again(tmp_path: Path, remembering: str) -> None:
    folder = tmp_path / "later"
    assert scan(folder) == []
    folder.mkdir()
    (folder / "one.yaml").write_text("x: 1\n", encoding="utf-8")
    assert scan(folder) == ["one.yaml"]


def test_one_shot_commands_keep_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "_remembered", None)
    (tmp_path / "one.yaml").write_text("x: 1\n", encoding="utf-8")
    assert scan(tmp_path) == ["one.yaml"]
    assert sources._remembered is None
