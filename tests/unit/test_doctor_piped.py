"""`fwcheat doctor` into a pipe or file: the report is whole, not cut to 80 columns."""

from __future__ import annotations

from typing import Any

import pytest

from fwcheat.cli import main
from fwcheat.commands import doctor


def test_piped_table_keeps_long_versions_and_paths(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    executable = "/opt/a/rather/long/path/to/a/virtual/environment/bin/python3.11"
    report: dict[str, Any] = {
        "fwcheat": "0.1.0",
        "python": "3.11.7",
        "executable": executable,
        "jupyter_client": "8.10.0",
        "ipykernel": "7.4.0",
        "problems": [],
        "frameworks": {
            "pytorch": {
                "ok": True,
                "version": "2.14.1+cu130",
                "kernel": "this interpreter",
                "python": "3.11.7",
                "executable": executable,
                "gpus": 0,
                "devices": ["cpu"],
            }
        },
    }
    monkeypatch.setattr(doctor, "_collect", lambda: report)
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "2.14.1+cu130" in out and f"3.11.7 {executable}" in out
    assert "…" not in out
