"""The built wheel carries the knowledge base, and a non-editable install finds it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        timeout=300,
    )
    [built] = out.glob("fwcheat-*.whl")
    return built


def test_wheel_contains_every_knowledge_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    bundled = sorted(p.name for p in (ROOT / "knowledge").glob("*.yaml"))
    assert bundled, "the repo has knowledge files"
    for name in bundled:
        assert f"fwcheat/_knowledge/{name}" in names
    assert "fwcheat/_knowledge/README.md" in names


def test_installed_wheel_finds_its_knowledge(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        timeout=300,
    )
    probe = (
        "import json, fwcheat\n"
        "from fwcheat.knowledge.sources import bundled_dir\n"
        "from fwcheat.search import search\n"
        "print(json.dumps({'file': fwcheat.__file__, 'dir': str(bundled_dir()),"
        " 'top': search('attach_grad', 1)[0].entry.id}))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(target), "FWCHEAT_CACHE_DIR": str(tmp_path / "cache")}
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["file"].startswith(str(target))
    assert found["dir"] == str(target / "fwcheat" / "_knowledge")
    assert found["top"] == "autograd-record"
