"""One snippet cannot spoil the next entry's recorded output (`verify --update`).

A snippet that replaces ``sys.stdout`` with a ``StringIO`` made the following
entry record ``output: ""``; one that closed ``sys.stdout`` made every later
entry fail. Each entry lives in its own file, as in the knowledge base.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from fwcheat.cli import main

pytestmark = [pytest.mark.kernels, pytest.mark.timeout(300)]

ENTRY = """\
id: {id}
title: {id}
title_zh: 测试
summary: A snippet for the isolation test.
snippets:
  pytorch:
    code: |
{code}
"""

ENTRIES = {
    "iso-1-swap": "import io, sys\nsys.stdout = io.StringIO()\nprint('swallowed')",
    "iso-2-after-swap": "print('after the swap')",
    "iso-3-close": "import sys\nsys.stdout.close()\nsys.stderr.close()",
    "iso-4-after-close": "print('after the close')\n6 * 7",
}


def test_verify_update_records_each_entry_after_a_broken_stream(
    knowledge_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = knowledge_dir / "test"
    folder.mkdir()
    for entry_id, code in ENTRIES.items():
        body = "\n".join("      " + line for line in code.splitlines())
        (folder / f"{entry_id}.yaml").write_text(ENTRY.format(id=entry_id, code=body), encoding="utf-8")
    status = main(["verify", "--update", *ENTRIES])
    out = capsys.readouterr().out
    assert status == 0, out

    def recorded(entry_id: str) -> str | None:
        data = yaml.safe_load((folder / f"{entry_id}.yaml").read_text(encoding="utf-8"))
        return data["snippets"]["pytorch"].get("output")

    assert recorded("iso-2-after-swap") == "after the swap\n"
    assert recorded("iso-4-after-close") == "after the close\n42\n"
    assert main(["verify", *ENTRIES]) == 0
