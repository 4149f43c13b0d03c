"""Rendering run results and verify reports as text (no kernels needed)."""

from __future__ import annotations

import io

import numpy as np
from rich.console import Console

from fwcheat.compare import compare_arrays
from fwcheat.kernels.base import ErrorInfo, ExecutionResult, OutputEvent, Status
from fwcheat.kernels.base import ExecutionResult as Result
from fwcheat.render_run import print_results, report_line, summary_table
from fwcheat.verify import EntryReport, check_snippet


def render(width: int, **kwargs: object) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None)
    print_results(console, **kwargs)  # type: ignore[arg-type]
    return console.file.getvalue()  # type: ignore[attr-defined]


def results() -> dict[str, ExecutionResult]:
    ok = Result(Status.OK, [OutputEvent("stdout", "tensor([1.])\n")], duration=0.012)
    failed = Result(
        Status.ERROR,
        [OutputEvent("stdout", "before\n")],
        error=ErrorInfo("ValueError", "bad", ["\x1b[31mValueError\x1b[0m: bad"]),
        duration=0.02,
    )
    return {"pytorch": ok, "mxnet": failed}


def test_side_by_side_on_wide_terminal() -> None:
    text = render(140, results=results())
    line = next(line for line in text.splitlines() if "PyTorch" in line)
    assert "MXNet/Gluon" in line  # both panel titles on one line
    assert "ok · 12 ms" in text and "error · 20 ms" in text
    assert "ValueError: bad" in text and "\x1b" not in text


def test_stacked_on_narrow_terminal() -> None:
    text = render(60, results=results())
    assert not any("PyTorch" in line and "MXNet" in line for line in text.splitlines())
    assert text.index("PyTorch") < text.index("MXNet/Gluon")


def test_verdict_and_wall_time_are_shown() -> None:
    verdict = compare_arrays("y", np.ones(2), np.ones(2) * 2)
    text = render(120, results=results(), verdict=verdict, wall=0.5)
    assert "compare: differ" in text and "shapes (2,) / (2,)" in text
    assert "wall time 500 ms" in text


def test_timeout_and_death_reasons_are_shown() -> None:
    timed_out = Result(Status.TIMED_OUT, reason="timed out after 1 s; interrupted", duration=1.0)
    text = render(120, results={"pytorch": timed_out})
    assert "timed out after 1 s" in text and "timed out · 1000 ms" in text


def test_report_line_and_summary() -> None:
    ok = Result(Status.OK, [OutputEvent("stdout", "a\n")])
    passed = EntryReport("e-pass", {"pytorch": check_snippet("pytorch", ok, "a")})
    failed = EntryReport("e-fail", {"pytorch": check_snippet("pytorch", ok, "b")})
    skipped = EntryReport("e-skip", skipped="needs 1 GPU; --device is cpu")
    assert report_line(passed).plain.startswith("PASS e-pass")
    assert "PyTorch: output differs" in report_line(failed).plain
    assert "(needs 1 GPU" in report_line(skipped).plain
    console = Console(file=io.StringIO(), width=80, color_system=None)
    console.print(summary_table([passed, failed, skipped], wall=2.0))
    table = console.file.getvalue()  # type: ignore[attr-defined]
    for row in ("pass", "fail", "skip", "total"):
        assert row in table
    assert "2.0 s" in table


def test_each_frameworks_verdict_is_shown_against_the_reference() -> None:
    from dataclasses import replace

    agree = replace(compare_arrays("y", np.ones(2), np.ones(2)), frameworks=("pytorch", "tensorflow"))
    differ = replace(compare_arrays("y", np.ones(2), np.zeros(2)), frameworks=("pytorch", "keras"))
    four = {**results(), "tensorflow": results()["pytorch"], "keras": results()["pytorch"]}
    text = render(220, results=four, verdict={"tensorflow": agree, "keras": differ})
    assert "compare TensorFlow vs PyTorch: agree" in text
    assert "compare Keras vs PyTorch: differ" in text
    title_line = next(line for line in text.splitlines() if "PyTorch" in line)
    assert "Keras" in title_line  # four panels side by side at 220 columns
    stacked = render(150, results=four)
    assert not any("PyTorch" in line and "Keras" in line for line in stacked.splitlines())
