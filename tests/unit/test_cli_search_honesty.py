"""Search says when it has no close match, and understands how real code spells things (issue #14, item 9)."""

from __future__ import annotations

import pytest

from fwcheat.cli import main
from fwcheat.search import Searcher


@pytest.fixture(scope="module")
def searcher() -> Searcher:
    return Searcher()


def first(searcher: Searcher, query: str) -> str:
    hits = searcher.search(query, limit=3)
    assert hits, query
    return hits[0].card.id


@pytest.mark.parametrize("query", ["why?", "how do I cook pasta", "kubernetes deployment", "mx.foo.bar_baz"])
def test_weak_matches_are_not_close(searcher: Searcher, query: str) -> None:
    hits = searcher.search(query, limit=3)
    assert hits and not any(hit.close for hit in hits)


@pytest.mark.parametrize(
    "query",
    ["attach_grad", "autograd", "softmax cross entropy", "自动求导", "F.sum", "RecordIO", "attach_gr"],
)
def test_good_matches_are_close(searcher: Searcher, query: str) -> None:
    assert searcher.search(query, limit=1)[0].close


def test_a_weak_match_is_labelled_in_the_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "how do I cook pasta"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("No close match for 'how do I cook pasta'; nearest: ")
    assert main(["search", "attach_grad"]) == 0
    assert "No close match" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("NDArray to numpy", "tensor-to-numpy"),
        ("my Dense layer output shape is wrong", "dense-flatten"),
        ("ag.record", "autograd-record"),
        ("F.sum", "sum-all"),
        ("F.reshape", "f-reshape-codes"),
        ("F.transpose", "transpose-permute"),
        ("F.concat", "concat"),
        ("F.softmax", "softmax"),
        # TensorFlow code spells Keras `tf.keras`; the Keras snippets `import keras`.
        ("tf.keras.layers.Dense", "dense-linear"),
        ("tf.keras.layers.Conv2D", "conv2d"),
    ],
)
def test_everyday_phrasing_and_code_spellings_rank_the_right_entry(
    searcher: Searcher, query: str, expected: str
) -> None:
    assert first(searcher, query) == expected


def test_sym_var_finds_entries_that_use_it_not_variance(searcher: Searcher) -> None:
    for hit in searcher.search("sym.var", limit=3):
        assert "sym.var" in " ".join(code for _, code in hit.card.snippets), hit.card.id


def test_did_you_mean_offers_only_close_real_words(searcher: Searcher) -> None:
    for query in ("why?", "quantisez", "zzdetachzz"):
        for suggestion in searcher.suggest(query):
            assert not suggestion.isdigit() and len(suggestion) >= 3
    assert "detach" in searcher.suggest("zzdetachzz")
    assert searcher.suggest("why?") == [] or all(len(s) > 3 for s in searcher.suggest("why?"))


def test_show_resolves_an_alias(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "autograd"]) == 0
    assert "autograd-record" in capsys.readouterr().out
