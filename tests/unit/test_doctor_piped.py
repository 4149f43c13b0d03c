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


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        ({"runtime_dir": "/run/x", "warm_kernels": [{"pid": 1}, {"pid": 2}]}, "warm kernels: 2 running"),
        ({"runtime_dir": "/run/x", "warm_kernels": []}, "warm kernels: none running"),
        ({"runtime_dir": "/run/x", "warm_kernels": [], "warm": False}, "warm kernels: off (`warm = false`"),
        ({"runtime_dir": None, "runtime_error": "Permission denied"}, "warm kernels: unavailable"),
    ],
)
def test_doctor_says_where_warm_kernels_stand(
    extra: dict[str, Any], said: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    report: dict[str, Any] = {
        "fwcheat": "0.1.0",
        "python": "3.11.7",
        "executable": "/usr/bin/python3",
        "jupyter_client": "8.10.0",
        "ipykernel": "7.4.0",
        "problems": [],
        "frameworks": {},
        **extra,
    }
    monkeypatch.setattr(doctor, "_collect", lambda: report)
    assert main(["doctor"]) == 0  # never a failure: run and verify use private kernels instead
    assert said in capsys.readouterr().out
