"""Loading and validation: every bad input is reported as file:line with a fix, and skipped."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from fwcheat.knowledge.loader import parse_file
from fwcheat.knowledge.merge import build_knowledge
from fwcheat.knowledge.sources import Layer
from fwcheat.load import load_knowledge

GOOD = """\
entries:
  - id: {id}
    title: Add one
    title_zh: 加一
    category: tensors
    summary: Adding a scalar broadcasts.
    snippets:
      pytorch:
        code: |
          y = torch.ones(2) + 1
      mxnet:
        code: |
          y = nd.ones(2) + 1
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def only_problem(path: Path) -> str:
    result = parse_file(path)
    assert len(result.problems) == 1, [str(p) for p in result.problems]
    return str(result.problems[0])


def test_good_file_loads(tmp_path: Path) -> None:
    result = parse_file(write(tmp_path, "a.yaml", GOOD.format(id="add-one")))
    assert result.problems == []
    [loaded] = result.entries
    assert loaded.entry.id == "add-one"
    assert loaded.line == 2
    assert loaded.entry.snippets.get("mxnet").code == "y = nd.ones(2) + 1\n"  # type: ignore[union-attr]


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(
        tmp_path, "bad.yaml", GOOD.format(id="x").replace("    summary: Adding", "   summary: : Adding")
    )
    message = only_problem(path)
    assert message.startswith(f"{path}:6: error: YAML syntax error")
    assert "fix:" in message


def test_unknown_field_points_at_the_key_and_suggests(tmp_path: Path) -> None:
    text = GOOD.format(id="x").replace("    summary:", "    sumary: oops\n    summary:")
    message = only_problem(write(tmp_path, "bad.yaml", text))
    assert ":6: error:" in message
    assert "unknown field `sumary`" in message
    assert "did you mean `summary`" in message


def test_unknown_field_inside_a_snippet(tmp_path: Path) -> None:
    text = GOOD.format(id="x").replace(
        "        code: |\n          y = nd", "        cdoe: 1\n        code: |\n          y = nd"
    )
    message = only_problem(write(tmp_path, "bad.yaml", text))
    assert ":12: error:" in message and "`cdoe`" in message and "did you mean `code`" in message


def test_wrong_type_names_field_and_fix(tmp_path: Path) -> None:
    text = GOOD.format(id="x").replace("    category: tensors", "    category: tensors\n    tags: autograd")
    message = only_problem(write(tmp_path, "bad.yaml", text))
    assert ":6: error:" in message and "Expected `array`" in message and "YAML list" in message


def test_bad_id_gets_kebab_case_fix(tmp_path: Path) -> None:
    message = only_problem(write(tmp_path, "bad.yaml", GOOD.format(id="Add One")))
    assert ":2: error:" in message
    assert "autograd-record" in message


def test_missing_snippets(tmp_path: Path) -> None:
    text = GOOD.format(id="x").split("    snippets:")[0]
    message = only_problem(write(tmp_path, "bad.yaml", text))
    assert "missing required field `snippets`" in message and ":2: error:" in message


def test_empty_snippets_mapping(tmp_path: Path) -> None:
    text = GOOD.format(id="x").split("    snippets:")[0] + "    snippets: {}\n"
    message = only_problem(write(tmp_path, "bad.yaml", text))
    assert "has no snippets" in message and ":7: error:" in message


def test_empty_file(tmp_path: Path) -> None:
    message = only_problem(write(tmp_path, "empty.yaml", "\n  \n"))
    assert "file is empty" in message and "entries:" in message


def test_comment_only_file(tmp_path: Path) -> None:
    assert "only comments" in only_problem(write(tmp_path, "c.yaml", "# nothing yet\n"))


