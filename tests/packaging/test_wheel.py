"""The built wheel ships the knowledge base and the TUI's stylesheets, and an installed copy uses them.

Files left out of a wheel (YAML data, `.tcss`) only show up after a real,
non-editable install, so the wheel is built once and installed into a folder
that the probes import from instead of the checkout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


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


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        timeout=300,
    )
    return target


def probe(installed: Path, tmp_path: Path, code: str) -> str:
    """Run ``code`` against the installed copy (not the checkout); its stdout."""
    env = {
        **os.environ,
        "PYTHONPATH": str(installed),
        "FWCHEAT_CACHE_DIR": str(tmp_path / "cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_wheel_contains_every_knowledge_file_and_stylesheet(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    knowledge = sorted(
        p.relative_to(ROOT / "knowledge").as_posix() for p in (ROOT / "knowledge").rglob("*.yaml")
    )
    assert len(knowledge) > 100, "the repo has knowledge files, one entry each"
    for name in knowledge:
        assert f"fwcheat/_knowledge/{name}" in names
    assert "fwcheat/_knowledge/README.md" in names
    stylesheets = [p.relative_to(ROOT).as_posix() for p in (ROOT / "fwcheat").rglob("*.tcss")]
    assert "fwcheat/tui/app.tcss" in stylesheets
    for tcss in stylesheets:
        assert tcss in names


def test_installed_wheel_searches_its_knowledge(installed: Path, tmp_path: Path) -> None:
    code = (
        "import json, fwcheat\n"
        "from fwcheat.knowledge.sources import bundled_dir\n"
        "from fwcheat.search import Searcher\n"
        "print(json.dumps({'file': fwcheat.__file__, 'dir': str(bundled_dir()),"
        " 'top': Searcher().search('attach_grad', 1)[0].entry.id}))\n"
    )
    found = json.loads(probe(installed, tmp_path, code))
    assert found["file"].startswith(str(installed))
    assert found["dir"] == str(installed / "fwcheat" / "_knowledge")
    assert found["top"] == "autograd-record"


def test_installed_wheel_opens_the_tui(installed: Path, tmp_path: Path) -> None:
    code = (
        "import asyncio, fwcheat.tui.app as m\n"
        "from fwcheat.tui.widgets.results import ResultsList\n"
        "async def main():\n"
        "    app = m.FwcheatApp(start_kernels=False)\n"
        "    async with app.run_test(size=(100, 30)) as pilot:\n"
        "        for _ in range(200):\n"
        "            await pilot.pause(0.05)\n"
        "            if app.query_one(ResultsList).cards: break\n"
        "        print(m.__file__, len(app.query_one(ResultsList).cards))\n"
        "asyncio.run(main())\n"
    )
    module, count = probe(installed, tmp_path, code).split()
    assert module.startswith(str(installed))  # the installed copy, with its own app.tcss
    assert int(count) > 0


def test_wheel_ships_the_fwcheat_command_as_a_plain_script(wheel: Path) -> None:
    """Not a generated console script (those `import re` first): `scripts/fwcheat`, made executable
    by the installer with its own Python on the first line."""
    archive = zipfile.ZipFile(wheel)
    [script] = [n for n in archive.namelist() if n.endswith(".data/scripts/fwcheat")]
    text = archive.read(script).decode("utf-8")
    assert text.startswith("#!python\n")
    assert "from fwcheat.launch import main" in text
    assert not any(n.endswith("entry_points.txt") for n in archive.namelist())


def test_installed_command_runs(installed: Path, tmp_path: Path) -> None:
    command = installed / "bin" / "fwcheat"
    assert command.read_text(encoding="utf-8").startswith(f"#!{sys.executable}\n")
    env = {
        **os.environ,
        "PYTHONPATH": str(installed),
        "FWCHEAT_CACHE_DIR": str(tmp_path / "cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    done = subprocess.run(
        [str(command), "search", "attach_grad", "--json", "-n", "1"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["results"][0]["id"] == "autograd-record"
