"""Broken and incomplete knowledge files (issue #14, item 6).

A broken user file is said in one line on stderr by search, show and list;
validate lists every schema problem of an entry in one run, and warns when a
snippet uses a framework's module without importing it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fwcheat.cli import main
from fwcheat.frameworks import MODULE_NAMES, TABLE
from fwcheat.knowledge.unimported import unimported_names

BROKEN = "id: my-loss\ntitle: My loss\ntitle_zh: 我的损失\nsummary: [unclosed\n"

ENTRY_WITH_THREE_PROBLEMS = """\
id: three-problems
title: 5
title_zh: 三个问题
summary: s
colour: red
snippets:
  {framework}:
    kode: x = 1
"""


def test_search_show_and_list_say_a_user_file_is_broken_in_one_line(
    knowledge_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (knowledge_dir / "losses").mkdir()
    broken = knowledge_dir / "losses" / "my-loss.yaml"
    broken.write_text(BROKEN, encoding="utf-8")
    for argv in (["search", "autograd", "--json"], ["show", "autograd-record", "--json"], ["list"]):
        assert main(argv) == 0
        err = capsys.readouterr().err
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1, (argv, err)
        assert str(broken) in lines[0] and "1 broken knowledge file" in lines[0]
        assert "fwcheat validate" in lines[0]


def test_bundled_knowledge_raises_no_broken_file_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "autograd", "--json"]) == 0
    assert "broken" not in capsys.readouterr().err


def test_validate_reports_every_schema_problem_of_an_entry_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "three.yaml"
    bad.write_text(ENTRY_WITH_THREE_PROBLEMS.format(framework=TABLE[0].key), encoding="utf-8")
    assert main(["validate", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:2:" in err and "(at `title`)" in err  # title: 5 is not text
    assert f"{bad}:5:" in err and "unknown field `colour`" in err
    assert f"{bad}:8:" in err and "did you mean `code`?" in err
    assert "missing required field `category`" in err
    assert "1 file, 0 entries:" in err


def test_validate_points_at_the_format_guide_it_can_print(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("", encoding="utf-8")
    assert main(["validate", str(bad)]) == 1
    assert "fwcheat validate --format-guide" in capsys.readouterr().err
    assert "knowledge/README.md" not in capsys.readouterr().err
    assert main(["validate", "--format-guide"]) == 0
    guide = capsys.readouterr().out
    assert "snippets" in guide and "title_zh" in guide


@pytest.mark.parametrize("row", TABLE, ids=[row.key for row in TABLE])
def test_every_module_name_of_the_table_is_caught_unimported(row: object) -> None:
    names = MODULE_NAMES[row.key]  # type: ignore[attr-defined]
    assert names
    for name, binding in names.items():
        assert unimported_names("", f"y = {name}.something(1)\n") == [name]
        # Imported in the setup, or bound by the code itself: nothing to say.
        assert unimported_names(binding, f"y = {name}.something(1)\n") == []
        assert unimported_names("", f"def f({name}, x):\n    return {name}.sum(x)\n") == []


def test_validate_warns_about_a_snippet_that_uses_a_module_it_never_imports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    framework = TABLE[1].key
    name, binding = next(iter((n, b) for n, b in MODULE_NAMES[framework].items() if n != "np"))
    entry = tmp_path / "uses.yaml"
    entry.write_text(
        "id: uses-unimported\ncategory: tensors\ntitle: t\ntitle_zh: t\nsummary: s\n"
        f"snippets:\n  {framework}:\n    code: |\n      y = {name}.zeros((2, 3))\n",
        encoding="utf-8",
    )
    assert main(["validate", str(entry)]) == 0  # a warning, not an error
    captured = capsys.readouterr()
    assert f"uses `{name}` without importing it" in captured.err and f"add `{binding}`" in captured.err
    assert "0 errors, 1 warning" in captured.out and "1 warnings" not in captured.out
