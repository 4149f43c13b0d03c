"""`fwcheat search` drawn from the index's pre-rendered cards equals rich's drawing, byte for byte.

:mod:`fwcheat.fastcards` mirrors what :mod:`fwcheat.render` prints through rich.
These tests run the same command both ways (``FWCHEAT_RICH_OUTPUT`` forces rich)
across queries, terminal widths and colour systems, check the fast path really
ran, and that the cards it draws follow edits to the knowledge files.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text
from terminal_modes import KEYS, MODES, console_env

from fwcheat import fastcards
from fwcheat.cli import build_parser, main
from fwcheat.commands.search import parse_simple
from fwcheat.search import Hit
from fwcheat.store import Store

QUERIES = ["autograd", "GradientTape", "求导", "conv2d", "xyzzy plugh"]


class _Stream(io.StringIO):
    def isatty(self) -> bool:
        return False


def prime() -> None:
    """Build the index and its pre-rendered cards (what the first search after an edit does)."""
    from fwcheat.store import open_store

    store = open_store()
    fastcards.refresh(store)
    store.close()


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Records each answer fastcards drew (rather than handing back to rich)."""
    prime()
    calls: list[str] = []
    for name in ("draw_hits", "draw_suggestions"):
        original = getattr(fastcards, name)

        def counted(*args: object, _original: object = original, **kwargs: object) -> str | None:
            result = _original(*args, **kwargs)  # type: ignore[operator]
            if result is not None:
                calls.append(result)
            return result

        monkeypatch.setattr(fastcards, name, counted)
    yield calls


