"""SVG snapshots of the TUI at 80x24 (stacked) and 160x48 (side by side).

No kernels (their state stays "off"), the fixed knowledge base of
``tests/tui/data``, cursors that do not blink: the pictures depend on the code
only. Regenerate with ``pytest tests/tui/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import settle, still
from textual.pilot import Pilot

from fwcheat.tui.app import FwcheatApp


async def ready(pilot: Pilot[None]) -> None:
    await settle(pilot)
    still(pilot)
    await pilot.pause()


def test_narrow_80x24(mini_kb: Path, snap_compare: Any) -> None:
    assert snap_compare(FwcheatApp(start_kernels=False), terminal_size=(80, 24), run_before=ready)


def test_wide_160x48_after_a_query(mini_kb: Path, snap_compare: Any) -> None:
    async def query(pilot: Pilot[None]) -> None:
        await ready(pilot)
        await pilot.press(*"求和")
        await ready(pilot)

    assert snap_compare(FwcheatApp(start_kernels=False), terminal_size=(160, 48), run_before=query)


def test_help_160x48(mini_kb: Path, snap_compare: Any) -> None:
    async def help_screen(pilot: Pilot[None]) -> None:
        await ready(pilot)
        await pilot.press("f1")
        await ready(pilot)

    assert snap_compare(FwcheatApp(start_kernels=False), terminal_size=(160, 48), run_before=help_screen)


def test_narrow_80x24_notes_in_focus(mini_kb: Path, snap_compare: Any) -> None:
    """Tab, Tab: the notes pane has focus, the list has given the pair its height."""

    async def notes(pilot: Pilot[None]) -> None:
        await ready(pilot)
        await pilot.press("tab", "tab")
        await ready(pilot)

    assert snap_compare(FwcheatApp(start_kernels=False), terminal_size=(80, 24), run_before=notes)


def test_wide_160x48_long_line_wraps(mini_kb: Path, snap_compare: Any) -> None:
    """A line wider than the pane wraps with ↪ in the gutter; the list collapsed while editing."""

    async def long_line(pilot: Pilot[None]) -> None:
        await ready(pilot)
        editor = pilot.app.pair.side("mxnet").editor  # type: ignore[attr-defined]
        editor.focus()
        editor.load_text("x = nd.arange(4)  " + "# a comment that carries the trap, " * 4 + "end\nprint(x)")
        await ready(pilot)

    assert snap_compare(FwcheatApp(start_kernels=False), terminal_size=(160, 48), run_before=long_line)
