"""Normalising recorded and actual output before comparing."""

from __future__ import annotations

from fwcheat.outputs import normalise, output_diff, outputs_match, strip_ansi


def test_trailing_whitespace_and_outer_blank_lines_are_ignored() -> None:
    assert normalise("\n\n  a  \nb\t\n\n\n") == "  a\nb"


def test_blank_lines_inside_are_kept() -> None:
    assert normalise("a\n\nb") == "a\n\nb"
    assert not outputs_match("a\nb", "a\n\nb")


def test_memory_addresses_are_ignored() -> None:
    assert outputs_match("<Foo at 0x7f3a2b1c>", "<Foo at 0x55d0aa00ff10>")


def test_device_suffixes_are_ignored() -> None:
    assert outputs_match("<NDArray 2x3 @cpu(0)>", "<NDArray 2x3 @gpu(0)>")
    assert outputs_match("tensor([1., 2.])", "tensor([1., 2.], device='cuda:0')")
    assert outputs_match(
        "tensor([1., 2.], requires_grad=True)",
        "tensor([1., 2.], device='cuda:1', requires_grad=True)",
    )


def test_real_differences_are_not_hidden() -> None:
    assert not outputs_match("tensor([1., 2.])", "tensor([1., 3.])")
    assert not outputs_match("[1. 2.]\n<NDArray 2 @cpu(0)>", "[1. 2.]\n<NDArray 3 @cpu(0)>")


def test_crlf_matches_lf() -> None:
    assert outputs_match("a\r\nb\r\n", "a\nb")


def test_diff_shows_both_sides() -> None:
    diff = output_diff("a\nb\n", "a\nc\n")
    assert "-b" in diff and "+c" in diff
    assert output_diff("x", "x  \n") == ""


def test_strip_ansi() -> None:
    assert strip_ansi("\x1b[0;31mValueError\x1b[0m: x") == "ValueError: x"