def run(argv: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """``fwcheat ARGV`` in this process, with only ``env`` of the console variables set."""
    out, err = _Stream(), _Stream()
    with console_env(env), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    return status, out.getvalue(), err.getvalue()


def both_ways(argv: list[str], env: dict[str, str]) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    return run(argv, env), run(argv, {**env, fastcards.DISABLE_ENV: "1"})


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("width", [40, 80, 100, 160])
def test_fast_output_is_riches_byte_for_byte(mode: str, width: int, drawn: list[str]) -> None:
    env = {**MODES[mode], "COLUMNS": str(width), "LINES": "40"}
    for query in QUERIES:
        fast, rich = both_ways(["search", *query.split()], env)
        assert fast == rich, (query, mode, width)
    assert len(drawn) == len(QUERIES)  # every answer came from the fast path
    if mode not in ("pipe", "dumb"):
        assert any("\x1b[" in text for text in drawn)
    codes = {
        code for text in drawn for sgr in re.findall(r"\x1b\[([0-9;]*)m", text) for code in sgr.split(";")
    }
    if mode == "no-color":
        assert codes and not codes & {str(c) for c in (*range(30, 38), *range(90, 98))}  # attributes only


@pytest.mark.parametrize(
    "options",
    [
        ["-v", "-n", "2"],
        ["--pair", "tensorflow,pytorch"],
        ["-f", "mxnet"],
        ["-n", "1"],
        ["--limit=5", "--verbose"],
    ],
)
def test_fast_output_follows_the_options(options: list[str], drawn: list[str]) -> None:
    for mode in ("pipe", "256"):
        for width in (72, 131):
            env = {**MODES[mode], "COLUMNS": str(width), "LINES": "40"}
            for query in ("autograd", "conv2d", "autogard"):
                fast, rich = both_ways(["search", query, *options], env)
                assert fast == rich, (query, options, mode, width)
    assert drawn


def test_every_entry_draws_the_same_at_a_few_widths(drawn: list[str]) -> None:
    from fwcheat.store import open_store

    store = open_store()
    ids = store.ids()
    store.close()
    for index, entry_id in enumerate(ids):
        width = (37, 80, 101, 160)[index % 4]
        mode = list(MODES)[index % len(MODES)]
        env = {**MODES[mode], "COLUMNS": str(width), "LINES": "40"}
        fast, rich = both_ways(["search", entry_id, "-n", "1"], env)
        assert fast == rich, (entry_id, mode, width)
    assert len(drawn) == len(ids)


USER_ENTRY = """\
id: zebra-stripes
title: {title}
title_zh: 斑马条纹
tags: [zebrastripes]
summary: A user's own idiom about zebrastripes, to see its card follow edits.
notes:
  - {note}
snippets:
  pytorch:
    code: |
      y = torch.zeros(3)  # zebrastripes
  mxnet:
    code: |
      y = nd.zeros(3)  # zebrastripes
"""


def test_cached_cards_follow_edits_to_a_knowledge_file(knowledge_dir: Path, drawn: list[str]) -> None:
    from fwcheat.store import open_store

    (knowledge_dir / "tensors").mkdir()
    path = knowledge_dir / "tensors" / "zebra-stripes.yaml"
    path.write_text(USER_ENTRY.format(title="Zebra stripes first", note="First note."), encoding="utf-8")
    env = {**MODES["256"], "COLUMNS": "120", "LINES": "40"}
    # The first search after the change: rich draws, and the cards are written for the next one.
    fast, rich = both_ways(["search", "zebrastripes"], env)
    assert fast == rich and drawn == []
    store = open_store()
    cards = fastcards.cards_path(store)
    assert cards is not None and os.path.exists(cards)
    assert not fastcards.refresh(store)  # fresh: nothing to write
    store.close()
    fast, rich = both_ways(["search", "zebrastripes"], env)
    assert fast == rich and len(drawn) == 1
    assert "Zebra stripes first" in fast[1] and "First note." in fast[1]

    path.write_text(
        USER_ENTRY.format(title="Zebra stripes edited", note="An edited note, longer than the first one."),
        encoding="utf-8",
    )
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    fast, rich = both_ways(["search", "zebrastripes"], env)
    assert fast == rich and len(drawn) == 1  # stale cards: rich drew it
    assert "Zebra stripes edited" in fast[1] and "An edited note" in fast[1]
    fast, rich = both_ways(["search", "zebrastripes"], env)
    assert fast == rich and len(drawn) == 2  # and the cards were written afresh
    assert "Zebra stripes edited" in fast[1] and "An edited note" in fast[1]
    assert "Zebra stripes first" not in fast[1] and "First note." not in fast[1]


def test_stale_cards_are_never_drawn(knowledge_dir: Path, drawn: list[str]) -> None:
    """Cards written for other knowledge (another stamp) are ignored even if the file is there."""
    from fwcheat.store import open_store

    prime()
    (knowledge_dir / "tensors").mkdir()
    path = knowledge_dir / "tensors" / "zebra-stripes.yaml"
    path.write_text(USER_ENTRY.format(title="Zebra stripes first", note="First note."), encoding="utf-8")
    store = open_store()
    assert store.rebuilt
    assert fastcards.load(store, store_hits(store, "zebrastripes")) is None
    store.close()
    store = open_store()  # not rebuilt now, but its cards were written for the old stamp
    assert not store.rebuilt
    assert fastcards.load(store, store_hits(store, "zebrastripes")) is None
    assert fastcards.refresh(store)
    assert fastcards.load(store, store_hits(store, "zebrastripes")) is not None
    store.close()


def store_hits(store: Store, query: str) -> list[Hit]:
    from fwcheat.search import Searcher

    return Searcher(store).search(query, limit=3)


def test_an_unsafe_user_entry_is_drawn_safely_and_identically(knowledge_dir: Path, drawn: list[str]) -> None:
    (knowledge_dir / "tensors").mkdir()
    text = USER_ENTRY.format(title='"Zebra \\e]2;pwned\\a stripes"', note='"Bidi \\u202e reversed"')
    (knowledge_dir / "tensors" / "zebra-stripes.yaml").write_text(text, encoding="utf-8")
    prime()
    for mode in ("pipe", "truecolor"):
        fast, rich = both_ways(["search", "zebrastripes"], {**MODES[mode], "COLUMNS": "90"})
        assert fast == rich
        assert "\x1b]" not in fast[1] and "\u202e" not in fast[1]
        assert "\\x1b]2;pwned" in fast[1]
    assert len(drawn) == 2


def test_rich_draws_what_the_fast_path_does_not_mirror(drawn: list[str]) -> None:
    # Too narrow, another Unicode table, rich forced: rich draws, and the answer is still there.
    for env in (
        {**MODES["256"], "COLUMNS": "15"},
        {**MODES["256"], "COLUMNS": "90", "UNICODE_VERSION": "9.0.0"},
    ):
        status, out, _ = run(["search", "autograd"], env)
        assert status == 0 and "autograd-record" in out
    assert drawn == []
    latin1 = io.TextIOWrapper(io.BytesIO(), encoding="latin-1")
    assert fastcards.terminal(latin1, {"FORCE_COLOR": "1", "COLUMNS": "100"}) is None  # rich: ASCII boxes
    utf8 = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    term = fastcards.terminal(utf8, {"FORCE_COLOR": "1", "COLUMNS": "100", "TERM": "xterm-kitty"})
    assert term is not None and term.is_terminal and term.system == "256" and term.width == 100


def test_styles_and_widths_are_riches() -> None:
    from rich.cells import cell_len
    from rich.color import ColorSystem
    from rich.style import Style

    from fwcheat.highlight import STYLES

    styles = {*STYLES.values(), "bold", "bold cyan", "dim", "italic", "yellow", "blue", "yellow dim"}
    for style in styles:
        for system in (ColorSystem.STANDARD, ColorSystem.EIGHT_BIT, ColorSystem.TRUECOLOR):
            parsed = Style.parse(style)
            assert fastcards.sgr(style) == parsed._make_ansi_codes(system), style
            assert fastcards.sgr(style, colour=False) == parsed.without_color._make_ansi_codes(system)
    for char, width in fastcards.FIXED_WIDTHS.items():
        assert cell_len(char) == width


@pytest.mark.parametrize(
    "argv",
    [
        ["autograd"],
        ["attach", "grad"],
        ["autograd", "--json"],
        ["--json", "autograd"],
        ["-n", "2", "autograd"],
        ["autograd", "-n", "7", "-v"],
        ["autograd", "--limit=4", "--verbose"],
        ["-f", "tensorflow", "tape"],
        ["tape", "--framework=keras"],
        ["autograd", "--pair", "tensorflow,pytorch"],
        ["autograd", "--pair=mxnet,keras", "--json"],
        ["", "x"],
        ["自动求导"],
    ],
)
def test_simple_command_lines_parse_as_argparse_does(argv: list[str]) -> None:
    simple = parse_simple(argv)
    assert simple is not None
    parsed = vars(build_parser(only="search").parse_args(["search", *argv]))
    parsed.pop("_module")
    parsed.pop("command")
    assert vars(simple) == parsed


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--help"],
        ["autograd", "-n", "2", "more"],
        ["--lim", "2", "autograd"],
        ["autograd", "-n", "x"],
        ["autograd", "-n", "-1"],
        ["autograd", "-f", "theano"],
        ["autograd", "-n"],
        ["--", "-autograd"],
        ["-n2", "autograd"],
        ["autograd", "--json=1"],
    ],
)
def test_other_command_lines_go_to_argparse(argv: list[str]) -> None:
    assert parse_simple(argv) is None


