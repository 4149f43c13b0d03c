"""The built wheel ships the TUI's stylesheet and the knowledge base, and an install can use them.

A `.tcss` file left out of the wheel only shows up after a real install, as a
``StylesheetError`` at startup; so the wheel is built and installed here.
"""

from __future__ import annotations

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
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        timeout=300,
        capture_output=True,
    )
    [built] = out.glob("fwcheat-*.whl")
    return built


def test_wheel_contains_tcss_and_knowledge(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for tcss in (ROOT / "fwcheat").rglob("*.tcss"):
        assert tcss.relative_to(ROOT).as_posix() in names
    assert "fwcheat/tui/app.tcss" in names
    knowledge = sorted(p.name for p in (ROOT / "knowledge").glob("*.yaml"))
    assert knowledge
    for name in knowledge:
        assert f"fwcheat/_knowledge/{name}" in names


def test_installed_wheel_opens_the_tui(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        timeout=300,
    )
    probe = (
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
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env={
            "PYTHONPATH": str(target),
            "FWCHEAT_CACHE_DIR": str(tmp_path / "cache"),
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "PATH": "/usr/bin:/bin",
        },
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    module, count = done.stdout.split()
    assert module.startswith(str(target))  # the installed copy, not the checkout
    assert int(count) > 0
