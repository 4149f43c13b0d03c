"""The search-side CLI: JSON shape, rendering, exit codes, and an import-free search path."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from fwcheat.cli import main
from fwcheat.frameworks import DEFAULT_PAIR
from fwcheat.render import print_entry, print_hits
from fwcheat.search import Searcher
from fwcheat.store import open_store


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fwcheat", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


def test_json_has_exactly_the_documented_shape(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "attach_grad", "--json", "--limit", "2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"query", "results"}
    assert data["query"] == "attach_grad"
    assert len(data["results"]) == 2
    for result in data["results"]:
        documented = {"id", "title", "title_zh", "category", "score", "frameworks", "snippets"}
        added = {"summary", "notes", "see_also", "close"}
        assert set(result) == documented | added
        assert result["frameworks"] == list(result["snippets"])
        assert all(isinstance(result[k], str) for k in ("id", "title", "title_zh", "category"))
        assert isinstance(result["score"], float)
        assert set(result["snippets"]) <= {"pytorch", "mxnet", "tensorflow", "keras"}
        for snippet in result["snippets"].values():
            assert {"code"} <= set(snippet) <= {"code", "setup", "output"} and snippet["code"].strip()
    assert data["results"][0]["id"] == "autograd-record"


def test_json_framework_filter_leaves_only_entries_with_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "gradient", "--json", "--framework", "keras", "--limit", "5"]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    assert results and all("keras" in r["frameworks"] for r in results)
    assert main(["search", "zzqqxx", "--json", "--framework", "keras"]) == 1
    assert json.loads(capsys.readouterr().out) == {"query": "zzqqxx", "results": []}


def test_plain_output_when_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "attach_grad", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert "\x1b[" not in out
    assert "--- PyTorch ---" in out and "--- MXNet/Gluon ---" in out
    assert "attach_grad()" in out and "requires_grad" in out
    assert "自动求导" in out


def test_no_match_exits_1_with_suggestions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "zzdetachzz"]) == 1
    err = capsys.readouterr().err
    assert "No idiom matches 'zzdetachzz'" in err and "Did you mean" in err and "detach" in err


def test_show_unknown_id_suggests(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "autograd-recrod"]) == 1
    assert "autograd-record" in capsys.readouterr().err


def test_side_by_side_on_a_wide_terminal() -> None:
    hit = Searcher().search("attach_grad", limit=1)
    buffer = io.StringIO()
    console = Console(file=buffer, width=160, force_terminal=True, color_system=None)
    print_hits(console, hit, pair=DEFAULT_PAIR)  # as the CLI does
    lines = buffer.getvalue().splitlines()
    # Both panel titles on one line: the snippets are side by side.
    assert any("PyTorch" in line and "MXNet/Gluon" in line for line in lines)
    assert any("attach_grad" in line and "requires_grad" in line for line in lines)
    assert max(len(line) for line in lines) <= 160


def test_stacked_on_a_narrow_terminal() -> None:
    entry = open_store().entry("autograd-record")
    assert entry is not None
    buffer = io.StringIO()
    console = Console(file=buffer, width=80, force_terminal=True, color_system=None)
    print_entry(console, entry)
    lines = buffer.getvalue().splitlines()
    assert not any("PyTorch" in line and "MXNet/Gluon" in line for line in lines)
    torch_at = next(i for i, line in enumerate(lines) if "PyTorch" in line)
    mxnet_at = next(i for i, line in enumerate(lines) if "MXNet/Gluon" in line)
    assert torch_at < mxnet_at
    assert max(len(line) for line in lines) <= 80


def test_no_color_is_honoured() -> None:
    result = run_cli(
        "search", "detach", "--limit", "1", env={"FORCE_COLOR": "1", "NO_COLOR": "1", "COLUMNS": "120"}
    )
    assert result.returncode == 0
    assert "PyTorch" in result.stdout
    assert not re.search(r"\x1b\[(?:\d+;)*(?:3[0-8]|9[0-7])[;m]", result.stdout)  # no colour codes


def test_colour_on_a_forced_terminal() -> None:
    result = run_cli("search", "detach", "--limit", "1", env={"FORCE_COLOR": "1", "COLUMNS": "120"})
    assert result.returncode == 0 and "\x1b[" in result.stdout


def test_search_path_imports_no_heavy_modules(tmp_path: Path) -> None:
    """`fwcheat search` must stay instant: no framework, TUI, REPL or Jupyter modules."""
    probe = (
        "import sys, io, contextlib\n"
        "from fwcheat.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['search', 'autograd'])\n"
        "    main(['search', 'autogard', '--json'])\n"
        "    main(['show', 'detach'])\n"
        "heavy = ('torch', 'mxnet', 'textual', 'prompt_toolkit', 'jupyter_client', 'ipykernel',\n"
        "         'zmq', 'numpy', 'msgspec', 'yaml')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    # Warm the index first: a rebuild after an edit legitimately parses YAML (and imports it).
    subprocess.run([sys.executable, "-c", "from fwcheat.store import open_store; open_store()"], timeout=120)
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from fwcheat import __version__

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"fwcheat {__version__}"


def test_validate_cli_reports_and_fails(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("entries:\n  - id: x\n    titel: oops\n", encoding="utf-8")
    result = run_cli("validate", str(bad))
    assert result.returncode == 1
    assert f"{bad}:3: error:" in result.stderr and "did you mean `title`" in result.stderr
    # Every schema problem of the entry in one run, counted in words that agree.
    assert "missing required field `title`" in result.stderr and "6 errors" in result.stderr
    assert "1 file," in result.stderr and "1 files" not in result.stderr


def test_validate_bundled_knowledge_is_clean() -> None:
    result = run_cli("validate")
    assert result.returncode == 0, result.stderr
    assert "0 errors" in result.stdout


def test_list_counts_by_category(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    # Piped: one tab-separated line per entry, and nothing else.
    rows = out.splitlines()
    assert rows and all(len(row.split("\t")) == 4 for row in rows)
    assert any(row.startswith("autograd-record\tautograd\t") for row in rows)
    assert main(["list", "--category", "no-such-category"]) == 1
