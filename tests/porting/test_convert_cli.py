"""`fwcheat weights convert` on bad input: exit 2, a message naming the problem, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from fwcheat.cli import main


def test_a_missing_checkpoint_is_exit_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.pt"
    status = main(
        ["weights", "convert", str(tmp_path / "missing.params"), "--pytorch", "x.py:f", "--out", str(out)]
    )
    err = capsys.readouterr().err
    assert status == 2
    assert "missing.params" in err and "nothing was written" in err
    assert not out.exists() and not (tmp_path / "out.map.yaml").exists()
