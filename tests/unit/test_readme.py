"""The README's Quick start is what CI runs: exactly two commands, the second called by .ci/run."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def quick_start_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", section, re.S)]


def test_quick_start_has_exactly_two_commands() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2
    assert all("\n" not in c for c in commands)
    assert commands[0].endswith("fwcheat search autograd")
    assert "pytest" in commands[1]
    assert all("-c constraints.txt" in c for c in commands)


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert quick_start_commands()[1] in ci.splitlines()


def test_constraints_pin_torch_and_numpy() -> None:
    pins = (ROOT / "constraints.txt").read_text(encoding="utf-8")
    # The pair that lies on these machines' disk: any other torch spec downloads gigabytes.
    assert re.search(r"^torch==2\.14\.1$", pins, re.M)
    assert re.search(r"^torchvision==0\.29\.1$", pins, re.M)
    assert re.search(r"^numpy<1\.24$", pins, re.M)
    assert re.search(r"^tensorflow-cpu==2\.17\.1$", pins, re.M)
