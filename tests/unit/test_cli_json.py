"""JSON from search, show and list (issue #14, item 10): one shape for an entry, documented fields kept."""

from __future__ import annotations

import json

import pytest

from fwcheat.cli import main
from fwcheat.store import open_store

DOCUMENTED = {"id", "title", "title_zh", "category", "frameworks", "snippets"}
ADDED = {"summary", "notes", "see_also"}


def test_search_json_carries_summary_notes_setup_output_see_also(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "attach_grad", "--json", "--limit", "1"]) == 0
    [result] = json.loads(capsys.readouterr().out)["results"]
    assert DOCUMENTED | ADDED | {"score", "close"} == set(result)
    entry = open_store().entry(result["id"])
    assert entry is not None
    assert result["notes"] and result["see_also"] == list(entry.see_also)
    for framework, snippet in entry.snippets.items():
        shown = result["snippets"][framework]
        assert shown["code"] == snippet.code
        assert shown.get("setup", "") == snippet.setup
        assert shown.get("output") == snippet.output


def test_show_json_is_the_same_shape_without_a_score(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "autograd-record", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == DOCUMENTED | ADDED and data["id"] == "autograd-record"
    assert main(["search", "autograd-record", "--json", "--limit", "1"]) == 0
    [result] = json.loads(capsys.readouterr().out)["results"]
    assert {k: v for k, v in result.items() if k not in ("score", "close")} == data


def test_list_json_lists_every_entry_briefly(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)["entries"]
    assert len(entries) == open_store().count()
    assert all(set(e) == {"id", "title", "title_zh", "category", "frameworks"} for e in entries)
    assert main(["list", "-c", "losses", "--json"]) == 0
    assert {e["category"] for e in json.loads(capsys.readouterr().out)["entries"]} == {"losses"}
