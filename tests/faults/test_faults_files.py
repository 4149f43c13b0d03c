"""Every bad knowledge file of the fault campaign: a file:line problem, nothing worse.

For each case of :mod:`fault_cases`: the loader returns a problem naming the
file and the line (or loads the file, when it is valid YAML holding hostile
text), never raises, and stays within a time and memory bound. Then all of
them together in one knowledge folder: every command answers without a
traceback or a hang, the good entries still load, no escape sequence reaches
the terminal, and no file is altered.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from fault_cases import CASES, Case

from fwcheat.knowledge.loader import parse_file

pytestmark = pytest.mark.timeout(120)

GOOD = """\
id: still-good
title: Still good
title_zh: 仍然好
summary: Loads beside the broken files.
snippets:
  pytorch:
    code: y = 1
"""

#: What may reach a terminal: text, newlines, tabs and rich's colour codes (SGR); no other control.
_SGR = re.compile(r"\x1b\[[0-9;]*m")
_DANGEROUS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def dangerous(text: str) -> list[str]:
    return _DANGEROUS.findall(_SGR.sub("", text).replace("\r\n", "\n"))


@pytest.fixture
def category(knowledge_dir: Path) -> Path:
    folder = knowledge_dir / "misc"
    folder.mkdir()
    return folder


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_file_is_a_file_line_problem(case: Case, category: Path) -> None:
    path = case.make(category)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = parse_file(path)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    elapsed = time.perf_counter() - started
    assert elapsed < 5.0, f"{case.name}: {elapsed:.1f} s"
    assert peak < 64 * 1024 * 1024, f"{case.name}: {peak / 1e6:.0f} MB"
    errors = [p for p in result.problems if p.is_error]
    if case.line is None:
        assert not errors, [str(p) for p in errors]
        assert set(case.loads) <= {loaded.entry.id for loaded in result.entries}
        return
    assert not result.entries, "a broken file must not load half an entry"
    wanted = [p for p in errors if p.line == case.line and case.says.lower() in p.message.lower()]
    assert wanted, f"wanted line {case.line} saying {case.says!r}; got {[str(p) for p in errors]}"
    where = f"{path}:{case.line}: " if case.line else f"{path}: "
    assert str(wanted[0]).startswith(where)
    assert wanted[0].fix, "every problem says how to fix it"


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every entry under ``folder``: regular files by content hash, the rest by kind and link target."""
    found: dict[str, bytes | str] = {}
    for root, dirs, names in os.walk(folder):
        for name in dirs + names:
            path = os.path.join(root, name)
            if os.path.islink(path):
                found[path] = "link->" + os.readlink(path)
            elif os.path.isfile(path):
                found[path] = hashlib.sha256(Path(path).read_bytes()).digest()
            else:
                found[path] = oct(os.lstat(path).st_mode)
    return found


def run_cli(*args: str, terminal: bool = False) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "120"}
    env.pop("NO_COLOR", None)
    if terminal:
        env["FORCE_COLOR"] = "1"  # rich then renders as for a terminal (tables, panels, colour)
    return subprocess.run(
        [sys.executable, "-m", "fwcheat", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=env,
        timeout=60,
    )


@pytest.mark.slow
def test_every_command_survives_all_bad_files_together(category: Path) -> None:
    for case in CASES:
        case.make(category)
    (category / "still-good.yaml").write_text(GOOD, encoding="utf-8")
    before = snapshot(category.parent)
    loaded = [i for case in CASES for i in case.loads]

    validate = run_cli("validate")
    assert validate.returncode == 1
    runs = [validate]
    for case in CASES:
        if case.line is None or not case.walked:
            continue
        where = f"{case.file}:{case.line}: " if case.line else f"{case.file}: "
        shown = where.replace("\x1b", "\\x1b").replace("\u202e", "\\u202e")  # shown, not obeyed
        assert shown in validate.stderr, f"{case.name}: {shown!r} not reported"

    for terminal in (False, True):
        runs.append(listing := run_cli("list", "--category", "misc", terminal=terminal))
        assert listing.returncode == 0
        assert ("\x1b[" in listing.stdout) == terminal  # the terminal run really drew for a terminal
        for entry_id in ["still-good", *loaded]:
            assert entry_id in listing.stdout
        runs.append(search := run_cli("search", "osctest", terminal=terminal))
        assert search.returncode == 0 and "esc-title" in search.stdout
        assert "\\x1b]2;PWNED-TITLE" in search.stdout  # shown, not obeyed
        for entry_id in loaded:
            runs.append(show := run_cli("show", entry_id, "--setup", terminal=terminal))
            assert show.returncode == 0, show.stderr
    runs.append(found := run_cli("search", "osctest", "--json"))
    assert "\x1b]2;PWNED-TITLE" in json.loads(found.stdout)["results"][0]["title"]  # --json stays exact

    for run in runs:
        for stream in (run.stdout, run.stderr):
            assert "Traceback" not in stream, stream[-2000:]
            if run is not found:
                assert not dangerous(stream), (run.args, dangerous(stream)[:5])
    assert snapshot(category.parent) == before, "reading knowledge files must never change them"