def test_a_search_on_a_terminal_imports_neither_rich_nor_argparse() -> None:
    prime()  # the index and the cards are built (that uses rich); searching them must not
    code = textwrap.dedent(
        """
        import sys
        from fwcheat.cli import main
        status = main(["search", "autograd"])
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("rich", "argparse", "msgspec", "json"))
        print("MODULES", heavy, status, file=sys.stderr)
        """
    )
    env = {**os.environ, **MODES["truecolor"], "COLUMNS": "160", "LINES": "40"}
    env.pop(fastcards.DISABLE_ENV, None)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "MODULES [] 0" in proc.stderr
    assert "\x1b[34m╭─\x1b[0m" in proc.stdout


def test_the_console_script_output_is_the_same_both_ways() -> None:
    """End to end, through real environment detection: a terminal forced by FORCE_COLOR, then a pipe."""
    prime()
    for extra in ({"FORCE_COLOR": "1", "TERM": "xterm-256color", "COLUMNS": "123"}, {"COLUMNS": "70"}):
        env = {k: v for k, v in os.environ.items() if k not in KEYS}
        env.update(extra)
        command = [sys.executable, "-m", "fwcheat", "search", "autograd"]
        fast = subprocess.run(command, capture_output=True, env=env, timeout=60)
        rich = subprocess.run(
            command, capture_output=True, env={**env, fastcards.DISABLE_ENV: "1"}, timeout=60
        )
        assert fast.returncode == rich.returncode == 0
        assert fast.stdout == rich.stdout and fast.stdout


def _on_a_pty(command: list[str], env: dict[str, str], columns: int) -> bytes:
    """What ``command`` writes to a real terminal (a pty) ``columns`` wide."""
    import fcntl
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    attributes = termios.tcgetattr(follower)
    attributes[1] &= ~termios.ONLCR  # the bytes as written: no \n -> \r\n on the way out
    termios.tcsetattr(follower, termios.TCSANOW, attributes)
    proc = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=follower, stderr=subprocess.DEVNULL, env=env
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=60) == 0
    return b"".join(chunks)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
