"""Every row of MXNet's "PyTorch vs Apache MXNet" table that lacked an entry now has one.

The page maps PyTorch functions to MXNet; the rows below had no fwcheat entry
(issue 10). Each must be carried by an entry tagged `mxnet-table-row` that
names the PyTorch function, runs in both frameworks and compares a result.
The page's wrong claims (cumsum, erf and diag "not available"; fmod as
"nd.module") must be corrected where a reader looks for them.
"""

from __future__ import annotations

import pytest

from fwcheat.knowledge import KnowledgeBase
from fwcheat.load import load_knowledge

TAG = "mxnet-table-row"

#: Row of the table -> the PyTorch names an entry must carry (as aliases).
ROWS = {
    "acos/asin/atan": ["acos", "asin", "atan"],
    "atan2": ["atan2"],
    "addcdiv": ["addcdiv"],
    "addr": ["addr"],
    "addbmm": ["addbmm"],
    "apply_": ["apply_"],
    "cauchy_/geometric_/exponential_": ["cauchy_", "geometric_", "exponential_"],
    "cross": ["cross"],
    "erf": ["erf"],
    "fmod": ["fmod"],
    "diag": ["diag"],
    "dist": ["dist"],
    "frac": ["frac"],
    "symeig": ["symeig"],
    "data_ptr": ["data_ptr"],
    "gels": ["gels"],
}


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge(include_user=False)


def carrying(kb: KnowledgeBase, name: str) -> list[str]:
    return [e.id for e in kb if TAG in e.tags and name in (a.lower() for a in e.aliases)]


@pytest.mark.parametrize(("row", "names"), sorted(ROWS.items()), ids=sorted(ROWS))
def test_row_is_carried_by_an_entry(kb: KnowledgeBase, row: str, names: list[str]) -> None:
    for name in names:
        ids = carrying(kb, name)
        assert ids, f"no `{TAG}` entry has the alias {name!r} (row {row!r})"
        for entry_id in ids:
            entry = kb.entries[entry_id]
            assert entry.snippets.get("pytorch") is not None, entry_id
            assert entry.snippets.get("mxnet") is not None, entry_id
            assert entry.compare, f"{entry_id} compares nothing"


def test_tagged_entries_are_all_rows(kb: KnowledgeBase) -> None:
    """The tag means "a row of the table": no entry carries it without a row."""
    names = {n for row in ROWS.values() for n in row}
    strays = [e.id for e in kb if TAG in e.tags and not names & {a.lower() for a in e.aliases}]
    assert not strays


@pytest.mark.parametrize("entry_id", ["cumsum", "erf", "diag"])
def test_the_tables_unavailable_claims_are_corrected(kb: KnowledgeBase, entry_id: str) -> None:
    entry = kb.entries[entry_id]
    text = " ".join([entry.summary, *entry.notes])
    assert "PyTorch vs Apache MXNet" in text
    assert f"nd.{entry_id}" in text or f"nd.{entry_id}" in entry.snippets.get("mxnet").code  # type: ignore[union-attr]


def test_fmod_is_not_nd_modulo(kb: KnowledgeBase) -> None:
    entry = kb.entries[carrying(kb, "fmod")[0]]
    assert "nd.modulo" in entry.snippets.get("mxnet").code  # type: ignore[union-attr]
    assert "torch.remainder" in entry.summary and "sign of the dividend" in entry.summary
