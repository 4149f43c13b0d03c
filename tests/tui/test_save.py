"""Saving an edited entry into a user knowledge file keeps everything else in that file."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from fwcheat.knowledge.loader import parse_text
from fwcheat.knowledge.model import Entry, Snippet, Snippets
from fwcheat.tui.save import SaveError, entry_document, entry_yaml, save_entry, target_file


def make(entry_id: str, code: str = "print(1)\n") -> Entry:
    return Entry(
        id=entry_id,
        title=f"Title {entry_id}",
        title_zh="标题",
        category="tests",
        summary="A summary.",
        notes=["one note", "a multi-line\nnote"],
        compare="x",
        snippets=Snippets(
            pytorch=Snippet(code=f"x = 1\n{code}", setup="import torch\n", output="1\n"),
            mxnet=Snippet(code="x = 1\nprint(x)\n"),
        ),
    )


def read_ids(path: Path) -> list[str]:
    result = parse_text(path.read_text(encoding="utf-8"), path)
    assert not result.problems, result.problems
    return [loaded.entry.id for loaded in result.entries]


def test_new_file_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "k" / "mine.yaml"
    entry = make("first-entry")
    save_entry(entry, path)
    [loaded] = parse_text(path.read_text(encoding="utf-8"), path).entries
    assert loaded.entry == entry


def test_existing_file_keeps_its_entries_and_comments(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    original = (
        "# my own notes, keep me\nentries:\n" + entry_yaml(make("keep-a")) + "\n" + entry_yaml(make("keep-b"))
    )
    path.write_text(original, encoding="utf-8")
    save_entry(make("added"), path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith(original)
    assert read_ids(path) == ["keep-a", "keep-b", "added"]


def test_same_id_is_replaced_in_place(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "entries:\n"
        + entry_yaml(make("a"))
        + "\n  # about b\n"
        + entry_yaml(make("b"))
        + entry_yaml(make("c")),
        encoding="utf-8",
    )
    save_entry(make("b", code="print('edited')\n"), path)
    assert read_ids(path) == ["a", "b", "c"]
    entries = {e.entry.id: e.entry for e in parse_text(path.read_text(encoding="utf-8"), path).entries}
    assert entries["b"].snippets.pytorch is not None
    assert "edited" in entries["b"].snippets.pytorch.code
    assert entries["a"] == make("a") and entries["c"] == make("c")
    # Replacing the last entry works too.
    save_entry(make("c", code="print('last')\n"), path)
    assert read_ids(path) == ["a", "b", "c"]
    assert "'last'" in path.read_text(encoding="utf-8")


def test_empty_entries_list(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("# nothing yet\nentries: []\n", encoding="utf-8")
    save_entry(make("only"), path)
    assert read_ids(path) == ["only"]
    assert path.read_text(encoding="utf-8").startswith("# nothing yet\n")


@pytest.mark.parametrize(
    "content",
    ["entries:\n  - id: [unclosed\n", "just: a mapping\n", "- a\n- list\n"],
)
def test_unreadable_file_is_left_alone(tmp_path: Path, content: str) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SaveError, match="nothing was written"):
        save_entry(make("new"), path)
    assert path.read_text(encoding="utf-8") == content


def test_where_entries_are_saved(tmp_path: Path) -> None:
    user = tmp_path / "user"
    entry = make("some-id")
    bundled = Path("/pkg/knowledge/tests/some-id.yaml")
    assert target_file(entry, "bundled", bundled, user) == user / "tests" / "some-id.yaml"
    assert target_file(entry, None, None, user) == user / "tests" / "some-id.yaml"
    own = tmp_path / "own.yaml"
    assert target_file(entry, "user", own, user) == own


def test_bundled_entry_is_saved_as_one_small_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    user = tmp_path / "user"
    monkeypatch.setattr("fwcheat.knowledge.sources.user_root", lambda: str(user))
    entry = make("small-one")
    path = save_entry(entry, target_file(entry, "bundled", None, user))
    assert path == user / "tests" / "small-one.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("id:") == 1 and "entries:" not in text
    assert "category:" not in text  # the folder gives it
    [loaded] = parse_text(text, path, "tests").entries
    assert loaded.entry == entry
    # Saving again replaces the entry and keeps the user's comment at the top.
    path.write_text("# mine\n" + text, encoding="utf-8")
    save_entry(make("small-one", code="print('again')\n"), path)
    again = path.read_text(encoding="utf-8")
    assert again.startswith("# mine\n") and "'again'" in again
    assert again.count("id:") == 1


def test_one_entry_file_refuses_another_id(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    original = entry_document(make("first"))
    path.write_text(original, encoding="utf-8")
    with pytest.raises(SaveError, match="nothing was written"):
        save_entry(make("second"), path)
    assert path.read_text(encoding="utf-8") == original


def test_edited_entry_carries_the_run_output(tmp_path: Path) -> None:
    entry = make("with-output")
    edited = msgspec.structs.replace(
        entry, snippets=msgspec.structs.replace(entry.snippets, mxnet=Snippet(code="x = 2\n", output="2\n"))
    )
    path = save_entry(edited, tmp_path / "x.yaml")
    [loaded] = parse_text(path.read_text(encoding="utf-8"), path).entries
    assert loaded.entry.snippets.mxnet == Snippet(code="x = 2\n", output="2\n")
