"""Two real `fwcheat verify --update` runs on one file at once: both outputs land.

The race itself is made certain, without kernels, in ``test_faults_writes.py``;
this runs the whole command twice in parallel with real kernels, end to end.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = [pytest.mark.kernels, pytest.mark.slow, pytest.mark.timeout(300)]

FILE = """\
# two entries, updated by two processes at once
entries:
  - id: race-one
    title: Race one
    title_zh: 一
    category: misc
    summary: Prints one.
    snippets:
      pytorch:
        code: print("one")

  - id: race-two
    title: Race two
    title_zh: 二
    category: misc
    summary: Prints two.
    snippets:
      pytorch:
        code: print("two")
"""


def test_two_verify_updates_at_once_both_land(tmp_path: Path) -> None:
    path = tmp_path / "race.yaml"
    path.write_bytes(FILE.replace("\n", "\r\n").encode())
    path.chmod(0o640)
    env = {**os.environ, "FWCHEAT_KNOWLEDGE_PATH": str(path), "FWCHEAT_CACHE_DIR": str(tmp_path / "cache")}
    subprocess.run([sys.executable, "-m", "fwcheat", "list"], env=env, capture_output=True, timeout=120)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "fwcheat", "verify", "--update", entry_id],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for entry_id in ("race-one", "race-two")
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, out + err
        assert "recorded 1 output in 1 file" in out
        assert "Traceback" not in out + err
    raw = path.read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n"), "still CRLF"
    assert path.stat().st_mode & 0o777 == 0o640
    data = yaml.safe_load(raw.decode())
    assert [e["snippets"]["pytorch"].get("output") for e in data["entries"]] == ["one\n", "two\n"]