def test_non_utf8_file_names_line(tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes(
        GOOD.format(id="x")
        .replace("加一", "PLACEHOLDER")
        .encode()
        .replace(b"PLACEHOLDER", "加一".encode("gbk"))
    )
    message = only_problem(path)
    assert f"{path}:4: error: not valid UTF-8" in message and "save the file as UTF-8" in message


def test_duplicate_key_is_reported(tmp_path: Path) -> None:
    text = GOOD.format(id="x").replace("    summary:", "    title: Again\n    summary:")
    message = only_problem(write(tmp_path, "dup.yaml", text))
    assert ":6: error: duplicate key `title` (first at line 3)" in message


def test_compare_variable_must_appear_in_each_snippet(tmp_path: Path) -> None:
    text = GOOD.format(id="x").replace("    snippets:", "    compare: z\n    snippets:")
    result = parse_file(write(tmp_path, "c.yaml", text))
    assert {p.message.split(" snippet")[0] for p in result.problems} == {
        "`compare: z` names a variable the pytorch",
        "`compare: z` names a variable the mxnet",
    }


def test_one_bad_entry_does_not_hide_the_others(tmp_path: Path) -> None:
    good = GOOD.format(id="good-one")
    bad = GOOD.format(id="bad-one").replace("entries:\n", "").replace("    title: Add one\n", "")
    result = parse_file(write(tmp_path, "mixed.yaml", good + bad))
    assert [e.entry.id for e in result.entries] == ["good-one"]
    assert len(result.problems) == 1 and "title" in result.problems[0].message


def test_bad_file_is_skipped_rest_loads(tmp_path: Path) -> None:
    good = write(tmp_path, "good.yaml", GOOD.format(id="good-one"))
    bad = write(tmp_path, "bad.yaml", "entries:\n  - id: [unclosed\n")
    kb = build_knowledge([Layer("test", (bad, good))])
    assert list(kb.entries) == ["good-one"]
    assert len(kb.problems) == 1 and str(kb.problems[0]).startswith(str(bad))


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", GOOD.format(id="same"))
    second = write(tmp_path, "b.yaml", GOOD.format(id="same"))
    kb = build_knowledge([Layer("test", (first, second))])
    assert kb.locations["same"].path == first
    [problem] = kb.problems
    assert problem.path == second and problem.line == 2
    assert f"duplicate id `same` (first defined at {first}:2)" in problem.message


def test_user_layer_overrides_bundled_id(knowledge_dir: Path) -> None:
    bundled = load_knowledge(include_user=False)
    some_id = next(iter(bundled.entries))
    write(knowledge_dir, "mine.yaml", GOOD.format(id=some_id))
    kb = load_knowledge()
    assert kb.get(some_id).title == "Add one"  # type: ignore[union-attr]
    assert kb.locations[some_id].layer == "FWCHEAT_KNOWLEDGE_PATH"
    assert kb.overridden[some_id].layer == "bundled"
    assert len(kb) == len(bundled)


def test_index_is_rebuilt_when_a_file_changes(knowledge_dir: Path) -> None:
    from fwcheat.store import open_store

    path = write(knowledge_dir, "mine.yaml", GOOD.format(id="my-first-idiom"))
    assert open_store().rebuilt
    assert not open_store().rebuilt  # unchanged: the cached index is reused
    path.write_text(GOOD.format(id="my-renamed-idiom"), encoding="utf-8")
    store = open_store()
    assert store.rebuilt
    assert store.entry("my-renamed-idiom") is not None and store.entry("my-first-idiom") is None


@pytest.mark.parametrize("name", ["tabs.yaml"])
def test_tabs_are_a_syntax_error_with_line(tmp_path: Path, name: str) -> None:
    text = GOOD.format(id="x").replace("    title: Add one", "\ttitle: Add one")
    message = only_problem(write(tmp_path, name, text))
    assert ":3: error: YAML syntax error" in message


ONE = """\
id: {id}
title: Add one
title_zh: 加一
summary: Adding a scalar broadcasts.
snippets:
  pytorch:
    code: |
      y = torch.ones(2) + 1
"""


def test_one_entry_file_takes_its_category_from_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FWCHEAT_KNOWLEDGE_PATH", str(tmp_path))
    (tmp_path / "tensors").mkdir()
    result = parse_file(write(tmp_path / "tensors", "add-one.yaml", ONE.format(id="add-one")))
    assert result.problems == []
    [loaded] = result.entries
    assert loaded.entry.category == "tensors" and loaded.line == 1


def test_one_entry_file_category_must_agree_with_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FWCHEAT_KNOWLEDGE_PATH", str(tmp_path))
    (tmp_path / "tensors").mkdir()
    text = ONE.format(id="add-one") + "category: math\n"
    path = write(tmp_path / "tensors", "add-one.yaml", text)
    message = only_problem(path)
    assert message.startswith(f"{path}:9: error: `category: math` disagrees with the folder `tensors/`")
    assert "move the file to `math/`" in message


def test_one_entry_file_outside_a_category_folder_needs_a_category(tmp_path: Path) -> None:
    message = only_problem(write(tmp_path, "loose.yaml", ONE.format(id="loose")))
    assert "missing required field `category`" in message
    assert "add `category:` here" in message
    assert "a `<category>/` folder gives it only inside a knowledge folder" in message
    fine = parse_file(write(tmp_path, "ok.yaml", ONE.format(id="ok") + "category: math\n"))
    assert fine.problems == [] and fine.entries[0].entry.category == "math"


def test_bundled_knowledge_is_one_entry_per_file_named_by_id() -> None:
    from fwcheat.knowledge.loader import folder_category
    from fwcheat.knowledge.sources import bundled_dir

    files = sorted(bundled_dir().rglob("*.yaml"))
    assert len(files) > 150
    for path in files:
        result = parse_file(path)
        assert not [p for p in result.problems if p.is_error], result.problems
        [loaded] = result.entries
        assert path.stem == loaded.entry.id
        assert folder_category(path) == loaded.entry.category == path.parent.name
