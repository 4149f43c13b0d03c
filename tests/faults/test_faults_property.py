"""Property tests: no YAML document or byte string makes the loader raise.

Hypothesis generates documents (entries with random values of every YAML
type, random tags, anchors and aliases) and raw byte strings; the loader
must answer each with entries or problems, every problem with a line inside
the file, and nothing of what it shows may carry a raw escape character.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("hypothesis", reason="the `test` extra installs hypothesis")
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fwcheat.knowledge.loader import parse_file, parse_text
from fwcheat.render import entry_plain
from fwcheat.sanitize import safe_line, safe_text

pytestmark = pytest.mark.timeout(300)

SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)

FIELDS = ["id", "title", "title_zh", "category", "summary", "snippets", "notes", "aliases", "tags",
          "compare", "tolerance", "gpus", "see_also", "pytorch", "mxnet", "code", "setup", "output",
          "rtol", "atol", "entries", "<<"]  # fmt: skip
TAGS = ["", "!!int ", "!!float ", "!!str ", "!!bool ", "!!null ", "!!timestamp ", "!!binary ", "!!set ",
        "!!omap ", "!!python/object ", "!custom ", "!!map ", "!!seq "]  # fmt: skip

scalars = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "2024-02-30",
            "2023-02-29",
            "2024-13-99",
            "0b_",
            "0x_",
            "0o9",
            "1_000",
            "190:20:30",
            ".nan",
            "-.inf",
            "~",
            "yes",
            "9" * 5000,
            "1e999",
            "'",
            '"',
            "&a",
            "*a",
            "[",
            "{",
            "? x",
            "- ",
            "|",
            ">",
            "\\e[2J",
            "\x1b[2J",
            "\x00",
            "\u202e",
            "\ufeff",
            "\r",
            "\t",
        ]
    ),
    st.integers(),
    st.floats(),
)


@st.composite
def documents(draw: st.DrawFn) -> str:
    """A YAML-ish document: mostly valid structure with hostile values, anchors and aliases."""
    # Usually one entry with hostile values (so construction and validation run), sometimes noise.
    lines: list[str] = ["id: gen-entry"] if draw(st.integers(0, 4)) else []
    if draw(st.booleans()):
        lines += ["snippets:", "  pytorch:", f"    code: {draw(scalars)}"]
    anchors: list[str] = []
    for _ in range(draw(st.integers(1, 12))):
        indent = "  " * draw(st.sampled_from([0, 0, 0, 0, 1, 2, 3]))
        key = draw(st.one_of(st.sampled_from(FIELDS), st.text(max_size=8)))
        tag = draw(st.sampled_from(TAGS))
        kind = draw(st.integers(0, 5))
        if kind == 0 and anchors:
            value = "*" + draw(st.sampled_from(anchors))
        elif kind == 1:
            name = f"a{len(anchors)}"
            items = ", ".join(
                "*" + draw(st.sampled_from(anchors))
                if anchors and draw(st.booleans())
                else str(draw(scalars))
                for _ in range(draw(st.integers(0, 4)))
            )
            anchors.append(name)
            value = f"&{name} [{items}]"
        elif kind == 2:
            value = "|\n" + "\n".join(
                indent + "  " + str(draw(scalars)) for _ in range(draw(st.integers(1, 3)))
            )
        elif kind == 3:
            value = "[" * draw(st.integers(0, 60)) + str(draw(scalars))
        else:
            value = str(draw(scalars))
        lines.append(f"{indent}{key}: {tag}{value}")
    return "\n".join(lines) + "\n"


def line_breaks(text: str) -> int:
    """How many line breaks YAML sees (it counts CR, NEL and U+2028/9 too)."""
    return len(re.findall("\r\n|[\r\n\x85\u2028\u2029]", text))


def check(result_problems: list, text: str) -> None:  # type: ignore[type-arg]
    for problem in result_problems:
        assert 0 <= problem.line <= line_breaks(text) + 1, str(problem)
        assert problem.message


@SETTINGS
@given(documents())
def test_generated_documents_never_raise(text: str) -> None:
    result = parse_text(text, Path("gen/x.yaml"), "misc")
    check(result.problems, text)
    for loaded in result.entries:
        shown = entry_plain(loaded.entry)
        assert "\x1b" not in shown and "\x00" not in shown


@SETTINGS
@given(data=st.binary(max_size=2000))
def test_byte_strings_never_raise(data: bytes, tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("bytes") / "x.yaml"
    path.write_bytes(data)
    result = parse_file(path)
    check(result.problems, data.decode("utf-8", "replace"))


@SETTINGS
@given(st.text(max_size=200))
def test_sanitised_text_holds_no_control_character(text: str) -> None:
    for safe in (safe_text(text), safe_line(text)):
        assert not any(
            (ord(ch) < 32 and ch not in "\n\t") or 0x7F <= ord(ch) <= 0x9F or 0x202A <= ord(ch) <= 0x202E
            for ch in safe
        ), repr(safe)
    assert "\n" not in safe_line(text)
    if text.isprintable():
        assert safe_text(text) == text  # ordinary text (Chinese included) is left alone
