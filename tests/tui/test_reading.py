"""Issue #14 in the TUI: whole notes, whole lines, keys as documented, one story on screen.

Items 1 and 2 run against the real knowledge base (the entry with the most
notes, the snippet with the widest line, both found at run time) at 80x24 and
160x48; the rest use the small fixed one. No kernels start.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import settle
from textual.geometry import Region
from textual.pilot import Pilot

from fwcheat.tui.app import FwcheatApp
from fwcheat.tui.widgets.code_editor import CONTINUATION, CodeEditor, next_indent
from fwcheat.tui.widgets.output_pane import CONTINUATION as OUT_MARK
from fwcheat.tui.widgets.output_pane import wrap_line
from fwcheat.tui.widgets.results import ResultsList

SIZES = [(80, 24), (160, 48)]
DOCS = Path(__file__).parents[2] / "docs" / "tui.md"


@pytest.fixture(scope="module")
def real_kb(tmp_path_factory: pytest.TempPathFactory) -> object:
    """The bundled knowledge base, with a private index cache and no user files."""
    from fwcheat.load import load_knowledge

    root = tmp_path_factory.mktemp("kb")
    mp = pytest.MonkeyPatch()
    mp.setenv("FWCHEAT_CACHE_DIR", str(root / "cache"))
    mp.setenv("XDG_CONFIG_HOME", str(root / "config"))
    mp.delenv("FWCHEAT_KNOWLEDGE_PATH", raising=False)
    mp.delenv("FWCHEAT_CONFIG", raising=False)
    yield load_knowledge(include_user=False, use_cache=False)
    mp.undo()


def screen_text(pilot: Pilot[None], region: Region) -> str:
    """What the screen shows inside ``region``, row by row, whitespace removed."""
    strips = pilot.app.screen._compositor.render_strips()
    x, y, w, h = region.x, region.y, region.width, region.height
    rows = [strips[row].crop(x, x + w).text for row in range(y, min(y + h, len(strips)))]
    return re.sub(r"\s+", "", "".join(rows))


# -- 1: notes readable in full -----------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_last_note_of_the_entry_with_most_notes_can_be_read(
    real_kb: object, size: tuple[int, int]
) -> None:
    entries = list(real_kb.entries.values())  # type: ignore[attr-defined]
    most = max(entries, key=lambda e: len(e.notes))
    app = FwcheatApp(most.id, start_kernels=False)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert app.pair.entry is not None and app.pair.entry.id == most.id
        notes = app.query_one("#notes")
        notes.focus()
        await pilot.press("end")
        await pilot.pause(0.3)
        shown = screen_text(pilot, notes.content_region)
        last = re.sub(r"\s+", "", most.notes[-1])
        assert last[-40:] in shown, f"the end of {most.id}'s last note is not on screen"
        await pilot.press("home")
        await pilot.pause(0.3)
        assert re.sub(r"\s+", "", most.title)[:20] in screen_text(pilot, notes.content_region)


async def test_see_also_is_shown_and_leads_to_the_entry(real_kb: object) -> None:
    entries = list(real_kb.entries.values())  # type: ignore[attr-defined]
    entry = next(e for e in entries if e.see_also and e.see_also[0] in real_kb.entries)  # type: ignore[attr-defined]
    app = FwcheatApp(entry.id, start_kernels=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        assert app.pair.entry is not None and app.pair.entry.id == entry.id
        links = app.query_one("#see-also")
        assert links.display
        links.focus()
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert app.pair.entry.id == entry.see_also[0]


# -- 2: every code line readable ------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_widest_snippet_line_wraps_with_a_marker(real_kb: object, size: tuple[int, int]) -> None:
    entries = list(real_kb.entries.values())  # type: ignore[attr-defined]
    width, entry_id, framework = max(
        (len(line), e.id, fw)
        for e in entries
        for fw in ("pytorch", "mxnet")
        if (s := e.snippets.get(fw)) is not None
        for line in s.code.splitlines()
    )
    app = FwcheatApp(entry_id, start_kernels=False)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert app.pair.entry is not None and app.pair.entry.id == entry_id
        editor = app.pair.side(framework).editor
        assert isinstance(editor, CodeEditor)
        assert editor.max_scroll_x == 0, "the editor scrolls sideways"
        wrap = editor.wrap_width
        assert wrap < width  # the line really is wider than the pane
        doc = editor.wrapped_document
        for index, line in enumerate(editor.text.splitlines()):
            sections = doc.get_sections(index)
            assert "".join(sections) == line  # nothing dropped
            assert all(len(s.rstrip()) <= wrap for s in sections)
        # Each continuation row shows the marker in the gutter.
        editor.focus()
        rows = [editor.render_line(y).text for y in range(editor.size.height)]
        continued = [y for y in range(editor.size.height) if editor.is_continuation(y)]
        assert continued, "the widest line did not wrap on screen"
        assert all(rows[y].lstrip().startswith(CONTINUATION) for y in continued)


def test_output_lines_wrap_with_a_marker() -> None:
    line = "DeviceUnavailable: cuda:0 asked for, but PyTorch sees 0 GPUs (available: cpu)"
    rows = wrap_line(line, 30)
    assert all(len(r) <= 30 for r in rows)
    assert rows[0] + "".join(r.removeprefix(OUT_MARK) for r in rows[1:]) == line
    assert all(r.startswith(OUT_MARK) for r in rows[1:])


async def test_output_pane_wraps_on_screen(mini_kb: Path) -> None:
    app = FwcheatApp(start_kernels=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        out = app.pair.side("pytorch").output
        message = "DeviceUnavailable: " + "x" * 150 + " END"
        out.feed(message + "\n")
        out.flush()
        await pilot.pause()
        assert out.max_scroll_x == 0
        rows = [str(line) for line in out.lines]
        assert len(rows) > 1 and rows[-1].endswith("END")
        assert out.text.rstrip("\n") == message


# -- 4: keys as docs/tui.md says ----------------------------------------------------------------


def documented_keys() -> list[str]:
    rows = re.findall(r"^\| `([^|]+?)`[^|]*\|", DOCS.read_text(encoding="utf-8"), re.M)
    return [k for row in rows for k in re.findall(r"[\w+]+|\?", row.replace("`", " "))]


def test_every_documented_key_is_bound() -> None:
    bound = {k.strip() for b in FwcheatApp.BINDINGS for k in b.key.split(",")}  # type: ignore[union-attr]
    bound |= {"question_mark", "?", "ctrl+p", "ctrl+q", "Tab", "shift+Tab", "Enter", "F1", "F2", "F8"}
    keys = documented_keys()
    assert {"ctrl+r", "ctrl+t", "ctrl+g", "ctrl+n", "ctrl+s", "ctrl+o", "ctrl+l"} <= set(keys)
    assert [
        k for k in keys if k not in bound and k.lower() not in bound and k not in ("in", "a", "line")
    ] == []


async def test_up_down_in_the_search_box_move_the_list(mini_kb: Path) -> None:
    app = FwcheatApp(start_kernels=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        results = app.query_one(ResultsList)
        first = app.pair.entry
        assert app.focused is app.query_one("#search") and results.highlighted == 0
        await pilot.press("down")
        await settle(pilot)
        assert first is not None and results.highlighted == 1
        assert app.pair.entry is not None and app.pair.entry.id != first.id
        assert app.focused is app.query_one("#search")
        await pilot.press("up")
        await settle(pilot)
        assert results.highlighted == 0 and app.pair.entry is not None and app.pair.entry.id == first.id


async def test_tab_goes_search_list_then_pair_and_leaves_editors(mini_kb: Path) -> None:
    app = FwcheatApp(start_kernels=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("tab")
        assert app.focused is app.query_one("#results")
        order = []
        for _ in range(4):
            await pilot.press("tab")
            await pilot.pause()
            order.append(app.focused)
        editor = app.pair.side("pytorch").editor
        assert editor in order, order
        before = editor.text
        editor.focus()
        await pilot.pause()
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is not editor and editor.text == before  # no indentation inserted
        # The list gave the pair its width while the pair had focus; ctrl+l brings it back.
        assert not app.query_one("#results").display
        await pilot.press("ctrl+l", "tab")
        assert app.focused is app.query_one("#results")


def test_enter_indents_after_a_colon() -> None:
    assert next_indent("while True:") == "    "
    assert next_indent("    if x:  # note") == "        "
    assert next_indent("    x = 1") == "    "
    assert next_indent("x = {'a:': 1}") == ""


async def test_enter_in_an_editor_indents(mini_kb: Path) -> None:
    app = FwcheatApp(start_kernels=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        editor = app.pair.side("pytorch").editor
        assert isinstance(editor, CodeEditor)
        editor.focus()
        editor.load_text("")
        await pilot.press(*"while True:", "enter", *"break")
        await pilot.pause()
        assert editor.text == "while True:\n    break"


async def test_f2_opens_the_device_choice_and_ctrl_l_returns(mini_kb: Path) -> None:
    app = FwcheatApp(start_kernels=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await pilot.pause()
        select = app.query_one("#device")
        assert select.expanded  # type: ignore[attr-defined]
        await pilot.press("escape", "ctrl+l")
        await pilot.pause()
        assert app.focused is app.query_one("#search")


# -- 5: the status line never contradicts the verdict ------------------------------------------


async def test_status_line_follows_the_verdict(mini_kb: Path) -> None:
    from fwcheat.compare import Agreement, Verdict
    from fwcheat.kernels.base import ErrorInfo, ExecutionResult, Status
    from fwcheat.tui import messages as msg

    app = FwcheatApp(start_kernels=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        entry = app.pair.entry
        assert entry is not None and entry.compare
        ok = ExecutionResult(Status.OK)
        for fw in ("pytorch", "mxnet"):
            app.post_message(msg.SnippetFinished(fw, entry.id, ok))
        await pilot.pause()
        app.post_message(
            msg.VerdictReached(entry.id, Verdict(Agreement.AGREE, entry.compare, f"{entry.compare!r} agrees"))
        )
        await pilot.pause()
        assert "agrees" in app.status.message
        failed = ExecutionResult(Status.ERROR, error=ErrorInfo("NameError", "name 'oops' is not defined"))
        app.post_message(msg.SnippetFinished("mxnet", entry.id, failed))
        await pilot.pause(0.2)
        verdict_line = str(app.query_one("#verdict").render())
        assert "failed" in verdict_line and "MXNet" in verdict_line
        assert "agrees" not in app.status.message and "failed" in app.status.message


# -- 7: a GPU that is not there is refused up front ------------------------------------------------


@pytest.mark.parametrize("command", ["tui", "repl"])
def test_tui_and_repl_with_a_missing_gpu_exit_2_before_starting(tmp_path: Path, command: str) -> None:
    import os
    import subprocess
    import sys

    from fwcheat.devices import host_gpu_count

    if host_gpu_count() != 0:
        pytest.skip("this machine has a GPU")
    import pty

    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path)}
    master, terminal = pty.openpty()  # a terminal, as a user has: the device is the only problem
    try:
        done = subprocess.run(
            [sys.executable, "-m", "fwcheat", command, "--device", "cuda:0"],
            stdin=terminal,
            stdout=terminal,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            env=env,
        )
    finally:
        os.close(terminal)
        os.close(master)
    assert done.returncode == 2
    assert done.stderr.startswith(f"fwcheat {command}: ")
    assert "cuda:0 asked for, but this machine has no GPU" in done.stderr and "--device cpu" in done.stderr


async def test_f2_refuses_a_missing_gpu_without_starting_kernels(mini_kb: Path) -> None:
    from fwcheat.devices import host_gpu_count

    if host_gpu_count() != 0:
        pytest.skip("this machine has a GPU")
    app = FwcheatApp(start_kernels=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        app.query_one("#device").value = "cuda:0"  # type: ignore[attr-defined]
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.2)
        assert app.device == "cpu"
        assert "no GPU that CUDA can see" in app.status.message and "keeping cpu" in app.status.message
        assert app.bridge.pool is None  # no kernel was started to find out


# -- issue #9: more than two frameworks ----------------------------------------------------------


def _four_way(kb: object) -> str:
    entries = kb.entries.values()  # type: ignore[attr-defined]
    return next(
        e.id
        for e in entries
        if all(e.snippets.get(fw) is not None for fw in ("pytorch", "mxnet", "tensorflow", "keras"))
    )


async def test_f3_switches_a_pane_to_tensorflow_then_keras_and_f4_shows_all(
    real_kb: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry_id = _four_way(real_kb)
    started: list[tuple[str, ...]] = []
    app = FwcheatApp(entry_id, start_kernels=True)

    async def start(*frameworks: str) -> None:  # record which kernels would start; start none
        started.append(frameworks)

    monkeypatch.setattr(app.bridge, "start", start)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        assert app.pair.entry is not None and app.pair.entry.id == entry_id
        assert started == [("pytorch", "mxnet")]  # only the pair's kernels, not TF or Keras
        notes = str(app.query_one("#notes-text").render())
        assert "Also in TensorFlow, Keras" in notes
        app.pair.side("mxnet").editor.focus()
        await pilot.press("f3")
        await settle(pilot)
        assert app.frameworks == ["pytorch", "tensorflow"]
        entry = real_kb.entries[entry_id]  # type: ignore[attr-defined]
        assert app.pair.side("tensorflow").code.rstrip() == entry.snippets.tensorflow.code.rstrip()
        assert "tensorflow" in started[-1] and "keras" not in started[-1]  # (pytorch: never started here)
        assert "TensorFlow" in str(app.pair.side("tensorflow").border_title)
        await pilot.press("f3")
        await settle(pilot)
        assert app.frameworks == ["pytorch", "keras"]
        assert app.pair.side("keras").code.rstrip() == entry.snippets.keras.code.rstrip()
        assert app.focused is app.pair.side("keras").editor
        assert "Keras: off" in str(app.status.render())
        await pilot.press("f4")
        await settle(pilot)
        assert app.frameworks == ["pytorch", "mxnet", "tensorflow", "keras"]
        xs = [app.pair.side(fw).region.x for fw in app.frameworks]
        assert xs == sorted(xs) and len(set(xs)) == 4  # side by side
        await pilot.press("f4")
        await settle(pilot)
        assert app.frameworks == ["pytorch", "mxnet"]


async def test_the_configured_pair_sets_the_panes(
    real_kb: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[frameworks]\npair = ["tensorflow", "pytorch"]\n', encoding="utf-8")
    monkeypatch.setenv("FWCHEAT_CONFIG", str(config))
    app = FwcheatApp(_four_way(real_kb), start_kernels=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        assert app.frameworks == ["pytorch", "tensorflow"]
        assert "TensorFlow" in str(app.pair.side("tensorflow").border_title)
        assert "TensorFlow: off" in str(app.status.render())


async def test_verdict_covers_every_side_that_ran(mini_kb: Path) -> None:
    import numpy as np

    from fwcheat.kernels.base import ExecutionResult, Fetched, Status
    from fwcheat.tui import messages as msg

    app = FwcheatApp(start_kernels=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        entry = app.pair.entry
        assert entry is not None and entry.compare
        values = {"pytorch": np.arange(4.0) * 2, "mxnet": np.arange(4.0) * 3}
        for fw, value in values.items():
            fetched = Fetched(array=value)
            app.post_message(msg.SnippetFinished(fw, entry.id, ExecutionResult(Status.OK), fetched=fetched))
        await pilot.pause(0.3)
        line = str(app.query_one("#verdict").render())
        assert "✘" in line and "✘" in app.status.message


async def test_two_fast_tabs_from_the_search_box_reach_the_notes(mini_kb: Path) -> None:
    app = FwcheatApp(start_kernels=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        from textual.events import Key

        for _ in range(2):  # queued together, as a terminal delivers "\t\t"
            app.post_message(Key("tab", "\t"))
        await pilot.pause(0.2)
        assert app.focused is app.query_one("#notes")
