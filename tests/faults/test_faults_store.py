"""The index cache under faults: corrupt, truncated, full disk, deleted mid-rebuild, killed.

Whatever happens to the cache, a command answers correctly (from an
in-memory index when the file cannot be used), a corrupt file is detected
and rebuilt, and what a killed rebuild left behind is removed by the next.
"""

from __future__ import annotations

import glob
import os
import shutil
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from fwcheat.search import Searcher
from fwcheat.store import open_store

pytestmark = pytest.mark.timeout(180)

ENTRY = """\
id: {id}
title: Cache test {id}
title_zh: 缓存
summary: An entry for the cache tests.
snippets:
  pytorch:
    code: y = {n}
"""


@pytest.fixture
def small_base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tiny bundled knowledge base (rebuilds take milliseconds) and a private cache dir."""
    import fwcheat.knowledge.sources as sources
    import fwcheat.store as store

    root = tmp_path / "bundled"
    (root / "misc").mkdir(parents=True)
    for n in range(5):
        (root / "misc" / f"cache-{n}.yaml").write_text(ENTRY.format(id=f"cache-{n}", n=n), encoding="utf-8")
    monkeypatch.setattr(sources, "bundled_root", lambda: str(root))
    monkeypatch.setattr(store, "bundled_root", lambda: str(root))
    monkeypatch.setenv("FWCHEAT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("FWCHEAT_KNOWLEDGE_PATH", raising=False)
    return root


def index_file(tmp_path: Path) -> Path:
    [path] = glob.glob(str(tmp_path / "cache" / "index-*.sqlite"))
    return Path(path)


def search_ids(query: str = "cache") -> list[str]:
    return [hit.card.id for hit in Searcher(open_store()).search(query, limit=10)]


def test_corrupt_pages_behind_an_intact_stamp_are_detected_and_rebuilt(
    small_base: Path, tmp_path: Path
) -> None:
    expected = sorted(search_ids())
    assert len(expected) == 5
    path = index_file(tmp_path)
    data = bytearray(path.read_bytes())
    page = 4096 if len(data) > 8192 else 1024
    for offset in range(2 * page, len(data), page):  # every page but the first (the stamp lives early)
        data[offset : offset + page // 2] = b"\xa5" * (page // 2)
    path.write_bytes(bytes(data))
    store = open_store()
    assert not store.rebuilt  # the stamp still reads: the damage is found by a query...
    assert sorted(hit.card.id for hit in Searcher(store).search("cache", limit=10)) == expected
    assert len(store.knowledge()) == 5
    assert not path.exists()  # ...which deleted the corrupt file
    assert sorted(search_ids()) == expected
    assert index_file(tmp_path).exists()  # and the next command rebuilt it


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "folder"])
def test_damaged_index_file_is_rebuilt(small_base: Path, tmp_path: Path, damage: str) -> None:
    search_ids()
    path = index_file(tmp_path)
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:3000])
    elif damage == "garbage":
        path.write_bytes(os.urandom(50_000))
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        path.unlink()
        path.mkdir()
    assert len(search_ids()) == 5


def test_full_disk_falls_back_to_memory(small_base: Path, tmp_path: Path) -> None:
    # RLIMIT_FSIZE makes every write past 16 KB fail with EFBIG, as a full disk would.
    script = textwrap.dedent(
        f"""
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (16_000, 16_000))
        import fwcheat.knowledge.sources as sources, fwcheat.store as store
        sources.bundled_root = store.bundled_root = lambda: {str(small_base)!r}
        from fwcheat.search import Searcher
        s = store.open_store()
        print(s.rebuilt, len(Searcher(s).search("cache", limit=10)))
        """
    )
    for _ in range(2):  # the second run meets the first one's leftovers, if any
        run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        assert run.stdout.split() == ["True", "5"]
        assert "Traceback" not in run.stderr
    assert not glob.glob(str(tmp_path / "cache" / "*.tmp*"))


def test_cache_dir_deleted_during_rebuilds(small_base: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    stop = threading.Event()

    def delete_forever() -> None:
        while not stop.is_set():
            shutil.rmtree(cache, ignore_errors=True)

    deleter = threading.Thread(target=delete_forever, daemon=True)
    deleter.start()
    failures = []
    try:
        for n in range(40):
            # Touch a file so that every open rebuilds.
            os.utime(small_base / "misc" / "cache-0.yaml", ns=(n * 10**9, n * 10**9))
            try:
                assert len(search_ids()) == 5
            except Exception as exc:  # counted, so the figure is in the failure message
                failures.append(repr(exc))
    finally:
        stop.set()
        deleter.join()
    assert not failures, failures[:3]


def test_killed_rebuild_leftovers_are_removed(small_base: Path, tmp_path: Path) -> None:
    search_ids()
    cache = tmp_path / "cache"
    tmp = cache / f"{index_file(tmp_path).name}x1y2z3.tmp"
    tmp.write_bytes(b"\0" * 100_000)
    (cache / f"{tmp.name}-journal").write_bytes(b"\0" * 1000)
    os.utime(small_base / "misc" / "cache-1.yaml", ns=(10**9, 10**9))  # next open rebuilds
    assert len(search_ids()) == 5
    assert not glob.glob(str(cache / "*.tmp*"))


def test_cache_and_index_are_private(small_base: Path, tmp_path: Path) -> None:
    search_ids()
    cache = tmp_path / "cache"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert stat.S_IMODE(index_file(tmp_path).stat().st_mode) == 0o600


@pytest.mark.slow
def test_concurrent_searches_after_a_change_all_answer(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge" / "misc"
    knowledge.mkdir(parents=True)
    (knowledge / "cache-9.yaml").write_text(ENTRY.format(id="cache-9", n=9), encoding="utf-8")
    env = {
        **os.environ,
        "FWCHEAT_KNOWLEDGE_PATH": str(knowledge.parent),
        "FWCHEAT_CACHE_DIR": str(tmp_path / "cache"),
    }
    command = [sys.executable, "-m", "fwcheat", "search", "cache", "test", "--json"]
    procs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(6)
    ]
    outs = [proc.communicate(timeout=150) for proc in procs]
    for proc, (out, err) in zip(procs, outs, strict=True):
        assert proc.returncode == 0, err
        assert "Traceback" not in err
        assert '"id": "cache-9"' in out
    assert not glob.glob(str(tmp_path / "cache" / "*.tmp*"))
