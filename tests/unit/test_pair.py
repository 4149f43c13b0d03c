"""The user's pair of frameworks: config file, --pair, and what search and show put side by side."""

from __future__ import annotations

from pathlib import Path

import pytest

from fwcheat.cli import main
from fwcheat.frameworks import DEFAULT_PAIR, FRAMEWORKS
from fwcheat.pair import PairError, configured_pair, parse_pair, shown_and_others

A, B, C, D = FRAMEWORKS


def test_parse_pair_checks_against_the_table() -> None:
    assert parse_pair(f"{C}, {A}") == (C, A)
    assert parse_pair([B, D]) == (B, D)
    with pytest.raises(PairError, match="unknown framework 'theano'"):
        parse_pair(f"theano,{A}")
    with pytest.raises(PairError, match="two different frameworks"):
        parse_pair(f"{A},{A}")
    with pytest.raises(PairError, match="two different frameworks"):
        parse_pair(A)


def test_configured_pair_default_file_and_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    monkeypatch.setenv("FWCHEAT_CONFIG", str(config))
    assert configured_pair() == DEFAULT_PAIR  # no file
    config.write_text(f'[frameworks]\npair = ["{C}", "{A}"]\n', encoding="utf-8")
    assert configured_pair() == (C, A)
    config.write_text('[frameworks]\npair = ["nope", "x"]\n', encoding="utf-8")
    with pytest.raises(PairError, match=r"config\.toml: \[frameworks\] pair: unknown framework"):
        configured_pair()
    config.write_text("[frameworks\n", encoding="utf-8")
    with pytest.raises(PairError, match=r"config\.toml"):
        configured_pair()


def test_shown_and_others() -> None:
    # The pair's frameworks, in table order; the rest named.
    assert shown_and_others([A, B, C, D], (B, A)) == ([A, B], [C, D])
    assert shown_and_others([A, B, C, D], (C, B)) == ([B, C], [A, D])
    # Fewer than two of the pair: the entry's others fill up to two.
    assert shown_and_others([A, C], (B, A)) == ([A, C], [])
    assert shown_and_others([A, C, D], (B, A)) == ([A, C], [D])
    assert shown_and_others([C], (B, A)) == ([C], [])
    # One framework asked for: only that one.
    assert shown_and_others([A, B, C], (B, A), framework=C) == ([C], [A, B])


def _probe_kb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "kb" / "math"
    folder.mkdir(parents=True)
    snippets = "".join(f"  {fw}:\n    code: |\n      y = '{fw}-code'\n" for fw in FRAMEWORKS)
    (folder / "pair-probe.yaml").write_text(
        "id: pair-probe\ntitle: Pair probe\ntitle_zh: 探针\nsummary: A probe.\nsnippets:\n" + snippets,
        encoding="utf-8",
    )
    monkeypatch.setenv("FWCHEAT_KNOWLEDGE_PATH", str(tmp_path / "kb"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("FWCHEAT_CONFIG", str(tmp_path / "config.toml"))


def test_show_puts_the_pair_side_by_side_and_names_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _probe_kb(tmp_path, monkeypatch)
    assert main(["show", "pair-probe"]) == 0
    out = capsys.readouterr().out
    for fw in DEFAULT_PAIR:
        assert f"'{fw}-code'" in out
    others = [fw for fw in FRAMEWORKS if fw not in DEFAULT_PAIR]
    assert all(f"'{fw}-code'" not in out for fw in others)
    assert f"fwcheat show pair-probe -f {others[0]}" in out
    # --pair overrides, and so does the config file.
    assert main(["show", "pair-probe", "--pair", f"{C},{D}"]) == 0
    out = capsys.readouterr().out
    assert f"'{C}-code'" in out and f"'{D}-code'" in out and f"'{A}-code'" not in out
    (tmp_path / "config.toml").write_text(f'[frameworks]\npair = ["{D}", "{B}"]\n', encoding="utf-8")
    assert main(["search", "pair", "probe"]) == 0
    out = capsys.readouterr().out
    assert f"'{D}-code'" in out and f"'{B}-code'" in out and f"'{A}-code'" not in out


def test_bad_pair_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _probe_kb(tmp_path, monkeypatch)
    assert main(["show", "pair-probe", "--pair", "x,y"]) == 2
    assert "unknown framework 'x', 'y'" in capsys.readouterr().err


def test_show_framework_the_entry_lacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _probe_kb(tmp_path, monkeypatch)
    (tmp_path / "kb" / "math" / "pair-probe.yaml").write_text(
        f"id: pair-probe\ntitle: P\ntitle_zh: 探针\nsummary: S.\nsnippets:\n  {A}:\n    code: x = 1\n",
        encoding="utf-8",
    )
    assert main(["show", "pair-probe", "-f", C]) == 1
    assert "has no" in capsys.readouterr().err


def test_a_framework_the_query_matched_is_shown_beside_the_pair() -> None:
    # The query hit only C's API (a TensorFlow name, say): C joins the pair.
    assert shown_and_others([A, B, C, D], (B, A), matched=(C,)) == ([A, B, C], [D])
    # It also hit the pair's API: the pair is enough, the rest is named.
    assert shown_and_others([A, B, C, D], (B, A), matched=(A, C)) == ([A, B], [C, D])


def test_search_for_a_tensorflow_name_shows_tensorflow(capsys: pytest.CaptureFixture[str]) -> None:
    from fwcheat.frameworks import label

    assert main(["search", "GradientTape", "-n", "1"]) == 0
    out = capsys.readouterr().out
    assert f"--- {label(C)} ---" in out and "tf.GradientTape()" in out
    for fw in DEFAULT_PAIR:
        assert f"--- {label(fw)} ---" in out
