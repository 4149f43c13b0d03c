"""Pilot tests of the TUI without kernels: search, selection, edits, saving, help, layout."""

from __future__ import annotations

from pathlib import Path

import yaml
from conftest import settle, wait_for
from textual.widgets import Static

from fwcheat.tui.app import FwcheatApp
from fwcheat.tui.screens.help import HelpScreen
from fwcheat.tui.widgets.pair_view import PairView
from fwcheat.tui.widgets.results import ResultsList
from fwcheat.tui.widgets.search_box import SearchBox


def ids(app: FwcheatApp) -> list[str]:
    return [e.id for e in app.query_one(ResultsList).cards]


async def test_typing_a_query_updates_the_list(mini_kb: Path) -> None:
    app = FwcheatApp(start_kernels=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        assert ids(app) == ["double-arange", "sum-all", "concat-rows"]
        await pilot.press(*"求和")
        await settle(pilot)
        assert ids(app)[0] == "sum-all"
        assert app.pair.entry is not None and app.pair.entry.id == "sum-all"
        # An API name from the MXNet side finds the pair too, as in the CLI.
        app.query_one(SearchBox).value = ""
        await pilot.press(*"nd.concat")
        await settle(pilot)
        assert ids(app)[0] == "concat-rows"
        app.query_one(SearchBox).value = ""
        await pilot.press(*"zzzzqqq")
        await settle(pilot)
        assert app.query_one(ResultsList).border_subtitle == "no match"


async def test_selecting_shows_the_pair_and_notes(mini_kb: Path) -> None:
    app = FwcheatApp(start_kernels=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.click(ResultsList)
        await pilot.press("down")
        await pilot.pause()
        pair = app.query_one(PairView)
        assert pair.entry is not None and pair.entry.id == "sum-all"
        assert pair.side("pytorch").code.startswith("s = torch.ones(2, 3")
        assert pair.side("mxnet").code.startswith("s = nd.ones((2, 3)")
        notes = str(app.query_one("#notes-text", Static).render())
        assert "所有元素求和" in notes and ".asscalar()" in notes


async def test_edits_survive_moving_and_can_be_saved(mini_kb: Path) -> None:
    app = FwcheatApp(start_kernels=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        editor = app.pair.side("mxnet").editor
        editor.focus()
        editor.move_cursor(editor.document.end)
        await pilot.press("enter", *"print('mine')")
        await pilot.pause()
        assert app.edits == {"double-arange": {"mxnet": app.pair.side("mxnet").code}}
        assert "edited" in str(app.pair.side("mxnet").border_title)
        # Away and back (the list collapsed while the editor had focus): the edit is still there.
        await pilot.press("ctrl+l", "tab")
        await pilot.press("down")
        await pilot.pause()
        assert app.pair.entry is not None and app.pair.entry.id == "sum-all"
        assert "mine" not in app.pair.side("mxnet").code
        await pilot.press("up")
        await pilot.pause()
        assert app.pair.side("mxnet").code.endswith("print('mine')")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not app.edits, timeout=30)
        await settle(pilot)
    [saved] = (mini_kb / "config" / "fwcheat" / "knowledge").rglob("double-arange.yaml")
    entry = yaml.safe_load(saved.read_text(encoding="utf-8"))
    assert entry["id"] == "double-arange"
    assert entry["snippets"]["mxnet"]["code"].endswith("print(x)\nprint('mine')\n")
    assert entry["snippets"]["pytorch"]["code"] == "x = torch.arange(4.0, device=device) * 2\nprint(x)\n"
    # The saved file is a valid knowledge file that overrides the bundled entry.
    from fwcheat.load import load_knowledge

    kb = load_knowledge()
    replaced = kb.get("double-arange")
    assert replaced is not None and replaced.snippets.mxnet is not None
    assert "mine" in replaced.snippets.mxnet.code
    assert kb.locations["double-arange"].layer == "user"


async def test_quit_with_unsaved_edits_asks_twice(mini_kb: Path) -> None:
    app = FwcheatApp(start_kernels=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        app.pair.side("pytorch").editor.focus()
        await pilot.press("z")
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.is_running
        assert any("Unsaved edits in double-arange" in str(n.message) for n in app._notifications)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running


async def test_revert_drops_the_edit(mini_kb: Path) -> None:
    app = FwcheatApp(start_kernels=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        app.pair.side("pytorch").editor.focus()
        await pilot.press("x", "y")
        await pilot.pause()
        assert "double-arange" in app.edits
        await pilot.press("f8")
        await pilot.pause()
        assert app.edits == {}
        assert not app.pair.side("pytorch").edited


async def test_help_and_palette_list_every_action(mini_kb: Path) -> None:
    app = FwcheatApp(start_kernels=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        app.query_one(ResultsList).focus()
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = dict(app.screen.keys)
        for action in ("ctrl+r", "ctrl+t", "ctrl+g", "ctrl+n", "f2", "f3", "f4", "ctrl+s", "ctrl+o"):
            assert action in keys
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert any(t.startswith("Run all") for t in titles)
        assert any(t.startswith("Switch") for t in titles)
        assert any(t.startswith("Interrupt") for t in titles)
        # `?` typed in a code editor is code, not help.
        app.pair.side("pytorch").editor.focus()
        await pilot.press("question_mark")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        assert "?" in app.pair.side("pytorch").code


async def test_panes_stack_when_narrow(mini_kb: Path) -> None:
    app = FwcheatApp(start_kernels=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        left, right = app.pair.side("pytorch").region, app.pair.side("mxnet").region
        assert right.y >= left.bottom  # one above the other
    app = FwcheatApp(start_kernels=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        left, right = app.pair.side("pytorch").region, app.pair.side("mxnet").region
        assert right.x >= left.right and right.y == left.y  # side by side


async def test_copy_puts_the_focused_snippet_on_the_clipboard(mini_kb: Path) -> None:
    app = FwcheatApp(start_kernels=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        app.pair.side("mxnet").editor.focus()
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert app.clipboard == app.pair.side("mxnet").code
        assert "nd.arange" in app.clipboard


async def test_a_snippet_shown_escaped_is_not_saved_from_the_editor(mini_kb: Path) -> None:
    """Its control characters are shown as `\\x1b`; saving them as those letters would alter the file."""
    folder = mini_kb / "config" / "fwcheat" / "knowledge" / "test"
    folder.mkdir(parents=True)
    path = folder / "hostile-code.yaml"
    original = (
        "id: hostile-code\ntitle: Aaa hostile code\ntitle_zh: 敌意\nsummary: Has an escape in its code.\n"
        'snippets:\n  pytorch:\n    code: "x = 1  # \\e[2J\\nprint(x)\\n"\n'
        '  mxnet:\n    code: "print(1)\\n"\n'
    )
    path.write_text(original, encoding="utf-8")
    app = FwcheatApp(start_kernels=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        app.query_one(SearchBox).value = "hostile-code"
        await wait_for(pilot, lambda: app.pair.entry is not None and app.pair.entry.id == "hostile-code")
        side = app.pair.side("pytorch")
        assert "\\x1b[2J" in side.code and "\x1b" not in side.code
        side.editor.focus()
        side.editor.move_cursor(side.editor.document.end)
        await pilot.press("enter", *"print(2)")
        await pilot.pause()
        assert "hostile-code" in app.edits
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        assert "hostile-code" in app.edits  # kept, for the user to copy
        messages = [str(n.message) for n in app._notifications]
        assert any("holds control characters" in m and "hostile-code.yaml" in m for m in messages)
    assert path.read_text(encoding="utf-8") == original
