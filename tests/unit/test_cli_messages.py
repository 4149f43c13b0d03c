"""Messages and plain output (issue #14, items 11, 13, 14 and 15)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fwcheat import frameworks
from fwcheat.cli import main
from fwcheat.commands._common import counted as plural
from fwcheat.kernels.base import ErrorInfo, ExecutionResult, Status
from fwcheat.kernels.jupyter import describe_exit
from fwcheat.render_run import result_panel, summary_line


def run_cli(*args: str, stdin: int | None = subprocess.DEVNULL) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fwcheat", *args],
        capture_output=True,
        text=True,
        stdin=stdin,
        env={**os.environ, "COLUMNS": "80"},
        timeout=60,
    )


# -- 11: messages for an installed user ----------------------------------------------


def test_install_hint_names_constraints_only_in_a_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    checkout = Path(frameworks.__file__).resolve().parent.parent
    row = frameworks.TABLE[0]
    has = (checkout / "constraints.txt").is_file()
    assert ("constraints.txt" in row.install_hint) == has
    real = os.path.isfile
    monkeypatch.setattr(os.path, "isfile", lambda p: False if str(p).endswith("constraints.txt") else real(p))
    assert row.install_hint == f"pip install 'fwcheat[{row.extra}]'"


def test_a_missing_framework_is_labelled_not_run_not_died() -> None:
    result = ExecutionResult(Status.DIED, error=ErrorInfo("KernelUnavailable", "cannot be imported"))
    subtitle = str(result_panel(frameworks.TABLE[0].key, result).subtitle)
    assert "not run" in subtitle and "died" not in subtitle and "ms" not in subtitle


# -- 13: plain output when piped -----------------------------------------------------


def test_piped_output_has_no_hard_wrap_and_no_trailing_spaces() -> None:
    result = run_cli("search", "attach_grad", "--limit", "1")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    more = [line for line in lines if line.startswith("More:")]
    assert more and more[0].endswith("(fwcheat show ID)")  # one line, however long
    assert all(line == line.rstrip() for line in lines)
    nothing = run_cli("search", "zzqqxx", "qqzzyyxx", "xxyyqqzz", "zzyyxxqq", "qqxxzzyy", "yyzzqqxx")
    assert nothing.returncode == 1
    assert len(nothing.stderr.strip().splitlines()) == 1 and nothing.stderr.strip() == nothing.stderr.rstrip()


def test_empty_query_is_a_usage_error() -> None:
    result = run_cli("search", "")
    assert result.returncode == 2 and "give some words" in result.stderr
    assert "No idiom matches" not in result.stderr


def test_verify_summary_is_plain_when_piped() -> None:
    line = summary_line([], 1.25)
    assert line == "fwcheat verify: 0 total, 0 pass, 0 fail, 0 skip (1.2 s)"
    assert not any(ch in line for ch in "┏━│┃╭")


# -- 14: no terminal -----------------------------------------------------------------


def test_no_tui_without_a_terminal() -> None:
    result = run_cli()
    assert result.returncode == 2
    assert "needs a terminal" in result.stderr and "fwcheat search" in result.stderr
    assert result.stdout == "" and "\x1b[" not in result.stderr


def test_fwcheat_piped_into_head_does_not_hang() -> None:
    shell = f"{sys.executable} -m fwcheat | head -5"
    result = subprocess.run(["sh", "-c", shell], capture_output=True, text=True, timeout=60)
    assert "needs a terminal" in result.stderr


# -- 15: wording ---------------------------------------------------------------------


def test_plurals_agree() -> None:
    assert plural(1, "file") == "1 file" and plural(2, "file") == "2 files" and plural(0, "file") == "0 files"
    assert plural(1, "entry", "entries") == "1 entry" and plural(3, "entry", "entries") == "3 entries"


def test_kernel_death_reads_as_a_sentence() -> None:
    import signal

    assert f"the kernel {describe_exit(-signal.SIGABRT)}" == "the kernel was killed by SIGABRT (aborted)"
    assert f"the previous kernel {describe_exit(-signal.SIGKILL)}".startswith(
        "the previous kernel was killed by SIGKILL"
    )


def test_result_headers_show_no_score_unless_verbose(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "attach_grad", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert "score" not in out and "matched" not in out
    assert main(["search", "attach_grad", "--limit", "1", "--verbose"]) == 0
    assert "score" in capsys.readouterr().out


def test_list_category_did_you_mean_and_one_line_count(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "-c", "loss"]) == 1
    err = capsys.readouterr().err
    assert "Did you mean: losses?" in err and len(err.strip().splitlines()) == 1
    assert main(["list", "-c", "losses"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows and all(row.split("\t")[1] == "losses" for row in rows)
