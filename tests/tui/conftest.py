"""Fixtures for the TUI tests: a small fixed knowledge base and pilot helpers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

DATA = Path(__file__).parent / "data" / "knowledge"


@pytest.fixture
def mini_kb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Only tests/tui/data/knowledge, a private index cache and an empty user config dir."""
    import fwcheat.knowledge.sources as sources
    import fwcheat.store as store

    monkeypatch.setattr(sources, "bundled_root", lambda: str(DATA))
    monkeypatch.setattr(store, "bundled_root", lambda: str(DATA))
    monkeypatch.setenv("FWCHEAT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("FWCHEAT_KNOWLEDGE_PATH", raising=False)
    return tmp_path


def still(pilot: Pilot[None]) -> None:
    """No blinking cursors: screenshots must not depend on when they are taken."""
    for widget in pilot.app.query(Input):
        widget.cursor_blink = False
    for area in pilot.app.query(TextArea):
        area.cursor_blink = False


async def settle(pilot: Pilot[None]) -> None:
    """Let the catalog and search workers finish and the screen catch up."""
    from fwcheat.tui.app import FOLLOW_DELAY
    from fwcheat.tui.widgets.pair_view import PairView

    for _ in range(200):  # the pair view is mounted lazily, after the first frame
        if pilot.app.query(PairView):
            break
        await pilot.pause(0.02)
    for _ in range(2):
        await _workers_done(pilot)
        await pilot.pause()
    await pilot.pause(FOLLOW_DELAY + 0.1)  # the pair view follows the list after a pause


async def _workers_done(pilot: Pilot[None]) -> None:
    """Wait for the app's workers; one cancelled by a newer search (exclusive) is done too."""
    from textual.worker import WorkerCancelled

    for _ in range(10):
        try:
            await pilot.app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            await pilot.pause()


async def wait_for(pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 120.0) -> None:
    """Poll ``condition`` while the app runs; fail with a clear message after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout:g} s")
        await pilot.pause(0.1)
        await asyncio.sleep(0)