def test_on_a_real_terminal_the_size_and_colours_are_found_as_rich_finds_them() -> None:
    prime()
    env = {k: v for k, v in os.environ.items() if k not in KEYS}
    env["TERM"] = "xterm-256color"
    command = [sys.executable, "-m", "fwcheat", "search", "autograd"]
    for columns in (90, 140):
        fast = _on_a_pty(command, env, columns)
        rich = _on_a_pty(command, {**env, fastcards.DISABLE_ENV: "1"}, columns)
        assert fast == rich
        assert b"\x1b[34m" in fast
        assert fast.splitlines()[0].decode()  # something was drawn
        widest = max(len(re.sub(r"\x1b\[[0-9;]*m", "", line)) for line in fast.decode().splitlines())
        assert widest == columns


# -- the layout pieces against rich, on generated text -------------------------------------------

_WIDE = {"求": 2, "导": 2, "梯": 2, "度": 2}


def _rich_console(width: int) -> Console:
    return Console(
        file=io.StringIO(), width=width, force_terminal=True, color_system="truecolor", highlight=False
    )


def _fast_writer(width: int) -> fastcards.Writer:
    return fastcards.Writer(
        fastcards.Terminal(True, "truecolor", False, width), fastcards._Cells(dict(_WIDE))
    )


@settings(max_examples=300, deadline=None)
@given(
    plain=st.text(alphabet="ab c求导-.,\n", max_size=90),
    width=st.integers(1, 60),
    base=st.sampled_from([None, "italic", "dim"]),
)
def test_wrapped_text_matches_riches(plain: str, width: int, base: str | None) -> None:
    console = _rich_console(width)
    console.print(Text(plain, style=base or ""))
    out = _fast_writer(width)
    out.rows(
        [fastcards.crop(row, width, out.cells) for row in fastcards.wrap(plain, (), base, width, out.cells)]
    )
    assert out.output() == console.file.getvalue()  # type: ignore[attr-defined]


@settings(max_examples=300, deadline=None)
@given(
    code=st.text(alphabet="ab (x)=1#'求导,.\n ", max_size=120),
    width=st.integers(8, 50),
)
def test_code_rows_match_riches_code_block(code: str, width: int) -> None:
    from fwcheat.highlight import spans
    from fwcheat.render import CodeBlock

    console = _rich_console(width)
    console.print(CodeBlock(code))
    lines = code.split("\n")
    found = spans(code)
    line_spans, offset = [], 0
    for line in lines:
        line_spans.append(fastcards._clip(found, offset, offset + len(line)))
        offset += len(line) + 1
    out = _fast_writer(width)
    rows = fastcards._code_rows(lines, line_spans, width, out.cells)
    out.rows([fastcards.crop(row, width, out.cells) for row in rows])
    assert out.output() == console.file.getvalue()  # type: ignore[attr-defined]


@settings(max_examples=200, deadline=None)
@given(
    notes=st.lists(st.text(alphabet="ab c求导-.", max_size=70), min_size=1, max_size=3),
    width=st.integers(8, 60),
)
def test_notes_match_riches_notes_block(notes: list[str], width: int) -> None:
    from fwcheat.render import NotesBlock

    console = _rich_console(width)
    console.print(NotesBlock(notes))
    out = _fast_writer(width)
    out.rows([fastcards.crop(row, width, out.cells) for row in fastcards._notes(notes, width, out.cells)])
    assert out.output() == console.file.getvalue()  # type: ignore[attr-defined]


_JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(alphabet=st.characters(codec="utf-8"))
)
_JSON = st.recursive(
    _JSON_LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(data=_JSON)
def test_json_output_is_json_dumps_byte_for_byte(data: object) -> None:
    import json

    from fwcheat.commands._json import dumps

    assert dumps(data) == json.dumps(data, ensure_ascii=False, indent=2)


def test_search_json_imports_no_json_package() -> None:
    prime()
    code = (
        "import sys; from fwcheat.cli import main; status = main(['search', 'autograd', '--json']); "
        "print('MODULES', sorted(m for m in sys.modules if m.split('.')[0] in ('json', 'argparse', 'rich')), "
        "status, file=sys.stderr)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "MODULES [] 0" in proc.stderr, proc.stderr
    import json

    assert json.loads(proc.stdout)["results"][0]["id"] == "autograd-record"
