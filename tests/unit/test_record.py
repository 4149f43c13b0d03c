"""Rewriting recorded outputs in knowledge YAML, keeping the rest byte-for-byte."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from fwcheat.record import RecordError, clean_output, update_file, update_text

SOURCE = """\
# file comment
entries:
  - id: one   # trailing comment
    title: One
    snippets:
      pytorch:
        setup: |
          import torch
        code: |
          print(torch.ones(2))

        # a comment between keys
        output: |
          TODO


      mxnet:    # mx comment
        code: "print(2)"  # inline code comment
  - id: two
    snippets:
      mxnet:
        code: print(3)
        output: old value
      pytorch:
        code: |
          print(4)"""


def outputs(text: str) -> dict[tuple[str, str], str | None]:
    data = yaml.safe_load(text)
    return {(e["id"], fw): s.get("output") for e in data["entries"] for fw, s in e["snippets"].items()}


def test_replaces_existing_block_and_keeps_everything_else() -> None:
    new = update_text(SOURCE, {("one", "pytorch"): "tensor([1., 1.])\n"})
    assert outputs(new)[("one", "pytorch")] == "tensor([1., 1.])\n"
    assert new == SOURCE.replace("          TODO\n", "          tensor([1., 1.])\n")


def test_inserts_output_after_code_when_missing() -> None:
    new = update_text(SOURCE, {("one", "mxnet"): "2\n", ("two", "pytorch"): "4\n"})
    got = outputs(new)
    assert got[("one", "mxnet")] == "2\n"
    assert got[("two", "pytorch")] == "4\n"
    assert '        code: "print(2)"  # inline code comment\n        output: |\n          2\n' in new
    assert new.endswith("          print(4)\n        output: |\n          4\n")


def test_replaces_plain_scalar_output() -> None:
    new = update_text(SOURCE, {("two", "mxnet"): "3\n"})
    assert outputs(new)[("two", "mxnet")] == "3\n"
    assert "old value" not in new


def test_leading_blank_line_and_indented_first_line_survive() -> None:
    mx = "\n[[1. 2.]\n [3. 4.]]\n<NDArray 2x2 @cpu(0)>\n"
    indented = "  a\n b\n"
    new = update_text(SOURCE, {("one", "pytorch"): mx, ("two", "mxnet"): indented})
    got = outputs(new)
    assert got[("one", "pytorch")] == mx
    assert got[("two", "mxnet")] == indented


def test_output_is_cleaned_before_recording() -> None:
    assert clean_output("a  \r\nb\n\n\n") == "a\nb\n"
    assert clean_output("") == ""
    new = update_text(SOURCE, {("one", "pytorch"): "x   \n\n\n"})
    assert outputs(new)[("one", "pytorch")] == "x\n"


def test_text_yaml_cannot_hold_literally_falls_back_to_quoted() -> None:
    value = "a\tb\x07\n"
    new = update_text(SOURCE, {("one", "pytorch"): value})
    assert outputs(new)[("one", "pytorch")] == value


def test_empty_output_is_recorded_as_empty_string() -> None:
    new = update_text(SOURCE, {("one", "pytorch"): ""})
    assert outputs(new)[("one", "pytorch")] == ""


def test_unknown_entry_or_snippet_is_an_error() -> None:
    with pytest.raises(RecordError, match="no entry 'nope'"):
        update_text(SOURCE, {("nope", "pytorch"): "x\n"})
    with pytest.raises(RecordError, match="no tensorflow snippet"):
        update_text(SOURCE, {("one", "tensorflow"): "x\n"})


def test_update_file_writes_only_on_change(tmp_path: Path) -> None:
    path = tmp_path / "k.yaml"
    path.write_text(SOURCE, encoding="utf-8")
    assert update_file(path, {("one", "pytorch"): "y\n"})
    assert outputs(path.read_text(encoding="utf-8"))[("one", "pytorch")] == "y\n"
    assert not update_file(path, {("one", "pytorch"): "y\n"})
    assert not list(tmp_path.glob("*.fwcheat-tmp"))


ONE_ENTRY = """\
# a comment on top
id: solo
title: Solo
snippets:
  pytorch:
    code: |
      print(1)
    output: |
      old
  mxnet:
    code: |
      print(2)
"""


def test_one_entry_file_is_updated_in_place() -> None:
    new = update_text(ONE_ENTRY, {("solo", "pytorch"): "1\n", ("solo", "mxnet"): "2\n"})
    assert new == ONE_ENTRY.replace("      old\n", "      1\n") + "    output: |\n      2\n"
    with pytest.raises(RecordError, match="no entry 'other'"):
        update_text(ONE_ENTRY, {("other", "pytorch"): "1\n"})
