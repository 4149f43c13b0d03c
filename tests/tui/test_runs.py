"""Pilot tests against real PyTorch and MXNet kernels: runs, verdicts, interrupts, crashes, devices."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from conftest import settle, wait_for

from fwcheat.tui.app import FwcheatApp
from fwcheat.tui.widgets.results import ResultsList
from fwcheat.tui.widgets.status_bar import StatusBar

pytestmark = [pytest.mark.kernels, pytest.mark.slow]


def state(app: FwcheatApp, framework: str) -> str:
    return app.bridge.states[framework].state


async def kernels_idle(pilot: object, app: FwcheatApp) -> None:
    ready = ("idle", "unavailable")
    await wait_for(pilot, lambda: all(state(app, fw) in ready for fw in ("pytorch", "mxnet")))  # type: ignore[arg-type]
    for fw in ("pytorch", "mxnet"):
        if state(app, fw) == "unavailable":
            pytest.skip(app.bridge.states[fw].detail)


async def test_run_each_side_then_both_shows_outputs_and_verdict(mini_kb: Path) -> None:
    app = FwcheatApp()
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        # Usable before the kernels are ready: the list and the pair are there already.
        assert app.pair.entry is not None and app.pair.entry.id == "double-arange"
        await kernels_idle(pilot, app)
        status = str(app.query_one(StatusBar).render())
        assert "PyTorch 2." in status and "MXNet 1.9" in status and "idle" in status

        torch_out, mx_out = app.pair.side("pytorch").output, app.pair.side("mxnet").output
        app.pair.side("pytorch").editor.focus()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "ok" in str(torch_out.border_title))
        assert "tensor([0., 2., 4., 6.])" in torch_out.text
        assert mx_out.text == ""  # only the focused side ran

        app.pair.side("mxnet").editor.focus()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "ok" in str(mx_out.border_title))
        assert "[0. 2. 4. 6.]" in mx_out.text and "NDArray 4 @cpu(0)" in mx_out.text
        await wait_for(pilot, lambda: "agree" in str(app.query_one("#verdict").render()))

        # Another entry, both at once.
        app.query_one(ResultsList).focus()
        await pilot.press("down")
        await pilot.pause()
        assert app.pair.entry is not None and app.pair.entry.id == "sum-all"
        assert torch_out.text == ""
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: "agree" in str(app.query_one("#verdict").render()))
        assert "tensor(6.)" in torch_out.text and "[6.]" in mx_out.text

        # An edit that changes the value is run as edited, and the verdict says they differ.
        editor = app.pair.side("mxnet").editor
        editor.load_text("s = nd.ones((2, 3), ctx=ctx).sum() * 2\nprint(s)\ntotal = s.asscalar()\n")
        await pilot.pause()
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: "differ" in str(app.query_one("#verdict").render()))
        assert "[12.]" in mx_out.text

        # The REPL line shares the namespace of the last run.
        repl = app.query_one("#repl-pytorch")
        repl.focus()
        await pilot.press(*"print(total * 10)", "enter")
        await wait_for(pilot, lambda: "60.0" in torch_out.text)
        assert ">>> print(total * 10)" in torch_out.text
        await pilot.press("up")
        assert repl.value == "print(total * 10)"  # type: ignore[attr-defined]
        await app.bridge.shutdown()


async def test_interrupt_kill_and_device(mini_kb: Path) -> None:
    app = FwcheatApp()
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await kernels_idle(pilot, app)
        pane = app.pair.side("pytorch")
        out = pane.output

        # An infinite loop is interrupted and the kernel stays usable.
        pane.editor.load_text("import time\nprint('looping', flush=True)\nwhile True:\n    time.sleep(0.01)")
        pane.editor.focus()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "looping" in out.text and state(app, "pytorch") == "busy")
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: "interrupted" in str(out.border_title))
        assert state(app, "pytorch") == "idle"

        # A flood of output is cut with a marker, and the screen keeps up.
        pane.editor.load_text("for i in range(2_000_000):\n    print(i)\n")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "output cut" in str(out.border_title))
        assert "[fwcheat: output cut here" in out.text
        assert len(out.text) < 400_000

        # A killed kernel is shown dead, and the next run brings it back.
        pid = app.bridge.pool.kernels["pytorch"].pid  # type: ignore[union-attr]
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        await wait_for(pilot, lambda: state(app, "pytorch") == "dead", timeout=30)
        assert "dead" in str(app.query_one(StatusBar).render())
        await pilot.press("f8")  # back to the entry's own code
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "ok" in str(out.border_title))
        assert "tensor([0., 2., 4., 6.])" in out.text
        assert state(app, "pytorch") == "idle"
        assert app.bridge.pool.kernels["pytorch"].pid != pid  # type: ignore[union-attr]

        # No GPU here: choosing one explains why and keeps cpu.
        app.query_one("#device").value = "cuda:0"  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: "keeping cpu" in app.query_one(StatusBar).message, timeout=60)
        message = app.query_one(StatusBar).message
        assert "no GPU that CUDA can see" in message
        assert app.device == "cpu" and app.bridge.device == "cpu"
        assert app.query_one("#device").value == "cpu"  # type: ignore[attr-defined]
        await app.bridge.shutdown()


async def test_switch_a_pane_to_keras_run_it_and_see_the_verdict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real knowledge base: an entry with PyTorch, MXNet and Keras; F3 until Keras, then ctrl+t."""
    from fwcheat.load import load_knowledge

    monkeypatch.setenv("FWCHEAT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("FWCHEAT_CONFIG", raising=False)
    kb = load_knowledge(include_user=False, use_cache=False)
    entry = next(
        e
        for e in kb.entries.values()
        if e.compare and all(e.snippets.get(fw) is not None for fw in ("pytorch", "mxnet", "keras"))
    )
    app = FwcheatApp(entry.id)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        assert app.pair.entry is not None and app.pair.entry.id == entry.id
        assert state(app, "keras") == "off"  # not shown: not started
        app.pair.side("mxnet").editor.focus()
        for _ in range(3):
            if "keras" in app.frameworks:
                break
            await pilot.press("f3")
            await settle(pilot)
        assert app.frameworks == ["pytorch", "keras"]
        await wait_for(pilot, lambda: state(app, "keras") in ("idle", "unavailable"), timeout=180)
        if state(app, "keras") == "unavailable":
            pytest.skip(app.bridge.states["keras"].detail)
        await wait_for(pilot, lambda: state(app, "pytorch") == "idle", timeout=180)
        await pilot.press("ctrl+t")
        keras_out = app.pair.side("keras").output
        await wait_for(pilot, lambda: "ok" in str(keras_out.border_title), timeout=120)
        verdict = app.query_one("#verdict")
        await wait_for(pilot, lambda: "agree" in str(verdict.render()), timeout=60)
        assert "Keras" in str(verdict.render())
        assert "agree" in app.query_one(StatusBar).message
        await app.bridge.shutdown()
