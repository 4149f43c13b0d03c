"""`fwcheat` run as a user runs it (a new process per command), in a folder of its own.

For the warm-kernel and resident-helper tests: each ``home`` holds its knowledge file, runtime
folder and config, so the kernels and helper a test leaves are its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def make_home(folder: Path, knowledge: str) -> Path:
    (folder / "kb.yaml").write_text(knowledge, encoding="utf-8")
    (folder / "run").mkdir()
    (folder / "config").mkdir()
    return folder


def env_for(home: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("CUDA_VISIBLE_DEVICES", "FWCHEAT_RESIDENT", "FWCHEAT_QUICK_RUN"):
        env.pop(name, None)
    env.update(
        FWCHEAT_KNOWLEDGE_PATH=str(home / "kb.yaml"),
        FWCHEAT_RUNTIME_DIR=str(home / "run"),
        FWCHEAT_CONFIG=str(home / "config" / "config.toml"),
    )
    env.update(extra)
    return env


def fwcheat(
    home: Path, *args: str, cwd: Path | None = None, **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fwcheat", *args],
        env=env_for(home, **extra),
        capture_output=True,
        text=True,
        timeout=180,
        cwd=cwd,
    )
