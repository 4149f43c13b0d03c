"""`fwcheat repl` driven through prompt-toolkit's pipe input against real kernels.

No terminal: keys go in through ``create_pipe_input()``, prompt-toolkit draws
into ``DummyOutput``, and what the REPL prints is read back from a rich
console writing into a string.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import time
from collections.abc import AsyncIterator

import pytest
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import PipeInput, create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from fwcheat.kernels.jupyter import live_kernel_pids
from fwcheat.repl.engine import ReplEngine
from fwcheat.repl.session import ReplSession
from fwcheat.store import open_store

pytestmark = [pytest.mark.kernels, pytest.mark.slow]

ENTER = "\r"
CTRL_C = "\x03"
CTRL_D = "\x04"
#: Kernel start (importing torch or mxnet) on a busy machine.
START_TIMEOUT = 120.0


class Driver:
    """Types into a running REPL and waits for what it prints."""

    def __init__(self, pipe: PipeInput, out: io.StringIO, session: ReplSession) -> None:
        self.pipe = pipe
        self.out = out
        self.session = session
        self.engine = session.engine
        self.task: asyncio.Task[int] = asyncio.ensure_future(session.run())
        self._seen = 0

    def type(self, *lines: str) -> None:
        """Type each line and press Enter after it."""
        for line in lines:
            self.pipe.send_text(line + ENTER)

    async def expect(self, text: str, timeout: float = 60.0) -> str:
        """Wait until ``text`` is printed after what earlier calls consumed; the output up to it."""
        deadline = time.monotonic() + timeout
        while True:
            output = self.out.getvalue()
            found = output.find(text, self._seen)
            if found >= 0:
                chunk = output[self._seen : found + len(text)]
                self._seen = found + len(text)
                return chunk
            if self.task.done():
                self.task.result()
                raise AssertionError(f"the REPL ended before printing {text!r}:\n{output[self._seen :]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} not printed within {timeout} s:\n{output[self._seen :]}")
            await asyncio.sleep(0.05)

    async def until(self, condition: object, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not callable(condition) or not condition():
            if time.monotonic() > deadline:
                raise AssertionError("condition not met in time")
            await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def driven_repl(framework: str = "pytorch", *, wait_ready: bool = True) -> AsyncIterator[Driver]:
    with create_pipe_input() as pipe:
        out = io.StringIO()
        console = Console(file=out, width=160, color_system=None, highlight=False)
        engine = ReplEngine(console, framework, "cpu")
        session = ReplSession(engine, input=pipe, output=DummyOutput(), history=InMemoryHistory())
        driver = Driver(pipe, out, session)
        try:
            if wait_ready:
                await driver.expect("ready on cpu", START_TIMEOUT)
            yield driver
        finally:
            if not driver.task.done():
                pipe.send_text(CTRL_D)
                try:
                    await asyncio.wait_for(asyncio.shield(driver.task), 30)
                except asyncio.TimeoutError:
                    driver.task.cancel()
                    await engine.shutdown()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_multiline_block_runs_when_complete() -> None:
    async with driven_repl() as repl:
        # Enter after the header opens an indented line; Enter on a blank line runs the block.
        repl.type("for i in range(3):", "print('row', i * 10)", "")
        shown = await repl.expect("row 20")
        assert "row 0\nrow 10\nrow 20" in shown
        history = list(repl.session.prompt.history.load_history_strings())
        assert history[0] == "for i in range(3):\n    print('row', i * 10)"
        repl.type("answer = 6 * 7", "answer")
        await repl.expect("Out[3]: 42")
        # The value is printed before the kernel reports idle; completion waits for idle.
        await repl.until(lambda: not repl.engine.running)
        # Tab completes from the kernel's live namespace.
        repl.pipe.send_text("answ\t")
        buffer = repl.session.prompt.default_buffer
        await repl.until(lambda: buffer.text == "answer")
        matches, start, _end = await repl.engine.complete("answer.bit_l", 12, timeout=30)
        assert "answer.bit_length" in [("answer.bit_l"[:start] + m) for m in matches]


async def test_input_typed_while_the_kernel_starts_runs_once_it_is_up() -> None:
    async with driven_repl(wait_ready=False) as repl:
        await repl.until(lambda: repl.session.prompt.app.is_running)
        toolbar = "".join(text for _style, text, *_ in repl.session.toolbar())
        assert "kernel starting" in toolbar
        repl.type(":help")  # reads only the knowledge base: answered without waiting for the kernel
        assert "ready on cpu" not in await repl.expect(":quit", 20)
        repl.type("6 * 7")
        shown = await repl.expect("Out[1]: 42", START_TIMEOUT)
        assert "ready on cpu" in shown


async def test_traceback_is_shown_and_the_session_continues() -> None:
    async with driven_repl() as repl:
        repl.type("x = 5", "def boom(n):", "return n / 0", "", "boom(x)")
        shown = await repl.expect("ZeroDivisionError: division by zero")
        assert "----> 1 boom(x)" in shown
        assert "return n / 0" in shown  # the frame inside the function, from IPython's traceback
        repl.pipe.send_text("half typed" + CTRL_C)  # Ctrl-C at the prompt drops the input only
        repl.type("print('still here', x)")
        await repl.expect("still here 5")
        assert "half typed" not in repl.out.getvalue()


async def test_load_puts_the_snippet_in_the_input_and_enter_runs_it() -> None:
    entry = open_store().entry("autograd-record")
    assert entry is not None and entry.snippets.pytorch is not None
    async with driven_repl() as repl:
        repl.type(":load autograd-record")
        await repl.expect("is in the input")
        buffer = repl.session.prompt.default_buffer
        await repl.until(lambda: "backward()" in buffer.text)
        assert entry.snippets.pytorch.code.strip() in buffer.text
        repl.type("")  # Enter runs the loaded (complete) snippet as it is
        recorded = (entry.snippets.pytorch.output or "").strip().splitlines()[0]
        await repl.expect(recorded)
        repl.type("grad.shape")  # its variables stay in the session
        await repl.expect("Out[2]: torch.Size([2, 3])")
        repl.type(":pair")
        shown = await repl.expect("--- MXNet/Gluon ---")
        shown += await repl.expect("attach_grad()")
        assert "--- PyTorch ---" not in shown
        repl.type(":run tensor-from-list")
        await repl.expect("running tensor-from-list")
        await repl.expect("torch.int64")
        repl.type("x.dtype")
        await repl.expect("Out[4]: torch.float32")


async def test_ctrl_c_interrupts_a_loop_and_keeps_the_state() -> None:
    async with driven_repl() as repl:
        repl.type("import time", "kept = 'yes'")
        repl.type("for i in range(10**9):", "if i == 0: print('looping', flush=True)", "time.sleep(0.02)", "")
        await repl.expect("looping")
        await asyncio.sleep(0.5)
        started = time.monotonic()
        repl.pipe.send_text(CTRL_C)
        await repl.expect("KeyboardInterrupt", 20)
        assert time.monotonic() - started < 10
        repl.type("print(kept, i > 0)")
        await repl.expect("yes True")


async def test_second_ctrl_c_restarts_a_kernel_that_ignores_interrupts() -> None:
    async with driven_repl() as repl:
        old = repl.engine.pool.pids()
        repl.type("import signal, time")
        # ipykernel restores its SIGINT handler before each cell, so ignore it inside the cell.
        ignore = "if i == 0: signal.signal(signal.SIGINT, signal.SIG_IGN); print('stuck', flush=True)"
        repl.type("for i in range(10**9):", ignore, "time.sleep(0.02)", "")
        await repl.expect("stuck")
        repl.pipe.send_text(CTRL_C)
        # The REPL says that the cell ignored the interrupt, and what a second Ctrl-C does.
        await repl.expect("the cell ignored the interrupt", 20)
        assert repl.engine.running
        repl.pipe.send_text(CTRL_C)
        said = await repl.expect("did not stop when interrupted; started a new PyTorch kernel", START_TIMEOUT)
        assert "keeps its state" not in said  # only what is true: the variables are gone
        assert "its variables are gone" in repl.out.getvalue()
        count = repl.engine.counts["pytorch"]
        repl.type("print('fresh', 'i' in dir(), device)", "40 + 2")
        await repl.expect("fresh False cpu")
        # Prompt numbers go on across the replacement: the next Out is the next number.
        await repl.expect(f"Out[{count + 2}]: 42")
        assert repl.engine.pool.pids() != old


async def test_foreign_api_hint_in_the_toolbar() -> None:
    async with driven_repl() as repl:
        await repl.until(lambda: repl.engine._hints is not None, 60)
        repl.pipe.send_text("x.attach_grad()")
        buffer = repl.session.prompt.default_buffer
        await repl.until(lambda: buffer.text == "x.attach_grad()")
        toolbar = "".join(text for _style, text, *_ in repl.session.toolbar())
        assert toolbar.startswith(" hint: attach_grad is MXNet/Gluon · PyTorch: x.requires_grad_(True)")
        assert len(toolbar) < 80  # cut to the (dummy, 80-column) terminal
        assert repl.session.hint_text().endswith(":load autograd-record")
        repl.pipe.send_text("\x15")  # Ctrl-U: clear the line
        await repl.until(lambda: buffer.text == "")
        toolbar = "".join(text for _style, text, *_ in repl.session.toolbar())
        assert "hint" not in toolbar and "PyTorch · cpu" in toolbar


async def test_framework_switch_keeps_each_kernels_state() -> None:
    async with driven_repl() as repl:
        repl.type("a = 41")
        repl.type(":framework mxnet")
        await repl.expect("now in MXNet/Gluon", START_TIMEOUT)
        repl.type("b = 'mx'", "print('a' in dir(), ctx)")
        await repl.expect("False cpu(0)")
        repl.type(":framework pytorch")
        await repl.expect("now in PyTorch")
        repl.type("print(a + 1, 'b' in dir(), device)")
        await repl.expect("42 False cpu")
        repl.type(":fw mxnet", "print(b)")
        await repl.expect("now in MXNet/Gluon")
        await repl.expect("mx")
        # Rebinding the device touches `device` / `ctx` only, in both kernels.
        repl.type(":device auto", "print(b, nd.ones(1, ctx=ctx).context == ctx)")
        await repl.expect("device is now auto")
        await repl.expect("mx True")
        repl.type(":fw pytorch", "print(a, torch.ones(1, device=device).device.type == device.type)")
        await repl.expect("41 True")


async def test_dead_kernel_is_reported_then_restarted() -> None:
    async with driven_repl() as repl:
        old = repl.engine.pool.pids()
        repl.type("import os, signal", "os.kill(os.getpid(), signal.SIGKILL)")
        await repl.expect("kernel died")
        await repl.expect("replaced on your next input")
        count = repl.engine.counts["pytorch"]
        repl.type("print('back', device)", "6 * 7")
        await repl.expect("started a new PyTorch kernel", START_TIMEOUT)
        await repl.expect("back cpu")
        await repl.expect(f"Out[{count + 2}]: 42")  # the prompt said [count + 2] too: no drift
        assert repl.engine.pool.pids() != old


async def test_tensorflow_repl_runs_code_and_pair_shows_another_framework() -> None:
    async with driven_repl("tensorflow") as repl:
        repl.type("t = tf.constant([1.0, 2.0]) * 3", "print(t.numpy().tolist(), device)")
        await repl.expect("[3.0, 6.0] /CPU:0", START_TIMEOUT)
        repl.type(":pair detach keras")
        await repl.expect("Keras")
        repl.type(":pair detach")  # the other side of the default pair
        await repl.expect("MXNet/Gluon")


async def test_ctrl_d_exits_and_leaves_no_kernel_behind() -> None:
    async with driven_repl() as repl:
        repl.type(":framework mxnet")
        await repl.expect("now in MXNet/Gluon", START_TIMEOUT)
        pids = repl.engine.pool.pids()
        assert len(pids) == 2 and all(_alive(p) for p in pids)
        repl.pipe.send_text(CTRL_D)
        assert await asyncio.wait_for(repl.task, 30) == 0
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in pids) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        assert not any(_alive(p) for p in pids)
        assert not set(pids) & set(live_kernel_pids())
