"""Faults in snippets and kernels come back as results, and the kernel recovers."""

from __future__ import annotations

import asyncio
import signal

import pytest
from kernel_procs import wait_gone

from fwcheat.kernels.base import OutputEvent, Status
from fwcheat.kernels.jupyter import JupyterKernel, describe_exit, live_kernel_pids

pytestmark = [pytest.mark.kernels, pytest.mark.timeout(120)]


async def assert_answers(kernel: JupyterKernel) -> None:
    result = await kernel.execute("print(6 * 7)", timeout=30)
    assert result.status is Status.OK, result.reason
    assert result.stdout == "42\n"


async def test_ok_run_returns_stdout_stderr_and_last_value(kernel: JupyterKernel) -> None:
    result = await kernel.execute(
        "import sys\nprint('out')\nprint('err', file=sys.stderr)\n2 + 3", timeout=30
    )
    assert result.status is Status.OK
    assert result.stdout == "out\n"
    assert result.stderr == "err\n"
    assert result.result == "5"
    assert result.output == "out\n5\n"  # stderr is not part of the recorded output
    assert result.duration > 0


async def test_error_gives_name_value_and_traceback(kernel: JupyterKernel) -> None:
    result = await kernel.execute("def f():\n    return 1 / 0\nf()", timeout=30)
    assert result.status is Status.ERROR
    assert result.error is not None
    assert result.error.name == "ZeroDivisionError"
    assert "division by zero" in result.error.value
    assert any("f()" in line for line in result.error.traceback)
    await assert_answers(kernel)


async def test_infinite_loop_is_stopped_by_timeout(kernel: JupyterKernel) -> None:
    result = await kernel.execute("while True:\n    pass", timeout=1.0)
    assert result.status is Status.TIMED_OUT
    assert "interrupted" in result.reason
    assert 1.0 <= result.duration < 10
    await assert_answers(kernel)


async def test_loop_ignoring_interrupt_gets_kernel_restarted(kernel: JupyterKernel) -> None:
    old_pid = kernel.pid
    code = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"
    result = await kernel.execute(code, timeout=1.0)
    assert result.status is Status.TIMED_OUT
    assert "restarted" in result.reason
    assert kernel.pid != old_pid
    await assert_answers(kernel)


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("import os\nos.abort()", "SIGABRT"),
        ("import os\nos._exit(3)", "exited with status 3"),
        ("import ctypes\nctypes.string_at(0)", "SIGSEGV"),
        ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", "OOM killer"),
    ],
    ids=["abort", "exit-3", "segfault", "sigkill"],
)
async def test_dead_kernel_is_reported_and_replaced(kernel: JupyterKernel, code: str, why: str) -> None:
    old_pid = kernel.pid
    result = await kernel.execute(code, timeout=30)
    assert result.status is Status.DIED
    assert why in result.reason
    after = await kernel.execute("print(6 * 7)", timeout=30)
    assert after.status is Status.OK and after.stdout == "42\n"
    assert kernel.pid != old_pid
    assert "previous kernel" in after.reason
    assert old_pid is not None and not wait_gone([old_pid])
    assert old_pid not in live_kernel_pids()


async def test_kernel_killed_while_idle_is_replaced_before_the_next_run(kernel: JupyterKernel) -> None:
    """A kernel killed between runs (OOM killer, a user's kill -9): the next run just works."""
    import os

    await assert_answers(kernel)
    old_pid = kernel.pid
    assert old_pid is not None
    os.kill(old_pid, signal.SIGKILL)
    assert not wait_gone([old_pid])
    # The main thread shows as a zombie before the kernel's other threads are gone; only then
    # can the process be reaped. Give it that moment, as a kernel killed between runs has.
    await asyncio.sleep(1.0)
    after = await kernel.execute("print(6 * 7)", timeout=30)
    assert after.status is Status.OK and after.stdout == "42\n"
    assert kernel.pid != old_pid
    assert "previous kernel" in after.reason and "SIGKILL" in after.reason


def test_describe_exit() -> None:
    assert describe_exit(-signal.SIGKILL).startswith("was killed by SIGKILL")
    assert describe_exit(-signal.SIGSEGV) == "was killed by SIGSEGV (segmentation fault)"
    assert describe_exit(-signal.SIGABRT) == "was killed by SIGABRT (aborted)"
    assert describe_exit(3) == "exited with status 3"


async def test_interrupt_stops_a_running_snippet(kernel: JupyterKernel) -> None:
    run = asyncio.ensure_future(kernel.execute("import time\ntime.sleep(30)", timeout=60))
    await asyncio.sleep(1.0)
    await kernel.interrupt()
    result = await asyncio.wait_for(run, 20)
    assert result.status is Status.INTERRUPTED
    await assert_answers(kernel)


async def test_output_over_cap_is_cut_with_marker(kernel: JupyterKernel) -> None:
    kernel.output_cap = 10_000
    result = await kernel.execute("for i in range(5000):\n    print(i)", timeout=60)
    assert result.status is Status.OK
    assert result.truncated
    assert "output cut here" in result.stdout
    assert len(result.stdout) < 10_000 + 200
    assert result.stdout.startswith("0\n1\n2\n")


async def test_streamed_events_arrive_in_order(kernel: JupyterKernel) -> None:
    seen: list[OutputEvent] = []
    code = "import sys, time\nprint('a', flush=True)\ntime.sleep(0.3)\nprint('b')\n'c'"
    result = await kernel.execute(code, timeout=30, on_output=seen.append)
    assert result.status is Status.OK
    assert [e.kind for e in seen] == ["stdout", "stdout", "result"]
    assert "".join(e.text for e in seen if e.kind == "stdout") == "a\nb\n"


async def test_image_is_saved_and_reported_by_path(kernel: JupyterKernel) -> None:
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    code = (
        "from IPython.display import display, Image\nimport base64\n"
        f"display(Image(data=base64.b64decode('{png}')))"
    )
    result = await kernel.execute(code, timeout=30)
    assert result.status is Status.OK
    assert len(result.images) == 1
    with open(result.images[0], "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


async def test_complete_and_is_complete(kernel: JupyterKernel) -> None:
    await kernel.execute("value_one = 1", timeout=30)
    completion = await kernel.complete("value_o")
    assert "value_one" in completion.matches
    assert completion.cursor_start == 0 and completion.cursor_end == 7
    assert await kernel.is_complete("for i in range(3):") == "incomplete"
    assert await kernel.is_complete("x = 1") == "complete"


async def test_connection_file_and_runtime_dir_are_private_and_removed() -> None:
    k = JupyterKernel("private")
    await k.start()
    runtime = k.runtime_dir
    assert runtime is not None
    try:
        files = list(runtime.glob("kernel-*.json"))
        assert len(files) == 1
        assert (runtime.stat().st_mode & 0o777) == 0o700
        assert (files[0].stat().st_mode & 0o777) == 0o600
        import json

        info = json.loads(files[0].read_text())
        assert info["ip"] == "127.0.0.1" and info["key"]
        assert info["signature_scheme"] == "hmac-sha256"
    finally:
        await k.shutdown()
    assert not runtime.exists()
