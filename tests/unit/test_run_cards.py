"""`fwcheat run`'s quick drawing (:mod:`fwcheat.run_cards`) equals rich's, byte for byte."""

from __future__ import annotations

import contextlib
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from terminal_modes import MODES, console_env

from fwcheat import fastcards, render_run, run_cards
from fwcheat.kernels.base import ErrorInfo, ExecutionResult, OutputEvent, Status

TRACEBACK = [
    "\x1b[0;31m---------------------------------------------------------------------------\x1b[0m",
    "\x1b[0;31mValueError\x1b[0m                                Traceback (most recent call last)",
    "Cell \x1b[0;32mIn[3], line 2\x1b[0m\n\x1b[1;32m      1\x1b[0m x = 1\n"
    "\x1b[0;32m----> 2\x1b[0m math.sqrt(-x)",
    "\x1b[0;31mValueError\x1b[0m: math domain error",
]

RESULTS = {
    "printed": {
        "pytorch": ExecutionResult(
            Status.OK,
            [
                OutputEvent("stdout", "tensor([[1., 2.],\n        [3., 4.]])\n"),
                OutputEvent("result", "[1, 2]"),
            ],
            duration=0.0123,
        )
    },
    "warned": {
        "pytorch": ExecutionResult(
            Status.OK,
            [
                OutputEvent("stdout", "sum 42\n"),
                OutputEvent("stderr", "/tmp/x.py:3: UserWarning: careful\n  warnings.warn('careful')\n"),
            ],
            duration=0.005,
        )
    },
    "empty": {"tensorflow": ExecutionResult(Status.OK, [], duration=0.001)},
    "error": {
        "mxnet": ExecutionResult(
            Status.ERROR,
            [OutputEvent("stdout", "before\n")],
            error=ErrorInfo("ValueError", "math domain error", TRACEBACK),
            duration=0.2,
        )
    },
    "timeout": {
        "keras": ExecutionResult(
            Status.TIMED_OUT,
            [OutputEvent("stdout", "before\n")],
            reason="timed out after 1.5 s; interrupted",
            duration=1.5,
            truncated=True,
        )
    },
    "died": {"pytorch": ExecutionResult(Status.DIED, reason="the kernel is gone (its process ended)")},
    "long lines": {
        "pytorch": ExecutionResult(
            Status.OK,
            [OutputEvent("stdout", "word " * 60 + "\n" + "x" * 250 + "\n   indented   \n\n\n")],
            duration=3.0,
        )
    },
    "two stacked": {
        "pytorch": ExecutionResult(Status.OK, [OutputEvent("stdout", "1\n")], duration=0.01),
        "mxnet": ExecutionResult(Status.OK, [OutputEvent("stdout", "\n[1.]\n<NDArray 1 @cpu(0)>\n")]),
    },
    "hostile": {
        "pytorch": ExecutionResult(Status.OK, [OutputEvent("stdout", "\x1b]0;pwned\x07ok\x1b[2J\r\n")])
    },
}


class _Pipe(io.StringIO):
    def isatty(self) -> bool:
        return False


def both(mode: str, width: int, title: str, results: dict[str, ExecutionResult]) -> tuple[str | None, str]:
    with console_env({**MODES[mode], "COLUMNS": str(width), "LINES": "40"}):
        stream = _Pipe()
        term = fastcards.terminal(stream)
        assert term is not None
        quick = run_cards.draw(term, title, "some-entry", "cpu", results, 0.0456)
        with contextlib.redirect_stdout(stream):
            render_run.write_results(title, "some-entry", "cpu", results, 0.0456)
        return quick, stream.getvalue()


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("width", [40, 80, 160])
@pytest.mark.parametrize("case", list(RESULTS))
def test_the_quick_drawing_is_riches(case: str, width: int, mode: str) -> None:
    quick, rich_text = both(
        mode, width, "A title long enough to wrap on a narrow terminal, surely", RESULTS[case]
    )
    if case == "two stacked" and width >= 100:
        assert quick is None  # side by side: rich's table
        return
    assert quick is not None, "declined"
    assert quick == rich_text


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from(list("ab cd\n  x-")), max_size=300),
    width=st.integers(min_value=fastcards.MIN_WIDTH, max_value=70),
)
def test_any_ascii_output_at_any_width(text: str, width: int) -> None:
    results = {"pytorch": ExecutionResult(Status.OK, [OutputEvent("stdout", text)], duration=0.002)}
    quick, rich_text = both("256", width, "t", results)
    if quick is not None:
        assert quick == rich_text


def test_what_it_does_not_mirror_goes_to_rich() -> None:
    wide = {"pytorch": ExecutionResult(Status.OK, [OutputEvent("stdout", "张量\n")])}
    tabs = {"pytorch": ExecutionResult(Status.OK, [OutputEvent("stdout", "a\tb\n")])}
    for results in (wide, tabs):
        assert both("pipe", 80, "t", results)[0] is None
    assert both("pipe", 80, "标题", RESULTS["printed"])[0] is None


def test_its_styles_are_render_runs() -> None:
    assert {s.value: style for s, style in render_run.RUN_STYLE.items()} == run_cards.RUN_STYLE
    assert run_cards.SIDE_BY_SIDE_MIN_WIDTH == render_run.SIDE_BY_SIDE_MIN_WIDTH
