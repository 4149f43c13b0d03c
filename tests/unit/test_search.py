"""Ranking over the bundled knowledge base: English, Chinese, typos, API names from each side."""

from __future__ import annotations

import pytest

from fwcheat.search import Searcher


@pytest.fixture(scope="module")
def searcher() -> Searcher:
    return Searcher()


def top_ids(searcher: Searcher, query: str, n: int = 3, framework: str | None = None) -> list[str]:
    return [hit.entry.id for hit in searcher.search(query, limit=n, framework=framework)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("zero_grad", "grad-accumulation"),
        ("gradients accumulate", "grad-accumulation"),
        ("detach", "detach"),
        ("try gpu", "try-gpu"),
        ("deferred initialization", "deferred-init"),
        ("permute", "transpose-permute"),
    ],
)
def test_english_queries(searcher: Searcher, query: str, expected: str) -> None:
    assert top_ids(searcher, query, 1) == [expected]


def test_autograd_finds_the_core_entry_first(searcher: Searcher) -> None:
    """An exact alias outranks entries that merely mention the word (the README's first command)."""
    assert top_ids(searcher, "autograd", 1) == ["autograd-record"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [("自动求导", "autograd-record"), ("梯度清零", "grad-accumulation"), ("维度置换", "transpose-permute")],
)
def test_chinese_queries(searcher: Searcher, query: str, expected: str) -> None:
    assert top_ids(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"), [("autogard", "autograd-record"), ("detahc", "detach"), ("hybridise", "hybridize")]
)
def test_typos_are_forgiven(searcher: Searcher, query: str, expected: str) -> None:
    assert expected in top_ids(searcher, query, 3)


def test_mxnet_api_name_finds_the_pytorch_way(searcher: Searcher) -> None:
    [hit] = searcher.search("attach_grad", limit=1)
    assert hit.entry.id == "autograd-record"
    assert "mxnet" in hit.via
    assert hit.entry.snippets.get("pytorch") is not None


def test_pytorch_api_name_finds_the_mxnet_way(searcher: Searcher) -> None:
    [hit] = searcher.search("requires_grad", limit=1)
    assert hit.entry.id == "autograd-record"
    assert "pytorch" in hit.via
    assert top_ids(searcher, "torch.from_numpy", 1) == ["tensor-from-numpy"]


def test_api_names_read_from_code_are_searchable(searcher: Searcher) -> None:
    """`as_in_context` is used in snippets; nobody has to list it by hand for it to be found."""
    hits = searcher.search("as_in_context", limit=3)
    assert hits and "mxnet" in hits[0].via


def test_prefix_of_the_last_word_matches(searcher: Searcher) -> None:
    assert "autograd-record" in top_ids(searcher, "attach_gr", 3)
    assert top_ids(searcher, "attach_gr", 3, framework=None)


def test_framework_filter(searcher: Searcher) -> None:
    hits = searcher.search("gradient", limit=10, framework="mxnet")
    assert hits and all(h.entry.snippets.get("mxnet") is not None for h in hits)
    keras_hits = searcher.search("gradient", limit=10, framework="keras")
    assert keras_hits and all(h.entry.snippets.get("keras") is not None for h in keras_hits)
    assert "hybridize" not in [h.entry.id for h in searcher.search("hybridize", limit=5, framework="keras")]


def test_scores_are_sorted_and_limit_respected(searcher: Searcher) -> None:
    hits = searcher.search("tensor", limit=7)
    assert len(hits) == 7
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_nonsense_finds_nothing_but_suggests(searcher: Searcher) -> None:
    assert searcher.search("qqqzzzxxx") == []
    assert searcher.search("   ") == []
    assert "detach" in searcher.suggest("detatchh")
